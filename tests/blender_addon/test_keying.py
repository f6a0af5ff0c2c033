"""Keyed fcurves reproduce the HandMotion: MANO FK rotations and joints, bulk-written keys."""

from __future__ import annotations

import bpy
import numpy as np
import pytest

from blender_addon import keying
from blender_addon.scene import apply_take

from .conftest import expected_hand, sample_hand

pytestmark = pytest.mark.blender

FRAME_START = 5


@pytest.fixture
def keyed(scene, make_motion):
    motion = make_motion(frames=24, seed=3)
    actions = apply_take(scene, motion, take_name="take", frame_start=FRAME_START)
    return scene, motion, actions


@pytest.mark.parametrize("side", ["left", "right"])
def test_keyed_pose_reproduces_the_motion_forward_kinematics(keyed, side):
    scene, motion, _ = keyed
    armature = scene.objects[f"S2C_Hand_{side[0].upper()}"]
    for index in (0, 7, 23):
        joints, rotations = sample_hand(armature, FRAME_START + index)
        want_joints, want_rotations = expected_hand(motion, side, index)
        np.testing.assert_allclose(rotations, want_rotations, atol=1e-4)
        np.testing.assert_allclose(joints, want_joints, atol=1e-5)


def test_one_action_per_hand_with_bulk_linear_keys(keyed):
    scene, motion, actions = keyed
    action = actions["right"]
    assert action.name == "take_R" and actions["left"].name == "take_L"
    assert action.use_fake_user
    fcurves = keying.action_fcurves(action)
    assert len(fcurves) == 16 * 4 + 3 + 1
    for fcurve in fcurves:
        points = fcurve.keyframe_points
        assert len(points) == motion.num_frames
        assert points[0].co.x == FRAME_START and points[-1].co.x == FRAME_START + 23
    assert {p.interpolation for p in fcurves[0].keyframe_points} == {"LINEAR"}
    armature = scene.objects["S2C_Hand_R"]
    assert armature.animation_data.action == action
    assert all(b.rotation_mode == "QUATERNION" for b in armature.pose.bones)


def test_quaternion_keys_are_continuous(keyed):
    _, motion, actions = keyed
    fcurves = keying.action_fcurves(actions["right"])[: 16 * 4]
    values = np.empty((len(fcurves), motion.num_frames), dtype=np.float32)
    for fcurve, row in zip(fcurves, values, strict=True):
        co = np.empty(2 * motion.num_frames, dtype=np.float32)
        fcurve.keyframe_points.foreach_get("co", co)
        row[:] = co[1::2]
    quats = values.reshape(16, 4, -1).transpose(2, 0, 1)  # (T, bone, wxyz)
    assert np.all(np.sum(quats[1:] * quats[:-1], axis=-1) >= 0)
    assert np.any(quats[..., 0] < 0)  # signs were flipped to get there, not left at w >= 0


def test_absent_frames_hold_the_last_present_pose(scene, make_motion):
    motion = make_motion(frames=12, seed=5)
    motion.right.present[4:8] = False
    apply_take(scene, motion, take_name="gap", frame_start=1)
    armature = scene.objects["S2C_Hand_R"]
    held_joints, held_rotations = sample_hand(armature, 1 + 3)
    for index in (4, 7):
        joints, rotations = sample_hand(armature, 1 + index)
        np.testing.assert_allclose(joints, held_joints, atol=1e-6)
        np.testing.assert_allclose(rotations, held_rotations, atol=1e-6)
        assert armature["s2c_present"] == 0.0
    sample_hand(armature, 1 + 8)
    assert armature["s2c_present"] == 1.0


def test_hold_absent_fills_leading_gaps_from_the_first_present_frame():
    values = np.arange(6.0)
    present = np.array([False, False, True, False, True, False])
    np.testing.assert_array_equal(keying.hold_absent(values, present), [2, 2, 2, 2, 4, 4])


def test_a_failure_while_keying_leaves_no_action(scene, make_motion, monkeypatch):
    motion = make_motion(frames=6, seed=6)
    apply_take(scene, motion, take_name="good")
    before = {a.name for a in bpy.data.actions}
    calls = {"n": 0}
    real = keying.write_fcurve

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 100:  # part-way through the second hand
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(keying, "write_fcurve", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        apply_take(scene, motion, take_name="bad")
    assert {a.name for a in bpy.data.actions} == before
    assert scene.objects["S2C_Hand_R"].animation_data.action.name == "good_R"


def test_a_new_action_is_kept_when_filled_and_removed_when_filling_fails(scene):
    with keying.new_action("S2C test take") as action:
        assert action.use_fake_user
    assert bpy.data.actions.get("S2C test take") == action
    with pytest.raises(OSError, match="disk full"), keying.new_action("S2C failed take"):
        raise OSError("disk full")
    assert bpy.data.actions.get("S2C failed take") is None
