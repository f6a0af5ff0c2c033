"""HandMotion: the one contract between the backend and the Blender add-on.

A versioned `.npz` file (documented in docs/motion_format.md) holding both hands' MANO
parameters in the piano world frame at a fixed frame rate. Reading validates everything, so
a bad file fails here with one line naming it, never halfway through keying a scene.
numpy only: the add-on imports this module inside Blender.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_NAME = "s2c-hands/HandMotion"
FORMAT_VERSION = 1
DEFAULT_FPS = 30.0
HANDS = ("left", "right")
# Columns of the `notes` table: MIDI pitch, onset s, offset s, velocity, hand (0 left,
# 1 right, -1 unassigned), piano finger (1 thumb .. 5 little finger, 0 unknown).
NOTE_COLUMNS = ("pitch", "onset", "offset", "velocity", "hand", "finger")

_TRACK_SHAPES = {
    "transl": (3,),
    "global_orient": (3,),
    "hand_pose": (45,),
    "present": (),
    "joints": (21, 3),
}


class MotionFormatError(ValueError):
    """A HandMotion file is missing, unreadable or inconsistent (message names the file)."""


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
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise MotionFormatError(f"{origin}: fps must be positive, got {self.fps}")
        frames = self.right.num_frames
        for side in HANDS:
            _validate_track(self.hand(side), frames, f"{origin}: {side} hand")
        notes = np.asarray(self.notes)
        if notes.ndim != 2 or notes.shape[1] != len(NOTE_COLUMNS) or not np.isfinite(notes).all():
            raise MotionFormatError(
                f"{origin}: notes must be a finite (N, {len(NOTE_COLUMNS)}) table, "
                f"got shape {notes.shape}"
            )


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
        "metadata_json": np.array(json.dumps(_metadata_to_dict(motion.metadata))),
    }
    for side in HANDS:
        track = motion.hand(side)
        for name in _TRACK_SHAPES:
            value = getattr(track, name)
            if value is not None:
                dtype = np.bool_ if name == "present" else np.float32
                arrays[f"{side}_{name}"] = np.asarray(value, dtype=dtype)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp makes 0600; use the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_motion(path: str | os.PathLike) -> HandMotion:
    """Read and validate a HandMotion file; any problem is one MotionFormatError line."""
    path = Path(path)
    if not path.is_file():
        raise MotionFormatError(f"{path}: no such HandMotion file")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise MotionFormatError(f"{path}: not a readable .npz HandMotion file ({exc})") from exc
    motion = _motion_from_arrays(arrays, str(path))
    motion.validate(str(path))
    return motion


def _motion_from_arrays(arrays: dict[str, np.ndarray], origin: str) -> HandMotion:
    if str(arrays.get("format", "")) != FORMAT_NAME:
        raise MotionFormatError(f"{origin}: not a HandMotion file (no '{FORMAT_NAME}' marker)")
    version = int(arrays.get("version", -1))
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
        fps=float(arrays["fps"]),
        left=tracks["left"],
        right=tracks["right"],
        metadata=metadata,
        notes=arrays["notes"],
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
