"""Onset groups: notes struck together (within a short window) form one chord."""

from __future__ import annotations

import numpy as np


def onset_groups(
    onset: np.ndarray, pitch: np.ndarray, window: float, max_size: int | None = None
) -> np.ndarray:
    """(N,) group id per note, notes sorted by onset; ids count up from 0 in time order.

    A group starts at its first onset and takes every later note within `window` of it,
    except a second strike of a pitch already in the group, or a note beyond `max_size`,
    which start a new group.
    """
    group = np.empty(len(onset), dtype=np.int64)
    current, start, pitches = -1, -np.inf, set()
    limit = max_size or len(onset)
    for i, (t, p) in enumerate(zip(onset.tolist(), pitch.tolist(), strict=True)):
        if t - start > window or p in pitches or len(pitches) >= limit:
            current, start, pitches = current + 1, t, set()
        pitches.add(p)
        group[i] = current
    return group


def group_bounds(group: np.ndarray) -> np.ndarray:
    """(G + 1,) start index of each group in a group-sorted array, plus the end."""
    return np.flatnonzero(np.diff(group, prepend=-1, append=-1) != 0)
