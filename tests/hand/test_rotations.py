import numpy as np

from s2c_core.hand import rotations as rot


def _random_axis_angles(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    axes = rng.normal(size=(n, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    return axes * rng.uniform(0.0, np.pi * 0.999, size=(n, 1))


def test_axis_angle_round_trips_through_matrix_and_quaternion():
    aa = _random_axis_angles(500)
    np.testing.assert_allclose(rot.matrix_to_axis_angle(rot.axis_angle_to_matrix(aa)), aa,
                               atol=1e-9)  # fmt: skip
    q = rot.axis_angle_to_quaternion(aa)
    np.testing.assert_allclose(rot.quaternion_to_matrix(q), rot.axis_angle_to_matrix(aa),
                               atol=1e-12)  # fmt: skip


def test_matrices_are_rotations():
    R = rot.axis_angle_to_matrix(_random_axis_angles(100))
    np.testing.assert_allclose(R @ np.swapaxes(R, -1, -2), np.broadcast_to(np.eye(3), R.shape),
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(np.linalg.det(R), 1.0)


def test_zero_rotation_is_identity():
    np.testing.assert_allclose(rot.axis_angle_to_matrix(np.zeros(3)), np.eye(3))
    np.testing.assert_allclose(rot.matrix_to_axis_angle(np.eye(3)), np.zeros(3), atol=1e-12)


def test_mirror_axis_angle_is_conjugation_by_the_x_mirror():
    aa = _random_axis_angles(50, seed=1)
    M = rot.MIRROR_X
    expected = M @ rot.axis_angle_to_matrix(aa) @ M
    np.testing.assert_allclose(rot.axis_angle_to_matrix(rot.mirror_axis_angle(aa)), expected,
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(rot.mirror_axis_angle(rot.mirror_axis_angle(aa)), aa)


def test_quaternion_continuity_removes_sign_flips():
    q = rot.axis_angle_to_quaternion(np.linspace([0, 0, 0.0], [0, 0, 6.0], 50))
    q[1::2] *= -1
    continuous = rot.make_quaternions_continuous(q)
    assert (np.sum(continuous[1:] * continuous[:-1], axis=-1) > 0).all()


def test_quaternion_product_composes_like_the_matrix_product():
    a, b = _random_axis_angles(200, seed=1), _random_axis_angles(200, seed=2)
    q = rot.quaternion_product(rot.axis_angle_to_quaternion(a), rot.axis_angle_to_quaternion(b))
    expected = rot.axis_angle_to_matrix(a) @ rot.axis_angle_to_matrix(b)
    np.testing.assert_allclose(rot.quaternion_to_matrix(q), expected, atol=1e-12)
