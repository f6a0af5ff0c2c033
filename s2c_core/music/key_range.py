"""Notes for a keyboard smaller than 88 keys (61 keys C2..C7, 76 keys E1..G7, ...).

A pianist playing a piece on a smaller keyboard plays the notes beyond its ends an octave
(or more) inside; so do we, keeping each note's pitch class.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .keyboard import HIGHEST_PITCH, LOWEST_PITCH
from .midi import MidiNotes

_OCTAVE = 12


def check_key_range(low: int, high: int) -> None:
    if not (low >= LOWEST_PITCH and high <= HIGHEST_PITCH and high - low >= _OCTAVE - 1):
        raise ValueError(
            f"key range {low}..{high} must lie within {LOWEST_PITCH}..{HIGHEST_PITCH} "
            "and span at least an octave"
        )


def fold_into_range(notes: MidiNotes, low: int, high: int) -> MidiNotes:
    """The notes with every pitch outside low..high moved by whole octaves into it."""
    check_key_range(low, high)
    pitch = np.asarray(notes.pitch, dtype=np.int64)
    up = np.ceil(np.maximum(low - pitch, 0) / _OCTAVE).astype(np.int64)
    down = np.ceil(np.maximum(pitch - high, 0) / _OCTAVE).astype(np.int64)
    return replace(notes, pitch=(pitch + _OCTAVE * (up - down)).astype(notes.pitch.dtype))
