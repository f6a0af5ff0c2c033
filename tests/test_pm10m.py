import numpy as np
import pytest

from s2c_core import pm10m
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.rotations import MIRROR_X, axis_angle_to_matrix
from s2c_core.motion import DEFAULT_FPS


def _frames(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frames = np.zeros((n, 62))
    frames[:, 0] = rng.random(n) > 0.2
    frames[:, 1:4] = rng.normal(size=(n, 3)) * [0.3, 0.1, 0.2] + [0, 0, 25.0]
    frames[:, 4:52] = rng.normal(size=(n, 48)) * 0.3
    return frames


def test_round_trip_through_hand_motion():
    rig = builtin_rig()
    right, left = _frames(40, 0), _frames(40, 1)
    motion = pm10m.motion_from_pm10m(right, left, rig)
    r2, l2 = pm10m.motion_to_pm10m(motion, rig)
    np.testing.assert_allclose(r2, right, atol=1e-5)
    np.testing.assert_allclose(l2, left, atol=1e-5)
    np.testing.assert_array_equal(motion.left.present, left[:, 0] > 0.5)


def test_left_hand_matches_the_reference_vertex_mirroring():
    """Reference renders the left hand as M * MANO_R(params) + M * t in camera space."""
    rig = builtin_rig()
    placement = pm10m.CameraPlacement()
    left = _frames(5, 2)
    motion = pm10m.motion_from_pm10m(_frames(5, 3), left, rig, placement)
    # The reference: right-hand model posed with the left parameters, then x mirrored.
    from s2c_core.hand.fk import forward_kinematics

    pose_abs = left[:, 7:52] + rig.mean_pose
    right_model = forward_kinematics(rig, left[:, 4:7], pose_abs, left[:, 1:4] + rig.mano_wrist)
    expected_world = placement.to_world(right_model @ MIRROR_X)
    np.testing.assert_allclose(motion.left.joints, expected_world, atol=1e-5)


def test_default_placement_puts_hands_over_the_keyboard():
    placement = pm10m.CameraPlacement()
    wrist = placement.to_world(np.array([0.0, 0.0, 25.0]))
    assert 0.5 < wrist[0] < 0.75 and 0.0 < wrist[2] < 0.15
    np.testing.assert_allclose(placement.to_camera(wrist), [0, 0, 25.0], atol=1e-12)
    R = axis_angle_to_matrix(placement.orient_to_world(np.array([0.1, 0.2, 0.3])))
    np.testing.assert_allclose(R, placement.rotation @ axis_angle_to_matrix([0.1, 0.2, 0.3]),
                               atol=1e-12)  # fmt: skip


def test_normalisation_and_adjust_follow_the_reference():
    frames = _frames(3, 4)
    adjusted = pm10m.apply_adjust(frames, [9.0, 0.5, -2.0])
    np.testing.assert_allclose(adjusted[:, 1], frames[:, 1])
    np.testing.assert_allclose(adjusted[:, 2:4], frames[:, 2:4] + [0.5, -2.0])
    pose, transl = pm10m.normalise(adjusted)
    np.testing.assert_allclose(pose, adjusted[:, 4:52] / np.pi)
    np.testing.assert_allclose(transl, adjusted[:, 1:4] / [1.5, 1.5, 25.0])
    back_pose, back_transl = pm10m.denormalise(pose, transl)
    np.testing.assert_allclose(back_pose, adjusted[:, 4:52])
    np.testing.assert_allclose(back_transl, adjusted[:, 1:4])


def test_resampling_to_30_fps():
    frames = np.linspace(0, 1, 60)[:, None] * np.ones((1, 62))
    out = pm10m.resample_frames(frames, 60.0, DEFAULT_FPS)
    assert out.shape == (30, 62)
    np.testing.assert_allclose(out[[0, -1], 0], [0.0, 1.0])
    motion = pm10m.motion_from_pm10m(_frames(60, 5), _frames(60, 6), builtin_rig(), fps=60.0)
    assert motion.num_frames == 30 and motion.fps == 30.0


def test_bad_frame_shape_is_refused():
    with pytest.raises(ValueError, match=r"expected \(T, 62\)"):
        pm10m.motion_from_pm10m(np.zeros((4, 61)), np.zeros((4, 62)), builtin_rig())
