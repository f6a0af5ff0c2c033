"""Onset groups: notes struck together (within a short window) form one chord, and so, for
the fingering, do the notes of a chord the file rolls one after another."""

from __future__ import annotations

import numpy as np

_SPREAD = 2.0  # a chord's notes lie within this many windows of its first
# A chord the file itself rolls (arpeggiando written out as notes): each note within this
# many seconds of the one before, one way, a third or more apart, the whole within an
# octave. Mozart's K. 331 Rondo writes its left hand's rolled A2-C#3-E3-A3 with 35 ms
# between the notes; a run of a scale moves by steps, an arpeggio runs on further.
_ROLL_GAP = 0.06
_ROLL_STEP = 3
_ROLL_SPAN = 12


def onset_groups(
    onset: np.ndarray, pitch: np.ndarray, window: float, max_size: int | None = None
) -> np.ndarray:
    """(N,) group id per note, notes sorted by onset; ids count up from 0 in time order.

    A group starts at its first onset and takes each later note within `window` of the
    note before it and within _SPREAD windows of its first, except a second strike of a
    pitch already in the group, or a note beyond `max_size`, which start a new group.
    A played chord's notes spread over tens of milliseconds (the melody leads by about
    30 ms: W. Goebl, "Melody lead in piano performance: expressive device or artifact?",
    JASA 110(1), 2001), so a window measured from the first note alone split chords of
    performed MIDI files in two.
    """
    group = np.empty(len(onset), dtype=np.int64)
    current, start, last, pitches = -1, -np.inf, -np.inf, set()
    limit = max_size or len(onset)
    for i, (t, p) in enumerate(zip(onset.tolist(), pitch.tolist(), strict=True)):
        apart = t - last > window or t - start > _SPREAD * window
        if apart or p in pitches or len(pitches) >= limit:
            current, start, pitches = current + 1, t, set()
        pitches.add(p)
        last = t
        group[i] = current
    return group


def with_rolled_chords(
    group: np.ndarray, onset: np.ndarray, pitch: np.ndarray, max_size: int
) -> np.ndarray:
    """`group` (notes sorted by onset, as onset_groups gives it) with each chord rolled in
    the file merged into one group: three to `max_size` notes struck one after another,
    each within _ROLL_GAP s and at least _ROLL_STEP semitones of the one before, all one
    way, spanning at most _ROLL_SPAN semitones, and no other note in their groups. Such a
    chord is one hand shape, as the chords the engine rolls itself are; onset_groups keeps
    a rolled chord's first notes together and its last apart."""
    merged = group.copy()
    size = np.bincount(group)  # notes per group
    start = 0
    while start < len(onset):
        end = start  # the last note of the roll that begins at `start`
        while end + 1 < len(onset) and _rolls_on(onset, pitch, start, end):
            end += 1
        count, span = end + 1 - start, abs(int(pitch[end]) - int(pitch[start]))
        if 3 <= count <= max_size and span <= _ROLL_SPAN:
            groups = np.unique(group[start : end + 1])
            if size[groups].sum() == count:  # no other note in their groups
                merged[start : end + 1] = group[start]
        start = end + 1
    return np.unique(merged, return_inverse=True)[1]  # ids count up from 0 again


def _rolls_on(onset: np.ndarray, pitch: np.ndarray, start: int, end: int) -> bool:
    """Whether note end + 1 continues the roll of notes start..end."""
    step = int(pitch[end + 1]) - int(pitch[end])
    gap = onset[end + 1] - onset[end]
    if not (0.0 < gap <= _ROLL_GAP and abs(step) >= _ROLL_STEP):
        return False
    return end == start or step * (int(pitch[end]) - int(pitch[end - 1])) > 0


def group_bounds(group: np.ndarray) -> np.ndarray:
    """(G + 1,) start index of each group in a group-sorted array, plus the end."""
    return np.flatnonzero(np.diff(group, prepend=-1, append=-1) != 0)
