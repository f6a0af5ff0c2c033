"""Chords wider than one hand can span: rolled (arpeggiated) from the bottom up.

The hand split already hands a wide chord's notes to the other hand where it can; what is
left in one hand beyond `roll_span` (or, with inner notes, beyond `grip_span`) is rolled as
a pianist rolls a chord too wide to grip (arpeggiando): every note in turn from the bottom,
evenly, the top one `roll_step` after the lowest (within half the time to the hand's next
chord, so the roll never runs into it), and fingered as one chord (engine.py), so
its fingers rise with the pitch and the hand opens out over the roll, letting go of the
keys it leaves behind (holding.py). `grip_span` is measured on the built-in hand: with
thumb and fifth finger an octave apart its inner fingers missed their (black) keys by 3-7 mm
(stress corpus "chords", 5-note octave chords and ninths), a bare octave they grip.

Why note by note: struck in parts that each fit the grip, a part's fingers could not both
rise across the roll and grip it at once (F4 Ab4 C#5 | F5 came out 1-2-4 | 1; see
docs/performance.md, session 8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...music.keyboard import Keyboard
from .config import MidiEngineConfig
from .groups import group_bounds

_MIN_SOUNDING = 0.03  # s a rolled note keeps sounding when its delay reaches its offset
# A roll ends within this share of the time to the same hand's next chord, so that chord is
# still struck as a chord of its own after the hand has finished the roll.
_ROLL_SHARE_OF_GAP = 0.5


@dataclass(frozen=True)
class RolledChords:
    onset: np.ndarray  # (N,) onsets after rolling
    offset: np.ndarray  # (N,) offsets, lengthened where a delay would have swallowed a note
    chords: int  # how many chords were rolled
    notes: int  # how many notes were delayed


def roll_wide_chords(
    pitch: np.ndarray,
    onset: np.ndarray,
    offset: np.ndarray,
    hand: np.ndarray,
    group: np.ndarray,
    keyboard: Keyboard,
    config: MidiEngineConfig,
) -> RolledChords:
    x = keyboard.x_center(pitch)
    delay = np.zeros(len(pitch))
    chords = 0
    order = np.lexsort((pitch, hand, group))  # per group and hand, low to high
    key = group[order] * 3 + hand[order] + 1  # hand -1 (unplayed) gets its own key
    bounds = group_bounds(key)
    hand_onsets = {h: np.sort(onset[hand == h]) for h in np.unique(hand)}
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        notes = order[start:end]
        if hand[notes[0]] < 0 or x[notes[-1]] - x[notes[0]] <= _span_limit(len(notes), config):
            continue
        gap = _time_to_next_onset(hand_onsets[hand[notes[0]]], onset[notes].max())
        delay[notes] = np.linspace(0.0, min(config.roll_step, _ROLL_SHARE_OF_GAP * gap), len(notes))
        chords += 1
    new_onset = onset + delay
    new_offset = np.maximum(offset, new_onset + _MIN_SOUNDING)
    return RolledChords(new_onset, new_offset, chords, int((delay > 0).sum()))


def _time_to_next_onset(onsets: np.ndarray, start: float) -> float:
    """Seconds from `start` to the next later of the sorted `onsets` (inf if none)."""
    later = np.searchsorted(onsets, start, side="right")
    return float(onsets[later] - start) if later < len(onsets) else np.inf


def _span_limit(notes: int, config: MidiEngineConfig) -> float:
    """The widest chord of `notes` notes one hand grips: two notes up to `roll_span`, more
    (inner fingers between thumb and fifth) up to `grip_span`."""
    return config.roll_span if notes <= 2 else config.grip_span
