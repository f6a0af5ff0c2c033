"""How long a hand really holds each key down (the sound may last longer).

A MIDI note can sound far longer than a hand could keep its key down: pianists let go of
a key, and the pedal or the score's notation keeps it sounding, when the hand must strike
a key further from it than the hand can hold at once, or when the finger on it is needed
for another key.
"""

from __future__ import annotations

import numpy as np

from .wrist import MIN_JERK_PEAK

SHORTEST_HOLD = 0.05  # s a key is held at least, however soon the hand must leave


def release_out_of_reach(
    onset: np.ndarray,
    offset: np.ndarray,
    x: np.ndarray,
    span: float,
    speed: float,
    move_time: float,
) -> np.ndarray:
    """(n,) release times: a key is let go when the hand must strike one further than
    `span`, early enough for the wrist (at most `speed` m/s) to get there by its onset, as
    a pianist leaves a bass note early to leap (the pedal, if any, holds its sound); and
    when that strike is the next, as soon as the wrist sets off for it (`move_time` s
    before it, or earlier for a move faster than `speed`: wrist.move_schedule): let go
    later, the finger on it went straight as the hand left without it (a stride bass's
    chord).

    One hand's notes sorted by onset; x their key centres (m).
    """
    release = offset.copy()
    first_later = np.searchsorted(onset, onset, side="right")
    last_before_release = np.searchsorted(onset, offset + 1.0, side="left")
    for i, (start, stop) in enumerate(zip(first_later, last_before_release, strict=True)):
        distance = np.abs(x[start:stop] - x[i])
        travel = MIN_JERK_PEAK * distance / speed
        # Straight to the next strike, the wrist sets off `move_time` before it at the latest.
        next_strike = onset[start:stop] == onset[min(start, len(onset) - 1)]
        leave = onset[start:stop] - np.where(next_strike, np.maximum(travel, move_time), travel)
        far = np.flatnonzero((distance > span) & (leave < offset[i]))
        if len(far):
            release[i] = min(offset[i], max(leave[far[0]], onset[i] + SHORTEST_HOLD))
    return release


def release_before_restrike(on: np.ndarray, off: np.ndarray, finger: np.ndarray) -> np.ndarray:
    """(n,) last pressed frames: a finger leaves its key the frame before its next strike.

    Notes sorted by onset; on/off pressed frames; never before the onset frame.
    """
    off = off.copy()
    for f in range(1, 6):
        mine = np.flatnonzero(finger == f)
        off[mine[:-1]] = np.maximum(on[mine[:-1]], np.minimum(off[mine[:-1]], on[mine[1:]] - 1))
    return off
