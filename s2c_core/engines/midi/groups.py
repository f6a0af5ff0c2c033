"""Onset groups: notes struck together (within a short window) form one chord."""

from __future__ import annotations

import numpy as np

_SPREAD = 2.0  # a chord's notes lie within this many windows of its first


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


def group_bounds(group: np.ndarray) -> np.ndarray:
    """(G + 1,) start index of each group in a group-sorted array, plus the end."""
    return np.flatnonzero(np.diff(group, prepend=-1, append=-1) != 0)
