"""Read the notes of a MIDI file as flat numpy arrays (pretty_midi does the parsing).

All non-drum instruments are merged into one note list sorted by (onset, pitch). Each note
keeps the index and name of the track it came from, for benchmarks that compare against a
file's own hand tracks; the engines ignore them unless the user asks otherwise.

Notes are read "sustain-free": a note's offset is when its key is let go, and when a key is
struck again while its previous note still sounds, the earlier note is cut at the new onset (a
key cannot be held down and struck at once). The sustain pedal (CC64) is kept apart, as the
intervals it is down, so that how long a note *sounds* (`sounding_offset`) is known too.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .keyboard import HIGHEST_PITCH, LOWEST_PITCH
from .midi_fingering import prescribed_fingers

# A same-pitch re-strike closer than this to the previous onset is a duplicate, not a note.
_DUPLICATE_ONSET = 1e-3
# CC64 values at or above this hold the dampers off (the General MIDI convention).
_PEDAL_DOWN = 64
# After the last note stops sounding its release (the damper falling, the room's echo)
# still lasts this long; rendered audio and animated takes both run on through it.
RELEASE_TAIL_S = 1.0


class MidiReadError(ValueError):
    """A MIDI file is missing, unreadable or has no playable notes (message names the file)."""


@dataclass(frozen=True)
class MidiNotes:
    """N notes sorted by (onset, pitch); times in seconds."""

    path: Path
    pitch: np.ndarray  # (N,) int MIDI pitch, 21..108
    onset: np.ndarray  # (N,) float
    offset: np.ndarray  # (N,) float, > onset
    velocity: np.ndarray  # (N,) int 1..127
    track: np.ndarray  # (N,) int index into track_names
    track_names: tuple[str, ...]
    dropped_out_of_range: int = 0
    # (P, 2) [down, up] times of the sustain pedal, sorted and disjoint; empty without pedal
    pedal: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    # (N,) finger 1..5 the file prescribes per note (text/marker/lyric events), 0 where none
    finger: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.pitch)

    @property
    def duration(self) -> float:
        return float(self.offset.max())

    @property
    def sounding_offset(self) -> np.ndarray:
        """(N,) when each note stops sounding: its key's release, or the end of the pedal
        interval holding it then, but never past the same key's next onset (a re-strike)."""
        sounding = self.offset.copy()
        if len(self.pedal):
            which = np.searchsorted(self.pedal[:, 0], self.offset, side="right") - 1
            held = (which >= 0) & (self.pedal[np.maximum(which, 0), 1] > self.offset)
            sounding[held] = self.pedal[which[held], 1]
        order = np.lexsort((self.onset, self.pitch))
        same_key = self.pitch[order][1:] == self.pitch[order][:-1]
        next_onset = np.full(len(self), np.inf)
        next_onset[order[:-1][same_key]] = self.onset[order][1:][same_key]
        return np.maximum(self.offset, np.minimum(sounding, next_onset))

    @property
    def sounding_end(self) -> float:
        """When the last note stops sounding, sustain pedal included."""
        return float(self.sounding_offset.max())

    @property
    def end(self) -> float:
        """When the music is over: the last note has stopped sounding and died away."""
        return self.sounding_end + RELEASE_TAIL_S

    def named_hands(self) -> np.ndarray:
        """(N,) hand per note from its track's name: 0 "left", 1 "right", -1 neither."""
        names = [name.lower() for name in self.track_names]
        by_track = [0 if "left" in name else 1 if "right" in name else -1 for name in names]
        return np.array(by_track, dtype=np.int64)[self.track]


def read_midi(path: str | os.PathLike) -> MidiNotes:
    """Notes of all non-drum tracks; raise MidiReadError with a one-line reason otherwise."""
    import pretty_midi

    path = Path(path)
    if not path.is_file():
        raise MidiReadError(f"{path}: no such MIDI file")
    try:
        midi = pretty_midi.PrettyMIDI(str(path))
    except Exception as exc:  # mido/pretty_midi raise many unrelated types for bad bytes
        raise MidiReadError(f"{path}: not a readable MIDI file ({_failure(exc)})") from exc
    names = tuple(inst.name for inst in midi.instruments)
    rows = [
        (note.pitch, note.start, note.end, note.velocity, index)
        for index, inst in enumerate(midi.instruments)
        if not inst.is_drum
        for note in inst.notes
        if note.end > note.start
    ]
    if not rows:
        raise MidiReadError(f"{path}: no pitched notes (the file is empty or drums only)")
    table = np.array(rows, dtype=np.float64)
    in_range = (table[:, 0] >= LOWEST_PITCH) & (table[:, 0] <= HIGHEST_PITCH)
    dropped = int((~in_range).sum())
    if dropped:
        warnings.warn(
            f"{path}: dropped {dropped} note(s) outside the piano range A0..C8", stacklevel=2
        )
    if not in_range.any():
        raise MidiReadError(f"{path}: no notes inside the piano range A0..C8")
    table = _sustain_free(table[in_range])
    pitch, onset = table[:, 0].astype(np.int64), table[:, 1]
    return MidiNotes(
        path=path,
        pitch=pitch,
        onset=onset,
        offset=table[:, 2],
        velocity=table[:, 3].astype(np.int64),
        track=table[:, 4].astype(np.int64),
        track_names=names,
        dropped_out_of_range=dropped,
        pedal=sustain_intervals(midi),
        finger=prescribed_fingers(path, midi, pitch, onset),
    )


def transcribed_notes(
    source: Path, table: np.ndarray, pedal: np.ndarray | Sequence = ()
) -> MidiNotes:
    """Notes a transcriber found, as one "transcription" track sorted by (onset, pitch).

    `table` rows are (pitch, onset s, offset s, velocity); a model's fractional velocity is
    rounded into MIDI's 1..127. `pedal` rows are sustain (down, up) times, in any order.
    """
    table = np.asarray(table, dtype=np.float64).reshape(-1, 4)
    table = table[np.lexsort((table[:, 0], table[:, 1]))]
    pedal = np.asarray(pedal, dtype=np.float64).reshape(-1, 2)
    return MidiNotes(
        path=source,
        pitch=table[:, 0].astype(np.int64),
        onset=table[:, 1],
        offset=table[:, 2],
        velocity=np.clip(np.round(table[:, 3]), 1, 127).astype(np.int64),
        track=np.zeros(len(table), dtype=np.int64),
        track_names=("transcription",),
        pedal=pedal[np.lexsort((pedal[:, 1], pedal[:, 0]))],
    )


def _failure(exc: Exception) -> str:
    """Why pretty_midi gave up, in one short line."""
    import pretty_midi

    text = " ".join(str(exc).split())
    tick = re.search(r"largest tick of (\d+)", text)
    if tick:  # pretty_midi keeps one time per tick, so it refuses files this long
        limit = int(pretty_midi.pretty_midi.MAX_TICK)
        return (
            f"its last event is at tick {int(tick.group(1)):,}, beyond pretty_midi's limit of "
            f"{limit:,} ticks; a real piece this long is rare, so it is taken as corrupt"
        )
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


def sustain_intervals(midi) -> np.ndarray:
    """(P, 2) [down, up] seconds of the sustain pedal (CC64) over all non-drum tracks; a pedal
    still down at the end of the file is released at its last event."""
    events = sorted(
        (change.time, change.value >= _PEDAL_DOWN)
        for inst in midi.instruments
        if not inst.is_drum
        for change in inst.control_changes
        if change.number == 64
    )
    intervals, down_since = [], None
    for time, down in events:
        if down and down_since is None:
            down_since = time
        elif not down and down_since is not None:
            if time > down_since:
                intervals.append((down_since, time))
            down_since = None
    if down_since is not None:
        end = max(midi.get_end_time(), down_since)
        if end > down_since:
            intervals.append((down_since, end))
    return np.array(intervals, dtype=np.float64).reshape(-1, 2)


def _sustain_free(table: np.ndarray) -> np.ndarray:
    """Drop same-pitch duplicates, cut each note at its key's next onset; sort by (onset, pitch).

    table rows: pitch, onset, offset, velocity, track.
    """
    table = table[np.lexsort((table[:, 1], table[:, 0]))]
    same_key = table[1:, 0] == table[:-1, 0]
    duplicate = same_key & (table[1:, 1] - table[:-1, 1] < _DUPLICATE_ONSET)
    table = table[np.concatenate([[True], ~duplicate])]
    same_key = table[1:, 0] == table[:-1, 0]
    cut = same_key & (table[:-1, 2] > table[1:, 1])
    table[:-1, 2] = np.where(cut, table[1:, 1], table[:-1, 2])
    return table[np.lexsort((table[:, 0], table[:, 1]))]
