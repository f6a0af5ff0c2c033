"""Evaluation windows: the reader's random 8 s crops, plus the notes played in each.

The crops are exactly those of `PianoMotionDataset(split, random_crop=True, adjust=True)`
read in order (S2C_REFERENCE §5.1: one `Random(2014)` stream, `num_workers=0`), so the first
N windows are the same with or without `--limit N`, and identical for every run.

Notes come from the video's `midi/<up>/<BV>.mid`. A sequence starts at frame `start_frame`
of its video (annotation field, 0 when absent) at the annotation's fps, so a window that
begins at crop frame `b` starts at (start_frame + b) / fps seconds into the MIDI. This
alignment is our assumption: the reference never reads the MIDI.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from ..data.pianomotion import HANDS, Annotation, PianoMotionDataset, Sequence, Skipped
from ..music.midi import MidiNotes, MidiReadError, read_midi


@dataclass(frozen=True)
class Targets:
    """One window of both hands in the models' normalised units (pose / pi, transl / scale)."""

    pose: dict[str, np.ndarray]  # per hand (T, 48)
    position: dict[str, np.ndarray]  # per hand (T, 3)


@dataclass(frozen=True)
class EvalWindow:
    key: str  # "<up>/<bv>/<seq>"
    audio: np.ndarray  # (128000,) float32 at 16 kHz
    truth: Targets
    notes: MidiNotes | None  # onsets inside the window, times from its start; None: no MIDI
    start: float  # seconds into the video


class _CropReader(PianoMotionDataset):
    """The reference reader, also remembering where its latest crop began."""

    last_frame_begin = 0

    def _crop_starts(self, ann: Annotation, audio_len: int, need: int) -> tuple[int, int]:
        starts = super()._crop_starts(ann, audio_len, need)
        self.last_frame_begin = starts[0]
        return starts


class WindowSource:
    """The windows of one split, streamed in the reader's order."""

    def __init__(self, root: str | os.PathLike, split: str, limit: int | None = None) -> None:
        self.root = Path(root)
        self._reader = _CropReader(self.root, split, random_crop=True, adjust=True)
        self._by_key = {seq.key: seq for seq in self._reader.sequences}
        self.count = len(self._reader) if limit is None else min(limit, len(self._reader))
        self.midi_problems: list[Skipped] = []

    @property
    def skipped(self) -> list[Skipped]:
        return self._reader.skipped

    def __iter__(self) -> Iterator[EvalWindow]:
        for index in range(self.count):
            item = self._reader[index]
            seq = self._by_key[item["key"]]
            fps, first = _sequence_timing(seq)
            start = (first + self._reader.last_frame_begin) / fps
            truth = Targets(
                pose={hand: item[f"{hand}_pose"] for hand in HANDS},
                position={hand: item[f"{hand}_transl"] for hand in HANDS},
            )
            notes = self._window_notes(seq, start)
            yield EvalWindow(seq.key, item["audio"], truth, notes, start)

    def _window_notes(self, seq: Sequence, start: float) -> MidiNotes | None:
        path = self.root / "midi" / seq.up / f"{seq.bv}.mid"
        if not path.is_file():
            return None
        try:
            notes = _read_midi_once(path)
        except MidiReadError as exc:
            self.midi_problems.append(Skipped(path, str(exc)))
            return None
        return crop_notes(notes, start, self._reader.seconds)


@cache
def _read_midi_once(path: Path) -> MidiNotes:
    """Every sequence of a video shares its MIDI file: parse it once."""
    return read_midi(path)


def _sequence_timing(seq: Sequence) -> tuple[float, int]:
    """(fps, start_frame) of a sequence; the reader has already validated its annotation."""
    data = json.loads(seq.annotation.read_text())
    return float(data["fps"]), int(data.get("start_frame", 0))


def crop_notes(notes: MidiNotes, start: float, seconds: float) -> MidiNotes:
    """Notes with onsets in [start, start + seconds), shifted to the window's clock and cut
    at its end. Notes struck before the window are left out: no onset frame to judge."""
    keep = (notes.onset >= start) & (notes.onset < start + seconds)
    return replace(
        notes,
        pitch=notes.pitch[keep],
        onset=notes.onset[keep] - start,
        offset=np.minimum(notes.offset[keep], start + seconds) - start,
        velocity=notes.velocity[keep],
        track=notes.track[keep],
    )
