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


def _skew(axes: np.ndarray) -> np.ndarray:
    x, y, z = np.moveaxis(axes, -1, 0)
    zero = np.zeros_like(x)
    return np.stack([zero, -z, y, z, zero, -x, -y, x, zero], -1).reshape(axes.shape + (3,))


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.cross over the last axis, without its per-call overhead (it is called a lot)."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)


def _apply(R: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per finger rotations (N, F, 3, 3) applied to per finger vectors (F, 3)."""
    return (R @ v[:, :, None])[..., 0]


def _rotations(K: np.ndarray, KK: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rodrigues about fixed axes: K, KK = K @ K (F, 3, 3), angle (N, F) -> (N, F, 3, 3)."""
    s = np.sin(angle)[..., None, None]
    c = np.cos(angle)[..., None, None]
    return np.eye(3) + s * K + (1.0 - c) * KK


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
        self.K_abd = _skew(self.axes[:, 0])
        self.K_flex = _skew(self.axes[:, 1:])  # (5, 3, 3, 3)
        self.KK_abd = self.K_abd @ self.K_abd
        self.KK_flex = self.K_flex @ self.K_flex
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
        return self._forward(params)[0]

    def _forward(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fingertips (N, 5, 3) and their Jacobian (N, 5, 3, 3) w.r.t. the parameters."""
        abd, flex1, flex2 = np.moveaxis(params, -1, 0)
        Ra = _rotations(self.K_abd, self.KK_abd, abd)
        R1 = Ra @ _rotations(self.K_flex[:, 0], self.KK_flex[:, 0], flex1)
        R12 = R1 @ _rotations(self.K_flex[:, 1], self.KK_flex[:, 1], flex2)
        R123 = R12 @ _rotations(self.K_flex[:, 2], self.KK_flex[:, 2], flex2 * _COUPLING)
        p2 = self.base + _apply(R1, self.bones[:, 0])
        p3 = p2 + _apply(R12, self.bones[:, 1])
        tip = p3 + _apply(R123, self.bones[:, 2])
        axis_abd = np.broadcast_to(self.axes[:, 0], tip.shape)
        axis_1 = _apply(Ra, self.axes[:, 1])
        axis_2 = _apply(R1, self.axes[:, 2])
        axis_3 = _apply(R12, self.axes[:, 3])
        J = np.stack(
            [
                _cross(axis_abd, tip - self.base),
                _cross(axis_1, tip - self.base),
                _cross(axis_2, tip - p2) + _COUPLING[:, None] * _cross(axis_3, tip - p3),
            ],
            axis=-1,
        )
        return tip, J

    def solve(
        self,
        targets: np.ndarray,
        start: np.ndarray,
        iterations: int,
        free: np.ndarray | None = None,
    ) -> np.ndarray:
        """(N, 5, 3) canonical targets -> (N, 5, 3) parameters, starting from start (5, 3).

        free (N, 5) bool marks fingers away from any key, whose height matters most.
        """
        free = np.zeros(targets.shape[:2], dtype=bool) if free is None else free
        flat = np.round(targets.reshape(len(targets), -1) / _DEDUPE_RESOLUTION)
        flat = np.concatenate([flat, free], axis=1)
        rows = np.ascontiguousarray(flat).view(
            np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))
        )
        _, first, inverse = np.unique(rows[:, 0], return_index=True, return_inverse=True)
        # Each group is solved at its rounded target, whichever frames it gathers, so a
        # frame's pose never depends on which other frames are solved with it.
        unique_targets = flat[first, : targets[0].size].reshape((-1,) + targets.shape[1:])
        unique_targets = unique_targets * _DEDUPE_RESOLUTION
        weights = np.where(free[first][..., None], FREE_MISS_WEIGHTS, MISS_WEIGHTS)
        params = np.broadcast_to(start, unique_targets.shape).copy()
        give = np.where(free[first, 1:], 1.0, _FIRM_GIVE)  # a free finger makes way
        share = give[:, :-1] / (give[:, :-1] + give[:, 1:])
        for _ in range(iterations):
            params = self._step(params, unique_targets, weights)
            params = np.clip(self._limit_spread(params, share), self.lower, self.upper)
        # Then bend only, spreads fixed, so the projection's sideways moves cost no height.
        for _ in range(_BEND_ITERATIONS):
            params = self._step(params, unique_targets, weights, spread_fixed=True)
            params = np.clip(params, self.lower, self.upper)
        return params[inverse.reshape(-1)]

    def _step(
        self,
        params: np.ndarray,
        targets: np.ndarray,
        weights: np.ndarray,
        spread_fixed: bool = False,
    ) -> np.ndarray:
        """One damped Gauss-Newton step (with the long fingers' abductions held if
        `spread_fixed`; the thumb's is its own)."""
        tips, J = self._forward(params)
        if spread_fixed:
            J = J.copy()
            J[:, 1:, :, 0] = 0.0  # damping then keeps those parameters where they are
        Jt = np.swapaxes(J, -1, -2) * weights[..., None, :]
        rhs = Jt @ (targets - tips)[..., None]
        step = np.linalg.solve(Jt @ J + _DAMPING * np.eye(3), rhs)[..., 0]
        return params + np.clip(step, -_MAX_STEP, _MAX_STEP)

    def _limit_spread(self, params: np.ndarray, share: np.ndarray) -> np.ndarray:
        """Bring neighbouring long fingers' abductions within their spread range (a few
        sweeps over the three pairs); the first finger of pair p takes share (N, 3) of
        the correction, the second the rest."""
        # Rows: index, middle, ring, little (contiguous, for speed), and their own ranges.
        abduction = np.ascontiguousarray(params[:, 1:, 0].T)
        low, high = self.lower[1:, 0], self.upper[1:, 0]
        share = np.ascontiguousarray(share.T)
        # Sweeps with the given shares, then even ones: where a finger meets its own limit
        # the other must make up the rest.
        for sweep in range(2 * _SPREAD_SWEEPS):
            if sweep == _SPREAD_SWEEPS:
                share = np.full_like(share, 0.5)
            for pair in range(3):
                first, second = abduction[pair], abduction[pair + 1]
                gap = first - second
                fix = np.minimum(np.maximum(gap, self.spread_lower[pair]), self.spread_upper[pair])
                fix -= gap
                first += share[pair] * fix
                second -= (1.0 - share[pair]) * fix
                # Each finger stays within its own range too, so the sweeps converge.
                np.minimum(np.maximum(first, low[pair], out=first), high[pair], out=first)
                np.minimum(
                    np.maximum(second, low[pair + 1], out=second), high[pair + 1], out=second
                )
        params[:, 1:, 0] = abduction.T
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
