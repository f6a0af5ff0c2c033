"""Vectorised rotation conversions in numpy (axis-angle, matrices, quaternions).

Axis-angle vectors are (..., 3) with the angle in radians as the vector's length, as MANO
uses. Quaternions are (..., 4) in (w, x, y, z) order, as Blender uses.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-8
MIRROR_X = np.diag([-1.0, 1.0, 1.0])


def axis_angle_to_matrix(aa: np.ndarray) -> np.ndarray:
    """Rodrigues' formula: (..., 3) -> (..., 3, 3)."""
    aa = np.asarray(aa, dtype=np.float64)
    angle = np.linalg.norm(aa, axis=-1, keepdims=True)
    axis = aa / np.maximum(angle, _EPS)
    x, y, z = axis[..., 0], axis[..., 1], axis[..., 2]
    s, c = np.sin(angle[..., 0]), np.cos(angle[..., 0])
    # I + sin K + (1 - cos) K^2 with K^2 = a a^T - I, written out entry by entry (several
    # times faster than forming K and K @ K for many rotations).
    C = 1.0 - c
    xC, yC, zC = x * C, y * C, z * C
    xs, ys, zs = x * s, y * s, z * s
    rows = [
        c + x * xC, x * yC - zs, x * zC + ys,
        y * xC + zs, c + y * yC, y * zC - xs,
        z * xC - ys, z * yC + xs, c + z * zC,
    ]  # fmt: skip
    return np.stack(rows, axis=-1).reshape(aa.shape + (3,))


def matrix_to_quaternion(R: np.ndarray) -> np.ndarray:
    """(..., 3, 3) rotation matrices -> (..., 4) unit quaternions (w, x, y, z), w >= 0."""
    R = np.asarray(R, dtype=np.float64)
    m00, m11, m22 = R[..., 0, 0], R[..., 1, 1], R[..., 2, 2]
    # Four candidate magnitudes; pick the numerically largest per element (Shepperd's method).
    candidates = np.stack(
        [
            1 + m00 + m11 + m22,
            1 + m00 - m11 - m22,
            1 - m00 + m11 - m22,
            1 - m00 - m11 + m22,
        ],
        axis=-1,
    )
    best = np.argmax(candidates, axis=-1)
    root = np.sqrt(np.maximum(np.take_along_axis(candidates, best[..., None], -1)[..., 0], _EPS))
    half = 0.5 / root
    r21_12, r02_20, r10_01 = (
        R[..., 2, 1] - R[..., 1, 2],
        R[..., 0, 2] - R[..., 2, 0],
        R[..., 1, 0] - R[..., 0, 1],
    )
    r10p01, r02p20, r21p12 = (
        R[..., 1, 0] + R[..., 0, 1],
        R[..., 0, 2] + R[..., 2, 0],
        R[..., 2, 1] + R[..., 1, 2],
    )
    options = np.stack(
        [
            np.stack([0.5 * root, r21_12 * half, r02_20 * half, r10_01 * half], -1),
            np.stack([r21_12 * half, 0.5 * root, r10p01 * half, r02p20 * half], -1),
            np.stack([r02_20 * half, r10p01 * half, 0.5 * root, r21p12 * half], -1),
            np.stack([r10_01 * half, r02p20 * half, r21p12 * half, 0.5 * root], -1),
        ],
        axis=-2,
    )
    q = np.take_along_axis(options, best[..., None, None], -2)[..., 0, :]
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    return np.where(q[..., :1] < 0, -q, q)


def quaternion_to_matrix(q: np.ndarray) -> np.ndarray:
    """(..., 4) quaternions (w, x, y, z), any norm -> (..., 3, 3)."""
    q = np.asarray(q, dtype=np.float64)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    rows = [
        1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
        2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
    ]  # fmt: skip
    return np.stack(rows, axis=-1).reshape(q.shape[:-1] + (3, 3))


def quaternion_to_axis_angle(q: np.ndarray) -> np.ndarray:
    """(..., 4) (w, x, y, z) -> (..., 3) axis-angle with angle in [0, pi]."""
    q = np.asarray(q, dtype=np.float64)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    q = np.where(q[..., :1] < 0, -q, q)
    sin_half = np.linalg.norm(q[..., 1:], axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(sin_half, q[..., :1])
    return q[..., 1:] * (angle / np.maximum(sin_half, _EPS))


def matrix_to_axis_angle(R: np.ndarray) -> np.ndarray:
    return quaternion_to_axis_angle(matrix_to_quaternion(R))


def axis_angle_to_quaternion(aa: np.ndarray) -> np.ndarray:
    aa = np.asarray(aa, dtype=np.float64)
    angle = np.linalg.norm(aa, axis=-1, keepdims=True)
    axis = aa / np.maximum(angle, _EPS)
    return np.concatenate([np.cos(0.5 * angle), axis * np.sin(0.5 * angle)], axis=-1)


def quaternion_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product of (..., 4) quaternions (w, x, y, z): the rotation b, then a."""
    aw, ax, ay, az = np.moveaxis(np.asarray(a, dtype=np.float64), -1, 0)
    bw, bx, by, bz = np.moveaxis(np.asarray(b, dtype=np.float64), -1, 0)
    return np.stack(
        [
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ],
        axis=-1,
    )


def make_quaternions_continuous(q: np.ndarray, axis: int = 0) -> np.ndarray:
    """Flip signs along `axis` (time) so consecutive quaternions lie in one hemisphere.

    q and -q are the same rotation, but interpolating between them spins the long way round;
    animation curves need each key to be the representative closest to the previous one.
    """
    q = np.moveaxis(np.array(q, dtype=np.float64), axis, 0)
    for i in range(1, len(q)):
        flip = np.sum(q[i] * q[i - 1], axis=-1, keepdims=True) < 0
        q[i] = np.where(flip, -q[i], q[i])
    return np.moveaxis(q, 0, axis)


def mirror_axis_angle(aa: np.ndarray) -> np.ndarray:
    """Rotation conjugated by the mirror x -> -x: (a_x, a_y, a_z) -> (a_x, -a_y, -a_z).

    If R is a rotation, M R M (M = diag(-1, 1, 1)) is again a rotation; this is its
    axis-angle. Applying it twice gives the input back.
    """
    out = np.array(aa, dtype=np.float64, copy=True)
    out[..., 1:3] *= -1.0
    return out
