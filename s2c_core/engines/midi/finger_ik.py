"""Finger inverse kinematics: joint angles that put each fingertip on its target.

Each finger is solved with three unknowns: base abduction, base flexion and middle flexion;
the last joint's flexion follows the middle one (the tendons couple them in a real finger)
and the other abductions stay zero. Each finger of each frame is solved by a few damped
Gauss-Newton steps with the analytic Jacobian (axis x lever arm per joint),
projected onto the rig's joint limits after every step, so the result is always a valid
pose: an unreachable target gives the nearest reachable tip instead, where a miss along
the fingers (into or out of the keyboard) counts less than a miss across the keys or in
height, which would put the tip on the wrong key or above it. Frames with the same
targets (a hand holding still) are solved once.
"""

from __future__ import annotations

import numpy as np
from numba import njit

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


# The solver's arithmetic is compiled (numba, cached on disk after the first run): each
# frame's fingers are a few scalar formulas, and as numpy calls on arrays their overhead
# and temporaries made the finger IK half of the engine's time. Vectors are 3-tuples;
# arrays are (frames, 5 fingers, 3): x, y, z components, or the parameters in the order of
# the class docstring. A chain is (axes (5, 4, 3): base abduction, then the flexion axes of
# the three segments; bones (5, 3, 3); base (5, 3); coupling (5,)) in the hand frame.
_compiled = njit(cache=True, nogil=True)


@_compiled
def _add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


@_compiled
def _sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


@_compiled
def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


@_compiled
def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


@_compiled
def _rotate(axis, v, sine, cosine, versine):
    """Rodrigues' formula: v rotated about the unit `axis` by an angle given as its sine,
    cosine and versine (1 - cosine)."""
    along = _dot(axis, v) * versine
    turned = _cross(axis, v)
    return (
        v[0] * cosine + turned[0] * sine + axis[0] * along,
        v[1] * cosine + turned[1] * sine + axis[1] * along,
        v[2] * cosine + turned[2] * sine + axis[2] * along,
    )


@_compiled
def _row(array, finger, index):
    return (array[finger, index, 0], array[finger, index, 1], array[finger, index, 2])


@_compiled
def _finger_chain(chain, finger, p):
    """Finger `finger`'s tip at parameters p (3,), and the bone sums and trigonometry the
    Jacobian needs: the chain is abduction, then the three flexions, each about its
    rest-frame axis; the bones are rotated from the tip inwards."""
    axes, bones, base, coupling = chain
    angles = (p[0], p[1], p[2], p[2] * coupling[finger])
    sines = (np.sin(angles[0]), np.sin(angles[1]), np.sin(angles[2]), np.sin(angles[3]))
    cosines = (np.cos(angles[0]), np.cos(angles[1]), np.cos(angles[2]), np.cos(angles[3]))
    versines = (1.0 - cosines[0], 1.0 - cosines[1], 1.0 - cosines[2], 1.0 - cosines[3])
    trig = (sines, cosines, versines)
    last = _rotate(_row(axes, finger, 3), _row(bones, finger, 2), sines[3], cosines[3], versines[3])
    middle = _rotate(
        _row(axes, finger, 2), _add(_row(bones, finger, 1), last), sines[2], cosines[2], versines[2]
    )
    proximal = _rotate(
        _row(axes, finger, 1), _add(_row(bones, finger, 0), middle), sines[1], cosines[1],
        versines[1],
    )  # fmt: skip
    reach = _rotate(_row(axes, finger, 0), proximal, sines[0], cosines[0], versines[0])
    tip = (base[finger, 0] + reach[0], base[finger, 1] + reach[1], base[finger, 2] + reach[2])
    return tip, (last, middle, proximal, reach), trig


@_compiled
def _finger_columns(chain, finger, p):
    """Finger `finger`'s tip and the Jacobian's columns, one per parameter: each (axis x
    lever arm) is formed in the frame of its joint and turned outwards with the bones (a
    rotation keeps cross products)."""
    tip, (last, middle, proximal, reach), (sines, cosines, versines) = _finger_chain(
        chain, finger, p
    )
    axes, coupling = chain[0], chain[3][finger]
    a0, a1, a2, a3 = (_row(axes, finger, 0), _row(axes, finger, 1), _row(axes, finger, 2),
                      _row(axes, finger, 3))  # fmt: skip
    coupled = _rotate(a2, _cross(a3, last), sines[2], cosines[2], versines[2])
    lever = _cross(a2, middle)
    lever = (lever[0] + coupling * coupled[0], lever[1] + coupling * coupled[1],
             lever[2] + coupling * coupled[2])  # fmt: skip
    flexed = _rotate(a1, lever, sines[1], cosines[1], versines[1])
    columns = (
        _cross(a0, reach),
        _rotate(a0, _cross(a1, proximal), sines[0], cosines[0], versines[0]),
        _rotate(a0, flexed, sines[0], cosines[0], versines[0]),
    )
    return tip, columns


@_compiled
def _gauss_newton(columns, weights, miss):
    """The damped Gauss-Newton step for three Jacobian columns and a weighted miss, its
    3x3 normal equations solved by Cramer's rule."""
    weighted = (
        (columns[0][0] * weights[0], columns[0][1] * weights[1], columns[0][2] * weights[2]),
        (columns[1][0] * weights[0], columns[1][1] * weights[1], columns[1][2] * weights[2]),
        (columns[2][0] * weights[0], columns[2][1] * weights[1], columns[2][2] * weights[2]),
    )
    b = (_dot(weighted[0], miss), _dot(weighted[1], miss), _dot(weighted[2], miss))
    a = _dot(weighted[0], columns[0]) + _DAMPING
    d = _dot(weighted[1], columns[1]) + _DAMPING
    f = _dot(weighted[2], columns[2]) + _DAMPING
    u, v, w = (
        _dot(weighted[0], columns[1]),
        _dot(weighted[0], columns[2]),
        _dot(weighted[1], columns[2]),
    )
    c00, c01, c02 = d * f - w * w, v * w - u * f, u * w - v * d
    c11, c12, c22 = a * f - v * v, u * v - a * w, a * d - u * u
    inverse_det = 1.0 / (a * c00 + u * c01 + v * c02)
    return (
        (c00 * b[0] + c01 * b[1] + c02 * b[2]) * inverse_det,
        (c01 * b[0] + c11 * b[1] + c12 * b[2]) * inverse_det,
        (c02 * b[0] + c12 * b[1] + c22 * b[2]) * inverse_det,
    )


@_compiled
def _is_stuck(p, step, lower, upper, j):
    return (p[j] <= lower[j] and step[j] < 0.0) or (p[j] >= upper[j] and step[j] > 0.0)


@_compiled
def _step(chain, finger, p, target, weights, hold_spread, lifting, lower, upper):
    """One damped Gauss-Newton step for one finger's parameters p (3,), its abduction held
    if `hold_spread`; a `lifting` (free) finger's joint at its limit that the step pushes
    further out stays put and the others make the best of it (else the clipped step may go
    the wrong way: a free thumb at its extension limit curled down into the keys)."""
    tip, columns = _finger_columns(chain, finger, p)
    zero = (0.0, 0.0, 0.0)
    if hold_spread:  # damping then keeps the abduction where it is
        columns = (zero, columns[1], columns[2])
    miss = _sub(target, tip)
    step = _gauss_newton(columns, weights, miss)
    if lifting:
        stuck = (
            _is_stuck(p, step, lower, upper, 0),
            _is_stuck(p, step, lower, upper, 1),
            _is_stuck(p, step, lower, upper, 2),
        )
        if stuck[0] or stuck[1] or stuck[2]:
            columns = (
                zero if stuck[0] else columns[0],
                zero if stuck[1] else columns[1],
                zero if stuck[2] else columns[2],
            )
            step = _gauss_newton(columns, weights, miss)
    for j in range(3):
        p[j] += min(max(step[j], -_MAX_STEP), _MAX_STEP)


@_compiled
def _clip(params, lower, upper):
    for finger in range(NUM_FINGERS):
        for j in range(3):
            params[finger, j] = min(max(params[finger, j], lower[finger, j]), upper[finger, j])


@_compiled
def _steps(chain, params, targets, weights, hold_spread, lifting, lower, upper):
    """One step for each finger of one frame (the fingers' steps are independent)."""
    for finger in range(NUM_FINGERS):
        held = hold_spread and finger > 0
        _step(chain, finger, params[finger], targets[finger], weights[finger], held,
              lifting[finger], lower[finger], upper[finger])  # fmt: skip


@_compiled
def _limit_spread(params, share, spread):
    """Bring one frame's neighbouring long fingers' abductions within their spread range (a
    few sweeps over the three pairs); the first finger of pair p takes share[p] of the
    correction, the second the rest. Sweeps with the given shares, then even ones: where a
    finger meets its own limit the other must make up the rest. A sweep that fixes nothing
    and clips nothing leaves a state the later ones keep."""
    spread_lower, spread_upper, low, high = spread
    shares = (share[0], share[1], share[2])
    for sweep in range(2 * _SPREAD_SWEEPS):
        if sweep == _SPREAD_SWEEPS:
            shares = (0.5, 0.5, 0.5)
        before = (params[1, 0], params[2, 0], params[3, 0], params[4, 0])
        fixed = False
        for pair in range(3):
            first, second = params[pair + 1, 0], params[pair + 2, 0]
            gap = first - second
            fix = min(max(gap, spread_lower[pair]), spread_upper[pair]) - gap
            fixed = fixed or fix != 0.0
            first += shares[pair] * fix
            second -= (1.0 - shares[pair]) * fix
            # Each finger stays within its own range too, so the sweeps converge.
            params[pair + 1, 0] = min(max(first, low[pair]), high[pair])
            params[pair + 2, 0] = min(max(second, low[pair + 1]), high[pair + 1])
        after = (params[1, 0], params[2, 0], params[3, 0], params[4, 0])
        if not fixed and after == before:
            break


@_compiled
def _weighted_miss(chain, finger, p, target, weights):
    tip = _finger_chain(chain, finger, p)[0]
    d = _sub(target, tip)
    return weights[0] * (d[0] * d[0]) + weights[1] * (d[1] * d[1]) + weights[2] * (d[2] * d[2])


@_compiled
def _bend(chain, params, targets, weights, lifting, lower, upper):
    """Bend only, spreads held, so a projection's sideways moves cost no height."""
    for _ in range(_BEND_ITERATIONS):
        _steps(chain, params, targets, weights, True, lifting, lower, upper)
        _clip(params, lower, upper)


@_compiled
def _solve_frames(
    chain, spread, params, targets, weights, lifting, lower, upper, share, iterations
):
    """Solve every frame's parameters (N, 5, 3) in place from where they start; then a free
    thumb whose solution misses its target by more (weighted) than its start does keeps its
    start: Gauss-Newton steps clipped at the limits can overshoot (a free thumb asked to stay
    over a key the hand has left swung across until it hung down into the keys, where the
    starting shape would have kept it above them; the long fingers' spreads are bound to
    each other's, so one of them alone cannot go back)."""
    for n in range(params.shape[0]):
        start = (params[n, 0, 0], params[n, 0, 1], params[n, 0, 2])
        for _ in range(iterations):
            _steps(chain, params[n], targets[n], weights[n], False, lifting[n], lower[n], upper[n])
            _limit_spread(params[n], share[n], spread)
            _clip(params[n], lower[n], upper[n])
        _bend(chain, params[n], targets[n], weights[n], lifting[n], lower[n], upper[n])
        if lifting[n, 0] and _weighted_miss(chain, 0, start, targets[n, 0], weights[n, 0]) < (
            _weighted_miss(chain, 0, params[n, 0], targets[n, 0], weights[n, 0])
        ):
            params[n, 0, 0], params[n, 0, 1], params[n, 0, 2] = start


@_compiled
def _bend_frames(chain, params, targets, weights, lifting, lower, upper):
    for n in range(params.shape[0]):
        _bend(chain, params[n], targets[n], weights[n], lifting[n], lower[n], upper[n])


@_compiled
def _tips(chain, params):
    out = np.empty(params.shape)
    for n in range(params.shape[0]):
        for finger in range(NUM_FINGERS):
            out[n, finger, 0], out[n, finger, 1], out[n, finger, 2] = _finger_chain(
                chain, finger, params[n, finger]
            )[0]
    return out


@_compiled
def _jacobians(chain, params):
    out = np.empty(params.shape + (3,))
    for n in range(params.shape[0]):
        for finger in range(NUM_FINGERS):
            columns = _finger_columns(chain, finger, params[n, finger])[1]
            for j in range(3):
                out[n, finger, 0, j], out[n, finger, 1, j], out[n, finger, 2, j] = columns[j]
    return out


def _frames(array: np.ndarray) -> np.ndarray:
    """(..., 5, 3) -> (N, 5, 3) float64, contiguous (one compiled layout)."""
    return np.ascontiguousarray(array.reshape((-1,) + array.shape[-2:]), dtype=np.float64)


def _miss_weights(free: np.ndarray) -> np.ndarray:
    """Per frame and finger (free (N, 5): away from any key) the weights of a miss (N, 5, 3)."""
    return np.where(free[..., None], FREE_MISS_WEIGHTS, MISS_WEIGHTS)


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
        self._chain = tuple(
            np.ascontiguousarray(part, dtype=np.float64)
            for part in (self.axes, self.bones, self.base, _COUPLING)
        )
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
        # Spread between neighbouring long fingers (index-middle, middle-ring, ring-little):
        # abduction difference bounds, rest spread folded in; and the long fingers' own
        # abduction ranges.
        rest = np.deg2rad(rest_spread(rig))
        bounds = np.deg2rad(np.array(Ranges().neighbour_spread))
        offset = rest[:-1] - rest[1:]
        self.spread_lower = bounds[:, 0] + _SPREAD_MARGIN - offset
        self.spread_upper = bounds[:, 1] - _SPREAD_MARGIN - offset
        self._spread = tuple(
            np.ascontiguousarray(part, dtype=np.float64)
            for part in (self.spread_lower, self.spread_upper, self.lower[1:, 0], self.upper[1:, 0])
        )

    def tips(self, params: np.ndarray) -> np.ndarray:
        """(N, 5, 3) parameters -> (N, 5, 3) fingertip positions in the canonical frame."""
        return _tips(self._chain, _frames(params))

    def jacobian(self, params: np.ndarray) -> np.ndarray:
        """(N, 5, 3) parameters -> (N, 5, 3, 3): per frame and finger, d tip / d parameter
        (component, parameter)."""
        return _jacobians(self._chain, _frames(params))

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
        unique_targets = flat[first, : targets[0].size] * _DEDUPE_RESOLUTION
        unique_targets = _frames(unique_targets.reshape((-1,) + targets.shape[1:]))
        lifting = np.ascontiguousarray(free[first])
        params = _frames(np.broadcast_to(start, targets.shape)[first]).copy()
        lower = np.repeat(self.lower[None], len(first), axis=0)
        lower[:, 1:, 2] = np.maximum(lower[:, 1:, 2], least[first, None])
        upper = np.repeat(self.upper[None], len(first), axis=0)
        give = np.where(lifting[:, 1:], 1.0, _FIRM_GIVE)  # a free finger makes way
        share = np.ascontiguousarray(give[:, :-1] / (give[:, :-1] + give[:, 1:]))
        _solve_frames(self._chain, self._spread, params, unique_targets, _miss_weights(lifting),
                      lifting, lower, upper, share, iterations)  # fmt: skip
        return params[inverse.reshape(-1)]

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
        lower = np.repeat(self.lower[None], len(rows), axis=0)
        upper = np.repeat(self.upper[None], len(rows), axis=0)
        lower[:, 1:, 1] = np.maximum(lower[:, 1:, 1], np.minimum(least[rows], self.upper[1:, 1]))
        lifting = np.ascontiguousarray(free[rows])
        bent = np.clip(params[rows], lower, upper)
        _bend_frames(self._chain, bent, _frames(targets[rows]), _miss_weights(lifting), lifting,
                     lower, upper)  # fmt: skip
        out = params.copy()
        out[rows] = np.where(moved[rows, :, None], bent, params[rows])
        return out, moved

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
