import numpy as np
import pytest

from s2c_core.hand.fk import build_track, forward_kinematics
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.rotations import mirror_axis_angle
from s2c_core.hand.skeleton import JOINT_NAMES, NUM_JOINTS, PARENTS, finger_chain, tip_index


def test_skeleton_topology():
    assert len(JOINT_NAMES) == len(PARENTS) == NUM_JOINTS == 21
    assert JOINT_NAMES[:4] == ("wrist", "index1", "index2", "index3")
    assert JOINT_NAMES[13:16] == ("thumb1", "thumb2", "thumb3")
    assert all(PARENTS[j] < j for j in range(1, 21))
    assert finger_chain("middle") == (4, 5, 6, 17) and tip_index("thumb") == 20


def test_builtin_rig_is_an_adult_right_hand_in_the_mano_frame():
    rest = builtin_rig("right").rest_joints
    np.testing.assert_allclose(rest[0], 0.0)
    hand_length = np.linalg.norm(rest[tip_index("middle")] - rest[0])
    assert 0.17 < hand_length < 0.21  # adult wrist-to-middle-fingertip
    assert (rest[1:, 0] < 0).all()  # fingers along -X
    assert rest[tip_index("thumb"), 2] > rest[tip_index("index"), 2] > rest[tip_index("pinky"), 2]
    bones = np.linalg.norm(builtin_rig().bone_offsets[1:], axis=1)
    assert (bones > 0.015).all() and (bones < 0.1).all()


def test_left_rig_is_the_mirror_image():
    right, left = builtin_rig("right"), builtin_rig("left")
    np.testing.assert_allclose(left.rest_joints, right.rest_joints * [-1, 1, 1])
    assert left.mirrored().side == "right"
    with pytest.raises(ValueError):
        right.for_side("middle")


def test_pose_angles_round_trip_and_limits():
    rig = builtin_rig()
    rng = np.random.default_rng(0)
    abd = rng.uniform(rig.abd_limits[:, 0], rig.abd_limits[:, 1], size=(20, 15))
    flex = rng.uniform(rig.flex_limits[:, 0], rig.flex_limits[:, 1], size=(20, 15))
    pose = rig.pose_from_angles(abd, flex)
    a2, f2, twist = rig.angles_from_pose(pose)
    np.testing.assert_allclose(a2, abd, atol=1e-9)
    np.testing.assert_allclose(f2, flex, atol=1e-9)
    np.testing.assert_allclose(twist, 0.0, atol=1e-9)
    assert rig.pose_within_limits(pose).all()
    assert rig.pose_within_limits(rig.mean_pose)
    hyperextended = rig.pose_from_angles(np.zeros(15), np.full(15, -1.0))
    assert not rig.pose_within_limits(hyperextended)


def test_positive_flexion_curls_towards_the_palm_on_both_hands():
    for side in ("right", "left"):
        rig = builtin_rig(side)
        flat = forward_kinematics(rig, np.zeros(3), np.zeros(45), np.zeros(3))
        curled = forward_kinematics(
            rig, np.zeros(3), rig.pose_from_angles(np.zeros(15), np.full(15, 0.5)), np.zeros(3)
        )
        tip = tip_index("index")
        assert curled[tip, 1] < flat[tip, 1] - 0.02  # palm faces -Y


def test_forward_kinematics_rest_pose_and_rigid_motion():
    rig = builtin_rig()
    wrist = np.array([0.5, 0.1, 0.2])
    np.testing.assert_allclose(
        forward_kinematics(rig, np.zeros(3), np.zeros(45), wrist), rig.rest_joints + wrist
    )
    pose = rig.mean_pose
    go = np.array([0.2, -0.4, 1.0])
    joints = forward_kinematics(rig, go, pose, wrist)
    local = forward_kinematics(rig, np.zeros(3), pose, np.zeros(3))
    from s2c_core.hand.rotations import axis_angle_to_matrix

    np.testing.assert_allclose(joints, local @ axis_angle_to_matrix(go).T + wrist, atol=1e-12)
    # bone lengths are preserved by any pose
    parents = np.array(PARENTS[1:])
    lengths = np.linalg.norm(joints[1:] - joints[parents], axis=1)
    np.testing.assert_allclose(lengths, np.linalg.norm(rig.bone_offsets[1:], axis=1))


def test_left_hand_kinematics_mirror_the_right():
    right, left = builtin_rig("right"), builtin_rig("left")
    rng = np.random.default_rng(3)
    go = rng.normal(size=(7, 3))
    pose = rng.normal(size=(7, 45)) * 0.3
    wrist = rng.normal(size=(7, 3))
    jr = forward_kinematics(right, go, pose, wrist)
    jl = forward_kinematics(
        left, mirror_axis_angle(go), mirror_axis_angle(pose.reshape(7, 15, 3)).reshape(7, 45),
        wrist * [-1, 1, 1],
    )  # fmt: skip
    np.testing.assert_allclose(jl, jr * [-1, 1, 1], atol=1e-12)


def test_build_track_fills_joints():
    rig = builtin_rig()
    track = build_track(rig, np.zeros((4, 3)), np.zeros((4, 45)), np.ones((4, 3)), np.ones(4))
    assert track.joints.shape == (4, 21, 3) and track.joints.dtype == np.float32
    assert track.present.dtype == bool
