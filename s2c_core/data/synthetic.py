"""A synthetic PianoMotion10M: audio rendered from MIDI files, motion from the MIDI engine.

Written in exactly the official layout (S2C_REFERENCE §1.1-1.2), so `PianoMotionDataset`,
training and evaluation run unchanged on it:

    annotation/<up>/<BV>/<BV>_seq_NNNN.json   right/left: (N, 62) frames, fps 30, adjust,
                                              bv, start_frame
    audio/<up>/<BV>/<BV>_seq_NNNN.mp3         16 kHz mono MP3 (libsndfile's LAME encoder)
    midi/<up>/<BV>.mid                        the source file, copied
    train.txt / valid.txt / test.txt          "<up> <BV>" per line

One MIDI file is one "video"; it is cut into back-to-back sequences of `seconds_per_sequence`
and a remainder shorter than that is dropped. Frames use the PianoMotion10M camera convention
(left hand as the mirrored right-hand model) through `motion_to_pm10m`; `adjust` is zero
because the engine's placement already puts the hands at PianoMotion10M's depth. The split is
by video, so no piece appears in two splits.
"""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from ..engines.midi.engine import generate_from_midi
from ..hand.rig import builtin_rig
from ..music.audio import SAMPLE_RATE
from ..music.render import Backend, render_midi
from ..pm10m import motion_to_pm10m
from .pianomotion import DEFAULT_UP_LIST, SPLITS, TARGET_FPS, WINDOW_SECONDS

log = logging.getLogger(__name__)

MIDI_SUFFIXES = (".mid", ".midi")
SPLIT_SEED = 0  # fixed, so the same MIDI folder always gives the same split

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SyntheticOptions:
    uploader: str = DEFAULT_UP_LIST[0]  # a default `up_list` id, so the reader keeps it
    seconds_per_sequence: float = 20.0
    render: Backend = "auto"
    valid_share: float = 0.1
    test_share: float = 0.1


@dataclass(frozen=True)
class Video:
    midi: Path
    bv: str


def make_dataset(
    midi_dir: Path,
    out: Path,
    options: SyntheticOptions | None = None,
    progress: Progress | None = None,
) -> dict[str, list[str]]:
    """Write the dataset to `out` (which must not exist) and return {split: [BV, ...]}.

    Everything is written into a temporary sibling folder that is renamed to `out` at the
    end, so `out` is either complete or absent.
    """
    options = options or SyntheticOptions()
    _check_options(options)
    if out.exists():
        raise FileExistsError(f"{out}: already exists (choose a new output folder)")
    videos = list_videos(midi_dir)
    splits = split_videos([v.bv for v in videos], options.valid_share, options.test_share)
    report = progress or (lambda done, total, message: None)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for index, video in enumerate(videos):
            count = write_video(staging, video, options)
            report(index + 1, len(videos), f"{video.midi.name}: {count} sequences")
        for split in SPLITS:
            lines = "".join(f"{options.uploader} {bv}\n" for bv in splits[split])
            (staging / f"{split}.txt").write_text(lines)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return splits


def _check_options(options: SyntheticOptions) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", options.uploader):
        raise ValueError(f"uploader id {options.uploader!r} must be letters, digits, _ or -")
    if options.seconds_per_sequence <= 0:
        raise ValueError("seconds per sequence must be positive")
    if options.seconds_per_sequence < WINDOW_SECONDS:
        log.warning(
            "sequences of %.1f s are shorter than the %d s training window; the default "
            "reader will skip them",
            options.seconds_per_sequence,
            WINDOW_SECONDS,
        )
    shares = (options.valid_share, options.test_share)
    if min(shares) < 0 or sum(shares) >= 1:
        raise ValueError("valid and test shares must be >= 0 and leave a share for training")


def list_videos(midi_dir: Path) -> list[Video]:
    """Sorted MIDI files of `midi_dir`, each with a unique BV-like id from its name."""
    if not midi_dir.is_dir():
        raise FileNotFoundError(f"{midi_dir}: not a folder of MIDI files")
    files = sorted(p for p in midi_dir.iterdir() if p.suffix.lower() in MIDI_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"{midi_dir}: no .mid/.midi files")
    # ids must not contain spaces (split lines are "<up> <BV>"); the index keeps them unique
    return [
        Video(path, f"BVsyn{i:04d}{re.sub(r'[^A-Za-z0-9]', '', path.stem)[:24]}")
        for i, path in enumerate(files)
    ]


def split_videos(bvs: Sequence[str], valid_share: float, test_share: float) -> dict[str, list[str]]:
    """Seeded split by video: a positive share gets at least one video, training keeps one
    (test gives way first, then valid)."""
    order = list(bvs)
    random.Random(SPLIT_SEED).shuffle(order)
    n = len(order)
    n_valid, n_test = (max(1, round(s * n)) if s > 0 else 0 for s in (valid_share, test_share))
    n_test = max(0, min(n_test, n - 1 - n_valid))
    n_valid = max(0, min(n_valid, n - 1 - n_test))
    return {
        "valid": sorted(order[:n_valid]),
        "test": sorted(order[n_valid : n_valid + n_test]),
        "train": sorted(order[n_valid + n_test :]),
    }


def write_video(root: Path, video: Video, options: SyntheticOptions) -> int:
    """Render one MIDI file into its sequences; returns how many were written."""
    audio, _ = render_midi(video.midi, sr=SAMPLE_RATE, backend=options.render)
    right, left = motion_to_pm10m(generate_from_midi(video.midi), builtin_rig("right"))
    seq_frames = round(options.seconds_per_sequence * TARGET_FPS)
    seq_samples = round(options.seconds_per_sequence * SAMPLE_RATE)
    count = min(len(right) // seq_frames, len(audio) // seq_samples)
    if count == 0:
        log.warning("%s: shorter than one %.1f s sequence, skipped", video.midi, seq_frames / 30)
        return 0
    up = options.uploader
    midi_out = root / "midi" / up / f"{video.bv}.mid"
    midi_out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(video.midi, midi_out)
    for k in range(count):
        name = f"{video.bv}_seq_{k:04d}"
        frames = slice(k * seq_frames, (k + 1) * seq_frames)
        annotation = {
            "right": right[frames].tolist(),
            "left": left[frames].tolist(),
            "fps": TARGET_FPS,
            "adjust": [0.0, 0.0, 0.0],
            "bv": video.bv,
            "start_frame": k * seq_frames,
        }
        _write_json(root / "annotation" / up / video.bv / f"{name}.json", annotation)
        clip = audio[k * seq_samples : (k + 1) * seq_samples]
        _write_mp3(root / "audio" / up / video.bv / f"{name}.mp3", clip)
    return count


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def _write_mp3(path: Path, audio: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.asarray(audio, dtype=np.float32), SAMPLE_RATE, format="MP3")
