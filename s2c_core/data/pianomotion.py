"""PianoMotion10M reader in the official layout, as the reference loader consumes it.

Layout (S2C_REFERENCE §1.1): `annotation/<up>/<BV>/<BV>_seq_NNNN.json`,
`audio/<up>/<BV>/<BV>_seq_NNNN.mp3`, `midi/<up>/<BV>.mid` (never read: the reference ignores
MIDI), and `train.txt` / `valid.txt` / `test.txt` with one "<up_id> <BVid>" per line.

Mirrors `S2C:datasets/PianoPose.py` (non-preload path, `--adjust`, betas dropped):
- one `random.Random(2014)` shuffles the split's lines at construction and then draws every
  random crop in `__getitem__` order, exactly the stream the reference's `random.seed(2014)`
  gives. Use `num_workers=0` to reproduce the reference's crops: each worker process copies
  the generator.
- `up_list` keeps the videos of those uploaders; default the two the paper uses (§1.5).
- random crop: `frame_begin = randint(0, min(N, floor(audio_s * fps)) - 8 * fps)` and the
  PROPORTIONAL audio offset `ceil(len(audio) * frame_begin / N)`; fixed crop: the first 8 s
  of frames and of audio (S2C, not PM's whole sequence).
- `adjust[1:3]` is added to ty, tz; a non-30 fps crop is linearly resampled to 240 frames
  with `F.interpolate(mode='linear')`, i.e. half-pixel sampling (align_corners=False).

Choices where the reference is silent or crashes (S2C_REFERENCE §8.13): sequences are listed
in sorted order inside a video (the reference uses `os.listdir` order); a fractional
`fps * 8` is rounded; files that are corrupt, incomplete or too short for one window are
logged, listed in `skipped` and left out, never silently; if rounding leaves the audio crop
a few samples short it is padded with silence (the reference would fail to collate).
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from ..music.audio import SAMPLE_RATE, AudioReadError, audio_duration, load_audio
from ..pm10m import FRAME_SIZE, apply_adjust, normalise

log = logging.getLogger(__name__)

SPLITS = ("train", "valid", "test")
DEFAULT_UP_LIST = ("1467634", "66685747")
# Broken upstream; S2C:datasets/PianoPose.py:48-49 drops it by name.
EXCLUDED = frozenset({"676539782/BV1QY411T7Xg/BV1QY411T7Xg_seq_0003"})
SHUFFLE_SEED = 2014
TARGET_FPS = 30
WINDOW_SECONDS = 8
HANDS = ("right", "left")


class SequenceError(ValueError):
    """A sequence that cannot give one window; the message is the reason."""


@dataclass(frozen=True)
class Sequence:
    """One annotated sequence: `<up>/<bv>/<name>` under annotation/ (.json) and audio/ (.mp3)."""

    root: Path
    up: str
    bv: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.up}/{self.bv}/{self.name}"

    @property
    def annotation(self) -> Path:
        return self.root / "annotation" / self.up / self.bv / f"{self.name}.json"

    @property
    def audio(self) -> Path:
        return self.root / "audio" / self.up / self.bv / f"{self.name}.mp3"


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass(frozen=True)
class Annotation:
    right: np.ndarray  # (N, 62)
    left: np.ndarray  # (N, 62)
    fps: float
    adjust: np.ndarray

    @property
    def frames(self) -> int:
        return len(self.right)


def read_annotation(path: Path) -> Annotation:
    """Parse and check one annotation JSON; SequenceError says what is wrong."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SequenceError(f"unreadable annotation ({exc})") from exc
    if not isinstance(data, dict):
        raise SequenceError(f"annotation is a JSON {type(data).__name__}, not an object")
    missing = [k for k in ("right", "left", "fps", "adjust") if k not in data]
    if missing:
        raise SequenceError(f"annotation lacks {', '.join(missing)}")
    try:
        hands = [np.asarray(data[side], dtype=np.float64) for side in HANDS]
        fps, adjust = float(data["fps"]), np.asarray(data["adjust"], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SequenceError(f"malformed annotation values ({exc})") from exc
    right, left = hands
    if right.ndim != 2 or right.shape[1] != FRAME_SIZE or right.shape != left.shape:
        shapes = f"{right.shape} and {left.shape}"
        raise SequenceError(f"right/left must be equal-length (N, {FRAME_SIZE}), got {shapes}")
    if not fps > 0 or adjust.ndim != 1 or adjust.size < 3:
        raise SequenceError(f"bad fps {data['fps']!r} or adjust {data['adjust']!r}")
    return Annotation(right, left, fps, adjust)


def crop_frames(fps: float, seconds: float = WINDOW_SECONDS) -> int:
    """Annotation frames in one window at the file's own fps (rounded for fractional fps)."""
    return round(seconds * fps)


def usable_frames(frames: int, audio_samples: float, fps: float) -> int:
    """Frames a crop may cover: the reference's min(N, floor(audio seconds * fps))."""
    return min(frames, math.floor(audio_samples / SAMPLE_RATE * fps))


def read_split(root: Path, split: str, rng: random.Random) -> list[tuple[str, str]]:
    """(up, bv) pairs of `<split>.txt`, shuffled like the reference (raw lines, then parsed)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    path = root / f"{split}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: split list not found (is {root} a PianoMotion10M root?)")
    lines = path.read_text().splitlines()
    rng.shuffle(lines)  # before dropping blanks, so the permutation matches the reference
    pairs = []
    for line in filter(str.strip, lines):
        fields = line.split()
        if len(fields) != 2:
            raise ValueError(f"{path}: expected '<up_id> <BVid>', got {line!r}")
        pairs.append((fields[0], fields[1]))
    return pairs


def resample_like_reference(frames: np.ndarray, count: int) -> np.ndarray:
    """(N, C) -> (count, C) as `F.interpolate(mode='linear')` (half-pixel, no corner align).

    `pm10m.resample_frames` aligns the end frames instead; the reference samples at
    (i + 0.5) * N / count - 0.5, so a 60 fps crop becomes the means of frame pairs.
    """
    x = torch.from_numpy(np.ascontiguousarray(frames.T))[None]
    return F.interpolate(x, size=count, mode="linear").numpy()[0].T


class PianoMotionDataset(Dataset):
    """8 s windows of PianoMotion10M: audio and per-hand normalised targets.

    Each item is a dict: `audio` (128000,) float32 at 16 kHz; per hand (`right_`, `left_`)
    `pose` (240, 48) = [global_orient, hand_pose] / pi, `transl` (240, 3) = (transl with
    adjust) / [1.5, 1.5, 25], `flag` (240,) the annotation's valid flag (fractional where
    resampled); and `key` "<up>/<bv>/<seq>". `skipped` lists the sequences left out.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        split: str = "train",
        up_list: Iterable[str] | None = DEFAULT_UP_LIST,
        random_crop: bool = True,
        adjust: bool = True,
        seed: int = SHUFFLE_SEED,
        seconds: int = WINDOW_SECONDS,
    ) -> None:
        self.root = Path(root)
        self.random_crop, self.adjust, self.seconds = random_crop, adjust, seconds
        self.frames = seconds * TARGET_FPS
        self.samples = seconds * SAMPLE_RATE
        self.skipped: list[Skipped] = []
        self._failed: set[Sequence] = set()
        self._rng = random.Random(seed)
        uploaders = set(up_list or ())  # empty or None keeps all, as in the reference
        self.sequences = [
            seq
            for up, bv in read_split(self.root, split, self._rng)
            if not uploaders or up in uploaders
            for seq in self._list_video(up, bv)
            if self._usable(seq)
        ]

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, index: int) -> dict:
        # A file that passed the header checks can still fail to decode: report it and give
        # the next usable sequence, so an epoch never dies on one bad file.
        for offset in range(len(self.sequences)):
            seq = self.sequences[(index + offset) % len(self.sequences)]
            if seq in self._failed:
                continue
            try:
                return self._window(seq)
            except (SequenceError, AudioReadError) as exc:
                self._failed.add(seq)
                self._skip(seq.annotation, str(exc))
        raise RuntimeError(f"{self.root}: no usable sequence left (see `skipped`)")

    def _list_video(self, up: str, bv: str) -> list[Sequence]:
        folder = self.root / "annotation" / up / bv
        if not folder.is_dir():
            self._skip(folder, "video listed in the split has no annotation folder")
            return []
        return [Sequence(self.root, up, bv, p.stem) for p in sorted(folder.glob("*.json"))]

    def _usable(self, seq: Sequence) -> bool:
        """Header-level checks, so bad files are reported before training starts."""
        if seq.key in EXCLUDED:
            self._skip(seq.annotation, "excluded by the reference (broken upstream)")
            return False
        try:
            ann = read_annotation(seq.annotation)
            duration = audio_duration(seq.audio)
        except (SequenceError, AudioReadError) as exc:
            self._skip(seq.annotation, str(exc))
            return False
        need = crop_frames(ann.fps, self.seconds)
        have = usable_frames(ann.frames, duration * SAMPLE_RATE, ann.fps)
        if have < need:
            self._skip(seq.annotation, f"too short: {have} usable frames < {need} for one window")
            return False
        return True

    def _skip(self, path: Path, reason: str) -> None:
        log.warning("%s: skipped: %s", path, reason)
        self.skipped.append(Skipped(path, reason))

    def _window(self, seq: Sequence) -> dict:
        ann = read_annotation(seq.annotation)
        audio = load_audio(seq.audio, sr=SAMPLE_RATE)
        need = crop_frames(ann.fps, self.seconds)
        frame_begin, audio_begin = self._crop_starts(ann, len(audio), need)
        clip = audio[audio_begin : audio_begin + self.samples]
        item: dict = {
            "key": seq.key,
            "audio": np.pad(clip, (0, self.samples - len(clip))).astype(np.float32),
        }
        for side in HANDS:
            frames = getattr(ann, side)[frame_begin : frame_begin + need]
            item.update(self._targets(frames, ann, side))
        return item

    def _crop_starts(self, ann: Annotation, audio_len: int, need: int) -> tuple[int, int]:
        if not self.random_crop:
            return 0, 0
        last = usable_frames(ann.frames, audio_len, ann.fps) - need
        if last < 0:
            raise SequenceError(f"decoded audio too short ({audio_len} samples)")
        frame_begin = self._rng.randint(0, last)
        # The reference's operation order, (begin / N) first: it decides ceil at exact ties.
        return frame_begin, math.ceil(audio_len * (frame_begin / ann.frames))

    def _targets(self, frames: np.ndarray, ann: Annotation, side: str) -> dict:
        if self.adjust:
            frames = apply_adjust(frames, ann.adjust)
        if ann.fps != TARGET_FPS:
            frames = resample_like_reference(frames, self.frames)
        pose, transl = normalise(frames)
        return {
            f"{side}_pose": pose.astype(np.float32),
            f"{side}_transl": transl.astype(np.float32),
            f"{side}_flag": frames[:, 0].astype(np.float32),
        }
