"""Finger inverse kinematics: joint angles that put each fingertip on its target.

Each finger is solved with three unknowns: base abduction, base flexion and middle flexion;
the last joint's flexion follows the middle one (the tendons couple them in a real finger)
and the other abductions stay zero. All five fingers of all frames are solved at once by a
few damped Gauss-Newton steps with the analytic Jacobian (axis x lever arm per joint),
projected onto the rig's joint limits after every step, so the result is always a valid
pose: an unreachable target gives the nearest reachable tip instead, where a miss along
the fingers (into or out of the keyboard) counts less than a miss across the keys or in
height, which would put the tip on the wrong key or above it. Frames with the same
targets (a hand holding still) are solved once.
"""

from __future__ import annotations

import numpy as np

from ...hand.anatomy import Ranges, rest_spread
from ...hand.rig import HandRig
from ...hand.skeleton import NUM_POSE_JOINTS, PIANO_FINGER_NAMES, finger_chain

NUM_FINGERS = 5
PIANO_FINGERS = tuple(PIANO_FINGER_NAMES[f] for f in range(1, NUM_FINGERS + 1))
# Last-joint flexion per unit of middle-joint flexion, piano finger order (thumb first).
_COUPLING = np.array([0.8, 0.7, 0.7, 0.7, 0.7])
_DAMPING = 1e-5  # m^2: keeps steps small near singular (straight-finger) poses
_MAX_STEP = 0.5  # rad per iteration
# Weights of a miss along the canonical axes: X (along the fingers, world Y), Y (the palm
# normal, roughly world Z) and Z (across the hand, world X). A finger pressing a key must
# be right across and in height (the short thumb, which falls short of key depth first,
# above all in height; rows in piano finger order); a free finger must above all stay high.
MISS_WEIGHTS = np.array([[0.5, 1.5, 2.0]] + [[0.5, 0.7, 2.0]] * 4)
FREE_MISS_WEIGHTS = np.array([0.05, 4.0, 0.1])
_DEDUPE_RESOLUTION = 1e-5  # m: targets this close are solved as one
# Neighbouring fingers keep this far inside their documented spread range (anatomy.py).
_SPREAD_MARGIN = np.deg2rad(3.0)
_SPREAD_SWEEPS = 4
_FIRM_GIVE = 0.1  # how readily a pressing finger makes way for a free neighbour (free: 1)
_BEND_ITERATIONS = 2
# A free long finger beside one that presses a key keeps its base joint within this of the
# presser's flexion: the long fingers' extensors are linked (juncturae tendinum), and a
# finger flexed drags its neighbours with it (C. Häger-Ross & M. H. Schieber, "Quantifying
# the independence of human finger movements", J. Neurosci. 20(22), 2000). Lifted over
# the keys by its base joint alone, the middle finger of a 1-2-4-5 chord stood straight up
# above the hand (MCP 6 degrees against the index's 50). 25 degrees leaves a finger room
# to lift about 4 cm at its tip.
_LIFT_BEND = np.deg2rad(25.0)


# Vectors are arrays (3, fingers, frames): the x, y, z components, each a long contiguous
# row per finger; per-finger constants are (3, fingers, 1). Elementwise work on such rows is
# several times faster in numpy than stacks of small matrices, and whole-vector operations
# keep the number of numpy calls (their overhead rules short takes) small.
Vector = np.ndarray
# A constant axis as (a, a[1, 2, 0], a[2, 0, 1]): component i of a x b is
# a[i+1] b[i+2] - a[i+2] b[i+1], and the axis's rotated copies are made once.
Axis = tuple[Vector, Vector, Vector]


def _axis(a: Vector) -> Axis:
    return a, a[[1, 2, 0]], a[[2, 0, 1]]


def _cross(axis: Axis, b: Vector) -> Vector:
    cycled = np.concatenate((b, b[:2]))  # b[i+1] is cycled[1:4][i], b[i+2] cycled[2:5][i]
    return axis[1] * cycled[2:5] - axis[2] * cycled[1:4]


def _rotate(axis: Axis, v: Vector, sin: np.ndarray, cos: np.ndarray, versine: np.ndarray) -> Vector:
    """Rodrigues' formula: v rotated about the unit `axis` by angles given as their sine,
    cosine and versine (1 - cosine)."""
    along = _dot(axis[0], v) * versine
    return v * cos + _cross(axis, v) * sin + axis[0] * along


def _dot(a: Vector, b: Vector) -> np.ndarray:
    return (a * b).sum(axis=0)


def _solve_symmetric(A: dict[tuple[int, int], np.ndarray], b: Vector) -> Vector:
    """x with A x = b for symmetric positive definite 3x3 A (entries A[j, k], j <= k) by
    Cramer's rule, elementwise."""
    a, d, f = A[0, 0], A[1, 1], A[2, 2]
    u, v, w = A[0, 1], A[0, 2], A[1, 2]
    c00, c01, c02 = d * f - w * w, v * w - u * f, u * w - v * d
    c11, c12, c22 = a * f - v * v, u * v - a * w, a * d - u * u
    inverse_det = 1.0 / (a * c00 + u * c01 + v * c02)
    return np.stack(
        [
            (c00 * b[0] + c01 * b[1] + c02 * b[2]) * inverse_det,
            (c01 * b[0] + c11 * b[1] + c12 * b[2]) * inverse_det,
            (c02 * b[0] + c12 * b[1] + c22 * b[2]) * inverse_det,
        ]
    )


def _gauss_newton(J: np.ndarray, weights: Vector, miss: Vector) -> Vector:
    """The damped Gauss-Newton step for Jacobian columns J (3, 3, 5, N: column,
    component, finger, frame) and weighted misses."""
    weighted = J * weights
    rhs = (weighted * miss).sum(axis=1)
    normal = {
        (j, k): _dot(weighted[j], J[k]) + (_DAMPING if j == k else 0.0)
        for j in range(3)
        for k in range(j, 3)
    }
    return _solve_symmetric(normal, rhs)


def _components(array: np.ndarray) -> Vector:
    """(N, 5, 3) per frame and finger, or (5, 3) per finger -> its three components
    (3, 5, N) or (3, 5, 1), contiguous."""
    array = array.reshape((-1,) + array.shape[-2:])
    return np.ascontiguousarray(array.transpose(2, 1, 0))


def _miss_weights(free: np.ndarray) -> Vector:
    """Per frame and finger (free (N, 5): away from any key) the weights of a miss."""
    return _components(np.where(free[..., None], FREE_MISS_WEIGHTS, MISS_WEIGHTS))


def idle_within_hand(free: np.ndarray) -> np.ndarray:
    """(N, 5) the free long fingers (free (N, 5)) beside a pressing long finger or inside
    the span of the pressing fingers (the index between thumb and little finger in an
    octave): the idle fingers of a hand that plays."""
    pressed = ~free
    before = np.logical_or.accumulate(pressed, axis=1)[:, :-1]  # any of fingers 0..j-1
    after = np.logical_or.accumulate(pressed[:, ::-1], axis=1)[:, ::-1]
    after = np.hstack([after[:, 2:], np.zeros((len(free), 1), dtype=bool)])  # j+1..4
    long_pressed = pressed[:, 1:]
    beside = np.zeros_like(long_pressed)
    beside[:, 1:] |= long_pressed[:, :-1]
    beside[:, :-1] |= long_pressed[:, 1:]
    idle = np.zeros_like(free)
    idle[:, 1:] = free[:, 1:] & (beside | (before & after))
    return idle


class FingerSolver:
    """Fingertip FK and IK for one rig, in its canonical hand frame (wrist at the origin).

    Parameters are (..., 5, 3): per piano finger (thumb first) base abduction, base flexion,
    middle flexion.
    """

    def __init__(self, rig: HandRig) -> None:
        self.rig = rig
        chains = np.array([finger_chain(name) for name in PIANO_FINGERS])  # (5, 4) joints
        rest = rig.rest_joints
        self.base = rest[chains[:, 0]]
        self.bones = rest[chains[:, 1:]] - rest[chains[:, :-1]]  # (5, 3, 3): o2, o3, o_tip
        pose_index = chains[:, :3] - 1  # hand_pose rows of the three segments
        self.pose_index = pose_index
        # Unit axes (5, 4, 3): base abduction, then the flexion axes of the three segments.
        self.axes = np.concatenate(
            [rig.abd_axes[pose_index[:, :1]], rig.flex_axes[pose_index]], axis=1
        )
        self._axis = [_axis(_components(self.axes[:, joint])) for joint in range(4)]
        self._bone = [_components(self.bones[:, bone]) for bone in range(3)]
        self._coupling = _COUPLING[:, None]
        self._base = _components(self.base)
        self.lower = np.stack(
            [
                rig.abd_limits[pose_index[:, 0], 0],
                rig.flex_limits[pose_index[:, 0], 0],
                np.maximum(
                    rig.flex_limits[pose_index[:, 1], 0],
                    rig.flex_limits[pose_index[:, 2], 0] / _COUPLING,
                ),
            ],
            axis=-1,
        )
        # Spread between neighbouring long fingers (index-middle, middle-ring, ring-little):
        # abduction difference bounds, rest spread folded in.
        rest = np.deg2rad(rest_spread(rig))
        bounds = np.deg2rad(np.array(Ranges().neighbour_spread))
        offset = rest[:-1] - rest[1:]
        self.spread_lower = bounds[:, 0] + _SPREAD_MARGIN - offset
        self.spread_upper = bounds[:, 1] - _SPREAD_MARGIN - offset
        self.upper = np.stack(
            [
                rig.abd_limits[pose_index[:, 0], 1],
                rig.flex_limits[pose_index[:, 0], 1],
                np.minimum(
                    rig.flex_limits[pose_index[:, 1], 1],
                    rig.flex_limits[pose_index[:, 2], 1] / _COUPLING,
                ),
            ],
            axis=-1,
        )

    def tips(self, params: np.ndarray) -> np.ndarray:
        """(N, 5, 3) parameters -> (N, 5, 3) fingertip positions in the canonical frame."""
        tip = self._forward(_components(params), jacobian=False)[0]
        return np.stack(tip, axis=-1).swapaxes(0, 1)

    def _forward(self, params: Vector, jacobian: bool = True) -> tuple[Vector, np.ndarray | None]:
        """Fingertips (3, 5, N) and the Jacobian's columns, one per parameter (3, 3, 5, N).

        The chain is abduction, then the three flexions, each about its rest-frame axis; the
        bones are rotated from the tip inwards, and each Jacobian column (axis x lever arm)
        is formed in the frame of its joint and turned outwards with the bones (a rotation
        keeps cross products).
        """
        angles = np.concatenate([params, (params[2] * self._coupling)[None]])
        sines, cosines = np.sin(angles), np.cos(angles)
        versines = 1.0 - cosines

        def turn(joint: int, v: Vector) -> Vector:  # 0 abduction, 1..3 the flexions
            return _rotate(self._axis[joint], v, sines[joint], cosines[joint], versines[joint])

        axis, bone = self._axis, self._bone
        last = turn(3, bone[2])
        middle = turn(2, bone[1] + last)
        proximal = turn(1, bone[0] + middle)
        reach = turn(0, proximal)
        tip = self._base + reach
        if not jacobian:
            return tip, None
        coupled = turn(2, _cross(axis[3], last))
        lever = _cross(axis[2], middle) + self._coupling * coupled
        columns = np.stack(
            [
                _cross(axis[0], reach),
                turn(0, _cross(axis[1], proximal)),
                turn(0, turn(1, lever)),
            ]
        )
        return tip, columns

    def solve(
        self,
        targets: np.ndarray,
        start: np.ndarray,
        iterations: int,
        free: np.ndarray | None = None,
        least_middle: np.ndarray | None = None,
    ) -> np.ndarray:
        """(N, 5, 3) canonical targets -> (N, 5, 3) parameters, starting from start (5, 3)
        or, per frame, (N, 5, 3).

        free (N, 5) bool marks fingers away from any key, whose height matters most;
        least_middle (N,) rad, the least middle-joint flexion of the long fingers per frame
        (beyond their joint limits: a curved finger reaches only so far).
        """
        free = np.zeros(targets.shape[:2], dtype=bool) if free is None else free
        least = np.zeros(len(targets)) if least_middle is None else least_middle
        flat = np.round(targets.reshape(len(targets), -1) / _DEDUPE_RESOLUTION)
        flat = np.concatenate([flat, free, least[:, None]], axis=1)
        rows = np.ascontiguousarray(flat).view(
            np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))
        )
        _, first, inverse = np.unique(rows[:, 0], return_index=True, return_inverse=True)
        # Each group is solved at its rounded target, whichever frames it gathers, so a
        # frame's pose never depends on which other frames are solved with it.
        unique_targets = flat[first, : targets[0].size].reshape((-1,) + targets.shape[1:])
        unique_targets = _components(unique_targets * _DEDUPE_RESOLUTION)
        weights = _miss_weights(free[first])
        starts = np.broadcast_to(start, targets.shape)[first]  # (U, 5, 3)
        params = _components(starts)
        lower, upper = _components(self.lower), _components(self.upper)
        if least.any():
            lower = np.repeat(lower, len(first), axis=2)
            lower[2, 1:] = np.maximum(lower[2, 1:], least[first])
        give = np.where(free[first, 1:], 1.0, _FIRM_GIVE)  # a free finger makes way
        share = give[:, :-1] / (give[:, :-1] + give[:, 1:])
        lifting = np.ascontiguousarray(free[first].T)
        for _ in range(iterations):
            params = self._step(params, unique_targets, weights, False, lifting, lower, upper)
            params = np.clip(self._limit_spread(params, share), lower, upper)
        # Then bend only, spreads fixed, so the projection's sideways moves cost no height.
        for _ in range(_BEND_ITERATIONS):
            params = self._step(params, unique_targets, weights, True, lifting, lower, upper)
            params = np.clip(params, lower, upper)
        params = self._no_worse_than_start(params, starts, unique_targets, weights, lifting)
        # Laid out as before the Vectors were arrays: the poses' later matrix products round
        # by layout, and the engine's discrete choices (which key, which frame) follow them.
        return np.stack(params, axis=-1).swapaxes(0, 1)[inverse.reshape(-1)]

    def bend_with_neighbours(
        self,
        params: np.ndarray,
        targets: np.ndarray,
        free: np.ndarray,
        also: np.ndarray | None = None,
        settled: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Parameters (N, 5, 3) with each free long finger (free (N, 5)) whose base joint is
        bent more than _LIFT_BEND less than a pressing neighbour's, and each free long
        finger of `also` (N, 5), solved again towards its canonical target (N, 5, 3), its
        base joint bent at most _LIFT_BEND less than a pressing neighbour's; and which
        fingers were (N, 5). Fingers of `settled` (N, 5) are left as they are (each finger
        is solved on its own)."""
        base = params[:, 1:, 1]  # (N, 4) the long fingers' base flexion
        pressing = np.where(free[:, 1:], -np.inf, base)
        edge = np.full((len(base), 1), -np.inf)
        beside = np.maximum(np.hstack([edge, pressing[:, :-1]]), np.hstack([pressing[:, 1:], edge]))
        least = np.where(free[:, 1:], beside - _LIFT_BEND, -np.inf)
        chosen = least > base
        if also is not None:
            chosen |= also[:, 1:] & free[:, 1:]
        if settled is not None:
            chosen &= ~settled[:, 1:]
        moved = np.hstack([np.zeros((len(base), 1), dtype=bool), chosen])  # (N, 5)
        rows = np.flatnonzero(moved.any(axis=1))
        if not len(rows):
            return params, moved
        lower = np.repeat(_components(self.lower), len(rows), axis=2)
        upper = _components(self.upper)
        lower[1, 1:] = np.maximum(lower[1, 1:], np.minimum(least[rows].T, upper[1, 1:]))
        aims = _components(targets[rows])
        lifting = np.ascontiguousarray(free[rows].T)
        weights = _miss_weights(free[rows])
        bent = np.clip(_components(params[rows]), lower, upper)
        for _ in range(_BEND_ITERATIONS):
            bent = self._step(bent, aims, weights, True, lifting, lower, upper)
            bent = np.clip(bent, lower, upper)
        bent_rows = np.stack(bent, axis=-1).swapaxes(0, 1)
        out = params.copy()
        out[rows] = np.where(moved[rows, :, None], bent_rows, params[rows])
        return out, moved

    def _no_worse_than_start(
        self,
        params: Vector,
        start: np.ndarray,
        targets: Vector,
        weights: Vector,
        lifting: np.ndarray,
    ) -> Vector:
        """The solution, except that a free thumb (lifting (5, N)) whose solution misses
        its target by more (weighted) than its starting pose (N, 5, 3) does keeps that pose.

        Gauss-Newton steps clipped at the limits can overshoot: a free thumb asked to stay
        over a key the hand has left swung across until it hung down into the keys, where
        the starting shape would have kept it above them. (The long fingers' spreads are
        bound to each other's, so one of them alone cannot go back.)"""
        start = _components(start)

        def weighted_miss(p: Vector) -> np.ndarray:
            tip = self._forward(p, jacobian=False)[0]
            return _dot(weights, (targets - tip) ** 2)

        back = lifting & (weighted_miss(start) < weighted_miss(params))
        back[1:] = False
        return np.where(back, start, params)

    def _step(
        self,
        params: Vector,
        targets: Vector,
        weights: Vector,
        spread_fixed: bool,
        lifting: np.ndarray,
        lower: Vector,
        upper: Vector,
    ) -> Vector:
        """One damped Gauss-Newton step (with the long fingers' abductions held if
        `spread_fixed`; the thumb's is its own); lifting (5, N) marks free fingers, whose
        joints stop at their limits `lower`/`upper`."""
        tips, J = self._forward(params)
        if spread_fixed:  # damping then keeps those parameters where they are
            J[0][:, 1:] = 0.0
        miss = targets - tips
        step = _gauss_newton(J, weights, miss)
        if lifting.any():
            # A free finger's joint at its limit that the step pushes further out stays
            # put and the others make the best of it (else the clipped step may go the
            # wrong way: a free thumb at its extension limit curled down into the keys).
            stuck = lifting & (
                ((params <= lower) & (step < 0.0)) | ((params >= upper) & (step > 0.0))
            )
            if stuck.any():
                J = np.where(stuck[:, None], 0.0, J)
                step = _gauss_newton(J, weights, miss)
        return params + np.clip(step, -_MAX_STEP, _MAX_STEP)

    def _limit_spread(self, params: Vector, share: np.ndarray) -> Vector:
        """Bring neighbouring long fingers' abductions within their spread range (a few
        sweeps over the three pairs); the first finger of pair p takes share (N, 3) of
        the correction, the second the rest."""
        # Rows: index, middle, ring, little (contiguous, for speed), and their own ranges.
        abduction = params[0][1:].copy()
        low, high = self.lower[1:, 0], self.upper[1:, 0]
        share = np.ascontiguousarray(share.T)
        # Sweeps with the given shares, then even ones: where a finger meets its own limit
        # the other must make up the rest.
        # A sweep that fixes nothing and clips nothing leaves a state the later ones keep.
        for sweep in range(2 * _SPREAD_SWEEPS):
            if sweep == _SPREAD_SWEEPS:
                share = np.full_like(share, 0.5)
            before, fixed = abduction.copy(), False
            for pair in range(3):
                first, second = abduction[pair], abduction[pair + 1]
                gap = first - second
                fix = np.minimum(np.maximum(gap, self.spread_lower[pair]), self.spread_upper[pair])
                fix -= gap
                fixed = fixed or bool(fix.any())
                first += share[pair] * fix
                second -= (1.0 - share[pair]) * fix
                # Each finger stays within its own range too, so the sweeps converge.
                np.minimum(np.maximum(first, low[pair], out=first), high[pair], out=first)
                np.minimum(
                    np.maximum(second, low[pair + 1], out=second), high[pair + 1], out=second
                )
            if not fixed and np.array_equal(abduction, before):
                break
        params[0][1:] = abduction
        return params

    def angles(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 5, 3) parameters -> MANO (abduction, flexion), each (N, 15), within limits."""
        n = params.shape[0]
        abduction = np.zeros((n, NUM_POSE_JOINTS))
        flexion = np.zeros((n, NUM_POSE_JOINTS))
        rows = self.pose_index
        abduction[:, rows[:, 0]] = params[..., 0]
        flexion[:, rows[:, 0]] = params[..., 1]
        flexion[:, rows[:, 1]] = params[..., 2]
        flexion[:, rows[:, 2]] = params[..., 2] * _COUPLING
        return self.rig.clip_angles(abduction, flexion)
