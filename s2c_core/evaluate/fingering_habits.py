"""Fingering habits a pianist would stop at, counted over a planned take's notes.

Between consecutive single notes of one hand struck within FAST s of each other:
  same_finger     one finger on two different keys (a finger taps at most 6-7 times a
                  second: Aoki, Furuya & Kinoshita 2005; it cannot also move in that time)
  uncomfortable   a finger pair outside Parncutt et al.'s (1997) comfortable range for
                  its interval, and `impractical` outside the practical one (thumb passes,
                  where the thumb goes under the other finger, are left out of both)
Over three such notes stepping (a tone or a semitone each) towards the thumb's side with
a white middle key:
  thumb_returns   the thumb on the first and the last: a finger crossed over the thumb and
                  the thumb passed straight back under it (B4-A4-G4 as 1-2-1)
Over chords the file rolls note by note (engines/midi/groups.with_rolled_chords):
  rolls_out_of_order  fingers not in the keys' order, one hand shape broken up.
Used by benchmarks/bench_fingering_habits.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engines.midi.config import MidiEngineConfig
from ..engines.midi.fingering import (
    BLACK,
    finger_pair_interval,
    within_comfortable_range,
    within_practical_range,
)
from ..engines.midi.groups import group_bounds, onset_groups, with_rolled_chords
from ..engines.midi.split import MAX_FINGERS
from .counts import pooled

FAST = 0.25  # s between consecutive notes
_STEP = 2  # semitones: a tone or a semitone
_CHORD_WINDOW = MidiEngineConfig().chord_window  # the engine's, as it groups chords


@dataclass(frozen=True)
class HabitCounts:
    """Counts over one or more hands' notes; `+` pools them."""

    pairs: int = 0  # consecutive fast single notes on different keys
    same_finger: int = 0
    uncomfortable: int = 0
    impractical: int = 0
    thumb_returns: int = 0
    rolls: int = 0
    rolls_out_of_order: int = 0

    def __add__(self, other: HabitCounts) -> HabitCounts:
        return pooled(self, other)


def hand_habits(pitch: np.ndarray, onset: np.ndarray, finger: np.ndarray, side: str) -> HabitCounts:
    """The habits of one hand's notes (any order; finger 1..5 per note)."""
    order = np.lexsort((pitch, onset))
    pitch, onset, finger = pitch[order], onset[order], finger[order]
    u = (1 if side == "right" else -1) * pitch.astype(np.int64)  # rises towards the 5th
    single = _single_notes(onset)
    pairs = same = uncomfortable = impractical = 0
    for i in range(len(u) - 1):
        if not (single[i] and single[i + 1]) or onset[i + 1] - onset[i] > FAST or u[i] == u[i + 1]:
            continue
        pairs += 1
        f, g = int(finger[i]), int(finger[i + 1])
        if f == g:
            same += 1
        elif not _thumb_pass(f, u[i], g, u[i + 1]):
            uncomfortable += not within_comfortable_range(f, u[i], g, u[i + 1])
            impractical += not within_practical_range(f, u[i], g, u[i + 1])
    returns = _thumb_returns(pitch, onset, finger, u, single)
    rolls, disordered = _rolls(pitch, onset, finger, u)
    return HabitCounts(pairs, same, uncomfortable, impractical, returns, rolls, disordered)


def _single_notes(onset: np.ndarray) -> np.ndarray:
    """(n,) whether no other note of the hand shares the note's onset."""
    _, inverse, counts = np.unique(onset, return_inverse=True, return_counts=True)
    return counts[inverse] == 1


def _thumb_pass(f: int, u: float, g: int, v: float) -> bool:
    """Whether the thumb goes under the other finger between the two notes."""
    low, _, d = finger_pair_interval(f, u, g, v)
    return low == 1 and d < 0


def _thumb_returns(
    pitch: np.ndarray, onset: np.ndarray, finger: np.ndarray, u: np.ndarray, single: np.ndarray
) -> int:
    count = 0
    for i in range(len(u) - 2):
        quick = single[i : i + 3].all() and onset[i + 2] - onset[i] <= 2 * FAST
        steps = (u[i + 1] - u[i], u[i + 2] - u[i + 1])
        towards_thumb = all(-_STEP <= s < 0 for s in steps)
        outer_thumbs = finger[i] == finger[i + 2] == 1 and finger[i + 1] != 1
        count += bool(quick and towards_thumb and outer_thumbs and not BLACK[pitch[i + 1]])
    return count


def _rolls(
    pitch: np.ndarray, onset: np.ndarray, finger: np.ndarray, u: np.ndarray
) -> tuple[int, int]:
    """(rolled chords, of them fingered out of the keys' order)."""
    groups = onset_groups(onset, pitch, _CHORD_WINDOW, MAX_FINGERS)
    merged = with_rolled_chords(groups, onset, pitch, MAX_FINGERS)
    bounds = group_bounds(merged)
    rolls = disordered = 0
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        if len(np.unique(onset[start:end])) < 3:
            continue
        rolls += 1
        by_key = np.argsort(u[start:end])
        disordered += bool(np.any(np.diff(finger[start:end][by_key]) <= 0))
    return rolls, disordered
