"""Keep the two hands out of each other: a hand that holds no key makes room; hands that
both play where they meet take different depths.

Each hand is animated by itself, so a hand with nothing to play waits where it last played
while the other may run through that place (a scale of one hand alone passing the other's
resting hand). Pianists keep the hands apart, as far as they can, until just before they
must play where the hands meet (J. Bloom, "Practice Technique 26: Crossing hands second
technique", joebloom.com, 2017, on the first technique): the free hand gives way. Here it
slides sideways, away from the other, just far enough that every joint keeps a finger's
thickness and the palms PALM_CLEARANCE apart, at a relaxed arm's speed, and is back in
place whenever it holds a key or a finger drops onto one, so no press is touched.

Where both hands play at once in the same place (interlocked or neighbouring parts),
pianists place one hand further into the keys, towards the fallboard, and keep the other
near the keys' front edge, or take one over the other (Bloom, ibid.; and the in-and-out
motion, Taubman technique, as on tommyspianocorner.com, "Fix technical problems with the in
and out movement"). Here one hand goes in and the other out, half each, the way that needs
the shorter move, as little as keeps the clearance, where DEEPEST_PARTING does: the
fingertips stay on their keys (nearer or further from the fallboard), and a pressing
fingertip keeps its height.

Before either, an idle thumb near the other hand tucks in: where the hands play side by
side (neighbouring keys around middle C) the thumbs, which stick out towards each other,
are what meets first, and a pianist keeps a thumb with nothing to play close in under the
index finger, as when it passes under (S. Fink, "Mastering Piano Technique", 1992, on the
thumb's movement under the hand; the thumb's CMC adduction, hand/anatomy.py).
"""

from __future__ import annotations

import numpy as np

from .metrics import (
    FINGER_THICKNESS,
    PALM_CLEARANCE,
    PALM_POINTS,
    joint_gaps,
    least_distance,
)

_MARGIN = 0.005  # m more than the least clearance, so that rounding does not touch it
_YIELD_SPEED = 0.5  # m/s a yielding hand slides at (a relaxed arm, well below a leap)
_DEPTH_SPEED = 0.2  # m/s a playing hand moves in or out at to make room
# m the hands are parted in depth at most (each moves half): a white key's front, before
# the black keys, is 55 mm long (music.keyboard), so a fingertip stays on its key's face.
DEEPEST_PARTING = 0.03


THUMB_JOINTS = np.array([13, 14, 15, 20])  # the thumb's CMC, MCP, IP and tip (MANO order)
_TUCK_REACH = 0.025  # m: an idle thumb this near the other hand tucks in
_TUCK_TIME = 0.1  # s an idle thumb takes to tuck in fully, or to come back out


def thumb_tucks(
    left: np.ndarray, right: np.ndarray, free: tuple[np.ndarray, np.ndarray], fps: float
) -> tuple[np.ndarray, np.ndarray]:
    """How far (T,) the left and the right thumb tuck in, 0 (not) to 1 (fully), for hands
    with joints (T, 21, 3): a thumb tucks on its `free` frames (T,) bool (it neither holds
    nor approaches a key, both hands present) near the other hand, easing in and out over
    _TUCK_TIME, and is back out whenever it plays."""
    step = 1.0 / max(_TUCK_TIME * fps, 1.0)
    tucks = []
    for mover, other, mine in ((left, right, free[0]), (right, left, free[1])):
        near = np.zeros(len(mover))
        near[mine] = least_distance(mover[mine][:, THUMB_JOINTS], other[mine]) < _TUCK_REACH
        tucks.append(np.minimum(_smooth_within(near, step, ~mine), 1.0))
    return tucks[0], tucks[1]


def room_shifts(
    left: np.ndarray, right: np.ndarray, free: tuple[np.ndarray, np.ndarray], fps: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sideways wrist shifts (T,) of the left and the right hand (joints (T, 21, 3)) that
    keep them apart; a hand moves only on its `free` frames (T,) bool (holding and
    about to strike no key, both hands present), and eases back before the others."""
    step = _YIELD_SPEED / fps
    left_shift = _shift(left, right, free[0], step)
    moved_left = left + np.column_stack([left_shift, np.zeros((len(left), 2))])[:, None]
    return left_shift, _shift(right, moved_left, free[1], step)


def _shift(mover: np.ndarray, other: np.ndarray, free: np.ndarray, step: float) -> np.ndarray:
    needed = np.zeros(len(mover))
    side = _spell_sides(mover, other, free)
    needed[free] = _sideways_need(mover[free], other[free], side[free])
    return _smooth_within(needed, step, ~free)


def _spell_sides(mover: np.ndarray, other: np.ndarray, free: np.ndarray) -> np.ndarray:
    """(T,) +1 (right) or -1: the side of the other hand that `mover` (T, 21, 3) is on
    at the first frame of each spell of `free` frames. A yielding hand keeps to it for the
    whole spell: where the other runs past the place it waits in (one hand's arpeggio
    through the other's resting place), the side of the moment would flip and send it
    through the other hand."""
    side = np.sign(mover[:, 0, 0] - other[:, 0, 0])
    side[side == 0] = 1.0
    frames = np.arange(len(free))
    starts = free & ~np.concatenate([[False], free[:-1]])
    return side[np.maximum.accumulate(np.where(starts, frames, 0))]


def depth_shifts(left: np.ndarray, right: np.ndarray, fps: float) -> tuple[np.ndarray, ...]:
    """Shifts (T,) into the keys (+y) of the left and the right hand (joints (T, 21, 3))
    where they are still too close: one goes in and the other out, half the move each,
    whichever way parts them with the shorter move, if that is DEEPEST_PARTING at most."""
    step = _DEPTH_SPEED / fps
    joints, palms = joint_gaps(left, right)
    (close,) = np.nonzero((joints < FINGER_THICKNESS) | (palms < PALM_CLEARANCE))
    left_in, right_in = (
        _depth_need(left[close], right[close]),
        _depth_need(right[close], left[close]),
    )
    needed = np.zeros(len(left))
    needed[close] = np.where(left_in <= right_in, left_in, -right_in)
    # Hands deeper in each other than that are left alone: a partial move parts them not
    # and would only bring the neighbouring frames closer.
    apart = np.where(np.abs(needed) <= DEEPEST_PARTING, needed / 2, 0.0)  # left's, + inwards
    left_shift = _smooth_within(apart, step, np.zeros(len(left), dtype=bool))
    return left_shift, -left_shift


def _depth_need(mover: np.ndarray, other: np.ndarray) -> np.ndarray:
    """(T,) the least move of `mover` (T, 21, 3) towards +y that puts every joint a finger's
    thickness and every palm point PALM_CLEARANCE (plus a margin) from `other`'s."""
    need = np.zeros(len(mover))
    for first in range(0, len(mover), 2048):
        rows = slice(first, first + 2048)
        diff = mover[rows, :, None] - other[rows, None]  # (t, 21, 21, 3)
        radius = np.full(diff.shape[1:3], FINGER_THICKNESS + _MARGIN)
        radius[np.ix_(PALM_POINTS, PALM_POINTS)] = PALM_CLEARANCE + _MARGIN
        across = radius**2 - diff[..., 0] ** 2 - diff[..., 2] ** 2
        wanted = np.where(across > 0, np.sqrt(np.maximum(across, 0.0)) - diff[..., 1], 0.0)
        need[rows] = np.maximum(wanted.max(axis=(1, 2)), 0.0)
    return need


def _sideways_need(mover: np.ndarray, other: np.ndarray, side: np.ndarray) -> np.ndarray:
    """(T,) signed x shift of `mover` (T, 21, 3) that takes it clear of `other` towards
    `side` (T,) (+1 right, -1 left): zero where the hands are already apart."""
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
