"""Keep the two hands out of each other: a hand that holds no key makes room.

Each hand is animated by itself, so a hand with nothing to play waits where it last played
while the other may run through that place (a scale of one hand alone passing the other's
resting hand). Pianists keep the hands apart, as far as they can, until just before they
must play where the hands meet (J. Bloom, "Practice Technique 26: Crossing hands second
technique", joebloom.com, 2017, on the first technique): the free hand gives way. Here it
slides sideways, away from the other, just far enough that every joint keeps a finger's
thickness and the palms PALM_CLEARANCE apart, at a relaxed arm's speed, and is back in
place whenever it holds or approaches a key, so no press is touched.
"""

from __future__ import annotations

import numpy as np

from .metrics import FINGER_THICKNESS, PALM_CLEARANCE, PALM_POINTS, joint_gaps

_MARGIN = 0.005  # m more than the least clearance, so that rounding does not touch it
_YIELD_SPEED = 0.5  # m/s a yielding hand slides at (a relaxed arm, well below a leap)


def room_shifts(
    left: np.ndarray, right: np.ndarray, free: tuple[np.ndarray, np.ndarray], fps: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sideways wrist shifts (T,) of the left and the right hand (joints (T, 21, 3)) that
    keep them apart; a hand moves only on its `free` frames (T,) bool (holding and
    approaching no key, both hands present), and eases back before the others."""
    step = _YIELD_SPEED / fps
    left_shift = _shift(left, right, free[0], step)
    moved_left = left + np.column_stack([left_shift, np.zeros((len(left), 2))])[:, None]
    return left_shift, _shift(right, moved_left, free[1], step)


def _shift(mover: np.ndarray, other: np.ndarray, free: np.ndarray, step: float) -> np.ndarray:
    needed = np.zeros(len(mover))
    needed[free] = _sideways_need(mover[free], other[free])
    return _smooth_within(needed, step, ~free)


def _sideways_need(mover: np.ndarray, other: np.ndarray) -> np.ndarray:
    """(T,) signed x shift of `mover` (T, 21, 3) that takes it clear of `other` along the
    side it is on: zero where the hands are already apart."""
    side = np.sign(mover[:, 0, 0] - other[:, 0, 0])
    side[side == 0] = 1.0
    joint_need = _x_overlap(mover, other, side, FINGER_THICKNESS)
    palm_need = _x_overlap(mover[:, PALM_POINTS], other[:, PALM_POINTS], side, PALM_CLEARANCE)
    joints, palms = joint_gaps(mover, other)
    clash = (joints < FINGER_THICKNESS) | (palms < PALM_CLEARANCE)
    return side * np.maximum(joint_need, palm_need) * clash


def _x_overlap(mover: np.ndarray, other: np.ndarray, side: np.ndarray, gap: float) -> np.ndarray:
    """(T,) how far `mover` must go towards `side` (+1 right, -1 left) so that all its
    points are `gap` (plus a margin) beyond all of `other`'s in x."""
    if_right = other[:, :, 0].max(axis=1) + gap + _MARGIN - mover[:, :, 0].min(axis=1)
    if_left = mover[:, :, 0].max(axis=1) + gap + _MARGIN - other[:, :, 0].min(axis=1)
    return np.maximum(np.where(side > 0, if_right, if_left), 0.0)


def _smooth_within(needed: np.ndarray, step: float, fixed: np.ndarray) -> np.ndarray:
    """The least shift (T,) at least `needed` in size (each side separately) that changes by
    at most `step` a frame, capped to reach zero on the `fixed` frames at that pace."""
    frames = np.arange(len(needed))
    to_fixed = _frames_to_nearest(fixed) * step
    shift = np.zeros(len(needed))
    for sign in (1.0, -1.0):
        want = np.maximum(sign * needed, 0.0)
        (rows,) = np.nonzero(want)
        if not len(rows):
            continue
        # Upper envelope of cones of slope `step` standing on each need (chunked for memory).
        cone = np.zeros(len(needed))
        for first in range(0, len(rows), 256):
            r = rows[first : first + 256]
            reach = want[r][:, None] - step * np.abs(frames[None] - r[:, None])
            cone = np.maximum(cone, reach.max(axis=0))
        shift += sign * np.minimum(cone, to_fixed)
    return shift


def _frames_to_nearest(mask: np.ndarray) -> np.ndarray:
    """(T,) frames from each frame to the nearest True one of `mask` (inf where none)."""
    (hits,) = np.nonzero(mask)
    if not len(hits):
        return np.full(len(mask), np.inf)
    frames = np.arange(len(mask))
    at = np.clip(np.searchsorted(hits, frames), 0, len(hits) - 1)
    before = np.clip(at - 1, 0, len(hits) - 1)
    return np.minimum(np.abs(hits[at] - frames), np.abs(frames - hits[before])).astype(float)
