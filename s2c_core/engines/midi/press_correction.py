"""The last touch: where a pressing fingertip still misses its key, the wrist follows it.

The wrist path is planned at keyframes with the reference hand shape; on the frames in
between, and where a stretched chord, a short thumb or a late leap leaves a pressing
fingertip short of its key after the finger IK, the hand as a whole moves by the pressing
fingertips' mean miss (as a pianist's arm carries the hand the last few millimetres onto
the keys), up to five times: the fingers solved again after a move may still fall short. Each
strike gets its own shift, interpolated between strikes a few frames apart and faded in
and out over a few frames around the others, so the wrist never jumps, and only the
frames it touches are solved again. The fingers that play nothing keep their height as
the hand goes down (a late leap may pull it down by centimetres, over frames where they
hover above other keys), and the wrist stays above the keys.
"""

from __future__ import annotations

import numpy as np

from .finger_ik import FingerSolver

# A pressing fingertip this far off its target across the keys or in height pulls the
# wrist (less is inside the slack of every key: half a black key's width, the key travel).
_DEAD_ZONE = 0.003
FADE_FRAMES = 4  # the shift fades out linearly over this many frames either side
# Pulls at most (fewer where every strike is on its key). Three left arpeggios at 16 notes a
# second on 94.7 % of their keys, the strikes a frame or two apart pulling against each
# other; five reach 98.1 % (four 97.6 %, six no more), and the shared pieces and
# development scores miss 11 keys instead of 17 (elise one more: a thumb 1.6 mm high).
_PASSES = 5
# The pull never takes the wrist joint lower than this above the white keys' tops (m): the
# wrist is about 4 cm thick (Greiner 1991, "Hand anthropometry of U.S. Army personnel",
# wrist thickness), so its centre lower than half that would sink the wrist's underside
# below the keys' surface; a late leap pulled that low would drag the idle fingers into the
# keys beside the chord.
WRIST_FLOOR = 0.02
# A frame's pose depends on the strikes this many frames either side of it, no further:
# each pass interpolates between strikes up to 2 * (FADE_FRAMES + 1) frames apart.
REACH_FRAMES = _PASSES * 2 * (FADE_FRAMES + 1)


def pull_wrist_to_presses(
    wrist: np.ndarray,
    rotation: np.ndarray,
    canonical: np.ndarray,
    touching: np.ndarray,
    struck: np.ndarray,
    params: np.ndarray,
    solver: FingerSolver,
    start: np.ndarray,
    iterations: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Wrist (T, 3) and finger parameters (T, 5, 3) with the wrist moved towards the
    keys its fingers striking them (struck (T, 5)) miss; canonical
    (T, 5, 3) are the fingers' targets in the hand frame of rotation (T, 3, 3), touching
    (T, 5) marks those on their way to, on or up from a key, params their IK solution
    (from `start`, (5, 3) or per frame (T, 5, 3), `iterations` steps; a frame that moves
    is solved again the same way)."""
    start = np.broadcast_to(start, params.shape)
    for _ in range(_PASSES):
        moved, params = _pull_once(
            wrist, rotation, canonical, touching, struck, params, solver, start, iterations
        )
        if moved is wrist:  # every strike on its key
            break
        canonical = canonical - _target_shifts(moved - wrist, touching, rotation)
        wrist = moved
    return wrist, params


def _target_shifts(shift: np.ndarray, touching: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """(T, 5, 3) how far the fingers' targets move in the hand frame (T, 3, 3) when the
    wrist moves by shift (T, 3): the keys stay where they are, so a target on its way to
    or on a key (touching (T, 5)) moves against the hand in full; a free fingertip moves
    with the hand, but not down, so that it stays clear of the keys."""
    down = np.zeros_like(shift)
    down[:, 2] = np.minimum(shift[:, 2], 0.0)
    world = np.where(touching[..., None], shift[:, None], down[:, None])
    return np.einsum("tfa,tab->tfb", world, rotation)


def _pull_once(
    wrist: np.ndarray,
    rotation: np.ndarray,
    canonical: np.ndarray,
    touching: np.ndarray,
    struck: np.ndarray,
    params: np.ndarray,
    solver: FingerSolver,
    start: np.ndarray,
    iterations: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One pull: pull_wrist_to_presses with a single move."""
    reached = solver.tips(params)
    miss = np.einsum("tab,tfb->tfa", rotation, canonical - reached) * struck[..., None]
    pulls = (np.abs(miss[..., [0, 2]]) > _DEAD_ZONE).any(axis=(1, 2))
    if not pulls.any():
        return wrist, params
    count = np.maximum(struck.sum(axis=1), 1)[:, None]
    shift = np.where(pulls[:, None], miss.sum(axis=1) / count, 0.0)
    shift = _fade(shift, pulls.astype(np.float64))
    shift[:, 2] = np.maximum(shift[:, 2], np.minimum(WRIST_FLOOR - wrist[:, 2], 0.0))
    moved = np.flatnonzero(np.abs(shift).max(axis=1) > 0.0)
    targets = canonical[moved] - _target_shifts(shift[moved], touching[moved], rotation[moved])
    params = params.copy()
    params[moved] = solver.solve(targets, start[moved], iterations, ~touching[moved])
    return wrist + shift, params


def struck_frames(on: np.ndarray, finger: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """(F, 5) bool: finger f + 1 strikes a key on that frame of the consecutive `frames`
    (F,) (notes' onset frames on)."""
    struck = np.zeros((len(frames), 5), dtype=bool)
    row = on - frames[0]
    keep = (row >= 0) & (row < len(frames))
    struck[row[keep], finger[keep] - 1] = True
    return struck


def _fade(shift: np.ndarray, pulls: np.ndarray) -> np.ndarray:
    """(T, 3) shifts: exact on the frames where `pulls` (T,) is set, linear between pulls
    up to 2 * (FADE_FRAMES + 1) frames apart, and faded linearly to zero over FADE_FRAMES
    frames around the others. Each strike keeps its own shift: averaging the shifts of
    strikes a few frames apart (fast chords, leaps) would leave each of them short."""
    keys = np.flatnonzero(pulls)
    reach = FADE_FRAMES + 1
    gaps = np.diff(keys) > 2 * reach  # apart enough to come to rest in between
    before = keys[np.r_[True, gaps]] - reach  # zero anchors where a run of pulls starts
    after = keys[np.r_[gaps, True]] + reach  # and where it ends
    anchors = np.concatenate([keys, before, after])
    values = np.concatenate([shift[keys], np.zeros((len(before) + len(after), 3))])
    order = np.argsort(anchors, kind="stable")
    frames = np.arange(len(shift))
    return np.stack(
        [np.interp(frames, anchors[order], values[order, axis]) for axis in range(3)], axis=1
    )
