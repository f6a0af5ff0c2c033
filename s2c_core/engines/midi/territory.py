"""Where the other hand is: for each note, the nearest key the other hand holds (or strikes
with it) on this hand's thumb side, so the fingering can keep the hands off each other's
keys."""

from __future__ import annotations

import numpy as np

_CHUNK = 256  # notes compared at a time with the keys down then: memory stays bounded


def other_hand_neighbour(
    pitch: np.ndarray, onset: np.ndarray, offset: np.ndarray, hand: np.ndarray, window: float
) -> np.ndarray:
    """(N,) pitch of the other hand's key nearest on each note's thumb side (below a
    right-hand note, above a left-hand one) that is down when the note is struck (struck up
    to `window` s after it, released after it); NaN where there is none or the note has no
    hand. Crossed keys (the other hand's keys beyond the little finger) do not count."""
    neighbour = np.full(len(pitch), np.nan)
    by_onset = np.argsort(onset, kind="stable")
    for first in range(0, len(pitch), _CHUNK):
        rows = by_onset[first : first + _CHUNK]
        near = np.flatnonzero((onset <= onset[rows].max() + window) & (offset > onset[rows].min()))
        if not len(near):
            continue
        down = (onset[near] <= onset[rows, None] + window) & (offset[near] > onset[rows, None])
        down &= hand[near] == 1 - hand[rows, None]
        # Signed distance towards the thumb: positive below a right-hand note, above a left's.
        towards_thumb = np.where(hand[rows, None] == 1, 1, -1) * (pitch[rows, None] - pitch[near])
        distance = np.where(down & (towards_thumb > 0), towards_thumb, np.inf)
        nearest = distance.argmin(axis=1)
        found = np.isfinite(distance[np.arange(len(rows)), nearest])  # none for hand -1
        neighbour[rows] = np.where(found, pitch[near[nearest]], np.nan)
    return neighbour
