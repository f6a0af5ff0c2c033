"""HandMotion: the one contract between the backend and the Blender add-on.

A versioned `.npz` file (documented in docs/motion_format.md) holding both hands' MANO
parameters in the piano world frame at a fixed frame rate. Reading validates everything, so
a bad file fails here with one line naming it, never halfway through keying a scene.
numpy only: the add-on imports this module inside Blender.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .hand.rig import REST_JOINTS_KEY, rest_joints_problem
from .outputs import atomic_file

FORMAT_NAME = "s2c-hands/HandMotion"
FORMAT_VERSION = 1
DEFAULT_FPS = 30.0
HANDS = ("left", "right")
# Columns of the `notes` table: MIDI pitch, onset s, offset s, velocity, hand (0 left,
# 1 right, -1 unassigned), piano finger (1 thumb .. 5 little finger, 0 unknown).
NOTE_COLUMNS = ("pitch", "onset", "offset", "velocity", "hand", "finger")
# Columns of the optional `substitutions` table: a note (row of `notes`) whose held key
# another finger of the same hand takes over (1..5) from a time (s) inside the note.
SUBSTITUTION_COLUMNS = ("note", "finger", "time")

# Sanity ranges: a reader refuses what no real take has, before it allocates anything.
FPS_RANGE = (1.0, 1000.0)
MAX_FRAMES = 10_000_000  # 3.9 days at 30 fps: more is a damaged or hostile header
MAX_NOTES = 10_000_000
MAX_TEXT_BYTES = 64 << 20  # the format marker and the metadata JSON
PITCH_RANGE = (21, 108)  # the 88 keys, A0..C8 (General MIDI note numbers)

# Blender's last frame (MAXFRAME in DNA_scene_types.h): keys after it are dropped without a
# word, so engines refuse to make a take that ends later and the add-on refuses to key one.
BLENDER_MAX_FRAME = 1_048_574

_TRACK_SHAPES = {
    "transl": (3,),
    "global_orient": (3,),
    "hand_pose": (45,),
    "present": (),
    "joints": (21, 3),
}


class MotionFormatError(ValueError):
    """A HandMotion file is missing, unreadable or inconsistent (message names the file)."""


def note_frames(onset: np.ndarray, offset: np.ndarray, fps: float) -> tuple[np.ndarray, ...]:
    """First and last frame (inclusive) on which each note is pressed: from its onset's
    frame up to the frame before its offset's, and at least on its onset frame."""
    on = np.round(np.asarray(onset) * fps).astype(np.int64)
    off = np.maximum(on, np.round(np.asarray(offset) * fps).astype(np.int64) - 1)
    return on, off


def blender_length_problem(frames: int, fps: float, frame_start: int = 1) -> str | None:
    """Why a take of `frames` starting at `frame_start` cannot be keyed in Blender, or None."""
    last = frame_start + frames - 1
    if last <= BLENDER_MAX_FRAME:
        return None
    return (
        f"{_clock(frames / fps)} at {fps:g} fps is {frames:,} frames, ending at frame "
        f"{last:,}, past Blender's last frame {BLENDER_MAX_FRAME:,} "
        f"({_clock(BLENDER_MAX_FRAME / fps)} at this rate); split it into shorter pieces"
    )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d} h"


@dataclass
class HandTrack:
    """One hand over T frames.

    transl: (T, 3) world position of the wrist joint, metres in the piano world.
    global_orient: (T, 3) axis-angle of the hand's canonical frame in the piano world.
    hand_pose: (T, 45) axis-angle of joints 1..15, MANO order, zero = flat hand.
    present: (T,) bool, the hand is on screen / being played in this frame.
    joints: (T, 21, 3) world positions of the 16 MANO joints + 5 fingertips, or None.
    """

    transl: np.ndarray
    global_orient: np.ndarray
    hand_pose: np.ndarray
    present: np.ndarray
    joints: np.ndarray | None = None

    @property
    def num_frames(self) -> int:
        return len(self.transl)


@dataclass
class MotionMetadata:
    engine: str
    engine_version: str = ""
    source: str = ""
    seed: int | None = None
    hand_model: str = "builtin"
    checkpoint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class HandMotion:
    fps: float
    left: HandTrack
    right: HandTrack
    metadata: MotionMetadata
    notes: np.ndarray = field(default_factory=lambda: np.zeros((0, len(NOTE_COLUMNS))))
    substitutions: np.ndarray = field(
        default_factory=lambda: np.zeros((0, len(SUBSTITUTION_COLUMNS)))
    )

    @property
    def num_frames(self) -> int:
        return self.right.num_frames

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps

    def hand(self, side: str) -> HandTrack:
        if side not in HANDS:
            raise ValueError(f"hand must be one of {HANDS}, got {side!r}")
        return getattr(self, side)

    def validate(self, origin: str = "HandMotion") -> None:
        """Raise MotionFormatError unless shapes, dtypes and values are consistent."""
        fps = self.fps
        if not (FPS_RANGE[0] <= fps <= FPS_RANGE[1]):  # NaN fails too
            raise MotionFormatError(
                f"{origin}: fps must be between {FPS_RANGE[0]:g} and {FPS_RANGE[1]:g}, got {fps}"
            )
        frames = self.right.num_frames
        if not 1 <= frames <= MAX_FRAMES:
            raise MotionFormatError(f"{origin}: {frames} frames (expected 1..{MAX_FRAMES})")
        for side in HANDS:
            _validate_track(self.hand(side), frames, f"{origin}: {side} hand")
        _validate_notes(np.asarray(self.notes), origin)
        _validate_substitutions(np.asarray(self.substitutions), np.asarray(self.notes), origin)
        _validate_metadata(self.metadata, origin)


def _validate_notes(notes: np.ndarray, origin: str) -> None:
    if notes.ndim != 2 or notes.shape[1] != len(NOTE_COLUMNS) or notes.dtype.kind not in "fiu":
        raise MotionFormatError(
            f"{origin}: notes must be a numeric (N, {len(NOTE_COLUMNS)}) table, got shape "
            f"{notes.shape} of {notes.dtype}"
        )
    if not np.isfinite(notes).all():
        raise MotionFormatError(f"{origin}: notes contain NaN or infinite values")
    pitch, onset, offset, velocity, hand, finger = notes.T
    problems = {
        f"pitch outside {PITCH_RANGE[0]}..{PITCH_RANGE[1]}": (pitch < PITCH_RANGE[0])
        | (pitch > PITCH_RANGE[1])
        | (pitch % 1 != 0),
        "negative onset": onset < 0,
        "offset not after onset": offset <= onset,
        "velocity outside 0..127": (velocity < 0) | (velocity > 127),
        "hand not -1, 0 or 1": ~np.isin(hand, (-1, 0, 1)),
        "finger not 0..5": ~np.isin(finger, (0, 1, 2, 3, 4, 5)),
    }
    for problem, bad in problems.items():
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise MotionFormatError(f"{origin}: note {row} has {problem}: {notes[row].tolist()}")


def _validate_substitutions(table: np.ndarray, notes: np.ndarray, origin: str) -> None:
    columns = len(SUBSTITUTION_COLUMNS)
    if table.ndim != 2 or table.shape[1] != columns or table.dtype.kind not in "fiu":
        raise MotionFormatError(
            f"{origin}: substitutions must be a numeric (K, {columns}) table, got shape "
            f"{table.shape} of {table.dtype}"
        )
    if not np.isfinite(table).all():
        raise MotionFormatError(f"{origin}: substitutions contain NaN or infinite values")
    row, finger, time = table.T
    valid_row = (row % 1 == 0) & (row >= 0) & (row < len(notes))
    note = notes[np.where(valid_row, row, 0).astype(np.int64)] if len(notes) else None
    problems = {"no note of that row": ~valid_row}
    if note is not None:
        problems |= {
            "a note no hand plays": note[:, 4] < 0,
            "a finger not 1..5 or the note's own": ~np.isin(finger, (1, 2, 3, 4, 5))
            | (finger == note[:, 5]),
            "a time outside the note": (time <= note[:, 1]) | (time >= note[:, 2]),
            "a note substituted twice": np.isin(row, _repeated(row)),
        }
    for problem, bad in problems.items():
        if bad.any():
            index = int(np.flatnonzero(bad)[0])
            raise MotionFormatError(
                f"{origin}: substitution {index} has {problem}: {table[index].tolist()}"
            )


def _repeated(values: np.ndarray) -> np.ndarray:
    ordered = np.sort(values)
    return ordered[1:][np.diff(ordered) == 0]


def _validate_metadata(metadata: MotionMetadata, origin: str) -> None:
    if not isinstance(metadata.extra, dict):
        raise MotionFormatError(
            f"{origin}: metadata 'extra' must be an object, got {type(metadata.extra).__name__}"
        )
    rest = metadata.extra.get(REST_JOINTS_KEY)
    if rest is not None and (problem := rest_joints_problem(rest)):
        raise MotionFormatError(f"{origin}: metadata {REST_JOINTS_KEY} {problem}")


def _validate_track(track: HandTrack, frames: int, origin: str) -> None:
    for name, tail in _TRACK_SHAPES.items():
        value = getattr(track, name)
        if value is None and name == "joints":
            continue
        value = np.asarray(value)
        if value.shape != (frames, *tail):
            raise MotionFormatError(
                f"{origin}: {name} has shape {value.shape}, expected {(frames, *tail)}"
            )
        if name == "present":
            if value.dtype != np.bool_:
                raise MotionFormatError(f"{origin}: present must be bool, got {value.dtype}")
        elif not np.issubdtype(value.dtype, np.floating):
            raise MotionFormatError(f"{origin}: {name} must be floating point, got {value.dtype}")
        elif not np.isfinite(value).all():
            raise MotionFormatError(f"{origin}: {name} contains NaN or infinite values")


def save_motion(motion: HandMotion, path: str | os.PathLike) -> Path:
    """Validate and write atomically (temp file + rename): no half-written file on failure."""
    path = Path(path)
    motion.validate(str(path))
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT_NAME),
        "version": np.array(FORMAT_VERSION),
        "fps": np.array(float(motion.fps)),
        "notes": np.asarray(motion.notes, dtype=np.float64),
        "substitutions": np.asarray(motion.substitutions, dtype=np.float64),
        "metadata_json": np.array(json.dumps(_metadata_to_dict(motion.metadata))),
    }
    for side in HANDS:
        track = motion.hand(side)
        for name in _TRACK_SHAPES:
            value = getattr(track, name)
            if value is not None:
                dtype = np.bool_ if name == "present" else np.float32
                arrays[f"{side}_{name}"] = np.asarray(value, dtype=dtype)
    with atomic_file(path) as staging, open(staging, "wb") as handle:
        np.savez_compressed(handle, **arrays)
    return path


def load_motion(path: str | os.PathLike) -> HandMotion:
    """Read and validate a HandMotion file; any problem is one MotionFormatError line.

    Every array's npy header is checked against the layout before any array is read, so a
    header claiming absurd sizes is refused instead of allocated.
    """
    path = Path(path)
    if path.is_dir():
        raise MotionFormatError(f"{path}: is a directory, not a HandMotion file")
    if not path.is_file():
        raise MotionFormatError(f"{path}: no such HandMotion file")
    try:
        with zipfile.ZipFile(path) as archive:
            headers = _read_headers(archive)
            _check_headers(headers, str(path))
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in headers if key in _KNOWN_ARRAYS}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, MotionFormatError):
            raise
        raise MotionFormatError(f"{path}: not a readable .npz HandMotion file ({exc})") from exc
    motion = _motion_from_arrays(arrays, str(path))
    motion.validate(str(path))
    return motion


_KNOWN_ARRAYS = frozenset(
    {"format", "version", "fps", "notes", "substitutions", "metadata_json"}
    | {f"{side}_{name}" for side in HANDS for name in _TRACK_SHAPES}
)


def _read_headers(archive: zipfile.ZipFile) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """(shape, dtype) of each .npy member, from its header alone."""
    headers = {}
    for name in archive.namelist():
        if not name.endswith(".npy"):
            continue
        with archive.open(name) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                raise ValueError(f"{name}: npy format version {version} is not supported")
        headers[name[: -len(".npy")]] = (shape, dtype)
    return headers


def _check_headers(headers: dict[str, tuple[tuple[int, ...], np.dtype]], origin: str) -> None:
    """Refuse shapes outside the layout and sizes no real take has, before reading data."""
    if "right_transl" not in headers:  # the frame count every other shape follows
        if "format" not in headers:
            raise MotionFormatError(f"{origin}: not a HandMotion file (no '{FORMAT_NAME}' marker)")
        raise MotionFormatError(f"{origin}: missing arrays right_transl")
    frames = headers["right_transl"][0][:1] or (0,)
    if not 0 < frames[0] <= MAX_FRAMES:
        raise MotionFormatError(
            f"{origin}: right_transl claims {frames[0]} frames (expected 1..{MAX_FRAMES})"
        )
    expected = {"format": (), "version": (), "fps": (), "metadata_json": ()}
    expected |= {f"{side}_{name}": (*frames, *tail) for side in HANDS
                 for name, tail in _TRACK_SHAPES.items()}  # fmt: skip
    tables = {"notes": len(NOTE_COLUMNS), "substitutions": len(SUBSTITUTION_COLUMNS)}
    for key, (shape, dtype) in headers.items():
        if key in tables:
            if len(shape) != 2 or shape[0] > MAX_NOTES or shape[1] != tables[key]:
                raise MotionFormatError(
                    f"{origin}: {key} has shape {shape}, expected (N<={MAX_NOTES}, {tables[key]})"
                )
        elif key in expected and shape != expected[key]:
            raise MotionFormatError(f"{origin}: {key} has shape {shape}, expected {expected[key]}")
        if key in _KNOWN_ARRAYS and (dtype.hasobject or dtype.itemsize > MAX_TEXT_BYTES):
            raise MotionFormatError(f"{origin}: {key} has an unsupported type {dtype}")


def _scalar(arrays: dict[str, np.ndarray], key: str, origin: str, kinds: str) -> Any:
    """A 0-d array's value, if its dtype kind is one of `kinds` (e.g. "iu" or "fiu")."""
    value = arrays[key]
    if value.shape != () or value.dtype.kind not in kinds:
        raise MotionFormatError(
            f"{origin}: {key} must be a single number, got {value.dtype} of shape {value.shape}"
            + (f" ({str(value)[:40]!r})" if value.dtype.kind in "US" else "")
        )
    return value.item()


def _motion_from_arrays(arrays: dict[str, np.ndarray], origin: str) -> HandMotion:
    marker = arrays.get("format")
    if marker is None or marker.shape != () or str(marker) != FORMAT_NAME:
        raise MotionFormatError(f"{origin}: not a HandMotion file (no '{FORMAT_NAME}' marker)")
    if "version" not in arrays:
        raise MotionFormatError(f"{origin}: missing arrays version")
    version = _scalar(arrays, "version", origin, "iu")
    if version != FORMAT_VERSION:
        raise MotionFormatError(
            f"{origin}: HandMotion version {version} is not supported (this reader: "
            f"{FORMAT_VERSION})"
        )
    missing = [
        f"{side}_{name}"
        for side in HANDS
        for name in _TRACK_SHAPES
        if name != "joints" and f"{side}_{name}" not in arrays
    ]
    missing += [key for key in ("fps", "notes", "metadata_json") if key not in arrays]
    if missing:
        raise MotionFormatError(f"{origin}: missing arrays {', '.join(missing)}")
    try:
        metadata = _metadata_from_dict(json.loads(str(arrays["metadata_json"])))
    except (json.JSONDecodeError, TypeError) as exc:
        raise MotionFormatError(f"{origin}: metadata is not valid JSON ({exc})") from exc
    tracks = {
        side: HandTrack(**{name: arrays.get(f"{side}_{name}") for name in _TRACK_SHAPES})
        for side in HANDS
    }
    return HandMotion(
        fps=float(_scalar(arrays, "fps", origin, "fiu")),
        left=tracks["left"],
        right=tracks["right"],
        metadata=metadata,
        notes=arrays["notes"],
        substitutions=arrays.get(
            "substitutions", np.zeros((0, len(SUBSTITUTION_COLUMNS)))
        ),  # files written before substitutions existed have none
    )


def _metadata_to_dict(metadata: MotionMetadata) -> dict[str, Any]:
    return {
        "engine": metadata.engine,
        "engine_version": metadata.engine_version,
        "source": metadata.source,
        "seed": metadata.seed,
        "hand_model": metadata.hand_model,
        "checkpoint": metadata.checkpoint,
        "extra": metadata.extra,
    }


def _metadata_from_dict(data: dict[str, Any]) -> MotionMetadata:
    if not isinstance(data, dict) or "engine" not in data:
        raise TypeError("metadata must be an object with an 'engine' field")
    known = {k: data[k] for k in _metadata_to_dict(MotionMetadata(engine="")) if k in data}
    return MotionMetadata(**known)
