"""Arm IK and rotation helpers of the retargeting, on plain arrays (no bpy)."""

import numpy as np
import pytest

from blender_addon.retarget_pose import (
    local_rotations,
    swing,
    twist_angle,
    two_bone_ik,
    two_bone_thumb,
)
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.rotations import axis_angle_to_matrix
from s2c_core.hand.skeleton import finger_chain

SHOULDER = np.array([0.18, 0.0, 1.42])
ELBOW = np.array([0.48, 0.03, 1.40])
WRIST = np.array([0.75, 0.0, 1.40])
POLE = np.array([0.2, 1.0, -0.5])


def test_swing_turns_one_direction_onto_another_even_opposite():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    b[0] = -a[0]
    turned = np.einsum("tab,tb->ta", swing(a, b), a)
    unit = b / np.linalg.norm(b, axis=1, keepdims=True)
    assert np.allclose(turned / np.linalg.norm(turned, axis=1, keepdims=True), unit)


def test_two_bone_ik_reaches_keeps_lengths_and_bends_towards_the_pole():
    rng = np.random.default_rng(1)
    targets = SHOULDER + rng.uniform([-0.3, -0.45, -0.45], [0.3, -0.1, -0.1], (400, 3))
    targets = targets[np.linalg.norm(targets - SHOULDER, axis=1) < 0.55]  # within reach
    upper, lower, reached = two_bone_ik(SHOULDER, ELBOW, WRIST, targets, POLE)
    elbow = SHOULDER + np.einsum("tab,b->ta", upper, ELBOW - SHOULDER)
    wrist = elbow + np.einsum("tab,b->ta", lower, WRIST - ELBOW)
    assert np.allclose(wrist, targets, atol=1e-6) and np.allclose(reached, targets)
    assert np.allclose(np.linalg.norm(elbow - SHOULDER, axis=1), np.linalg.norm(ELBOW - SHOULDER))
    line = (targets - SHOULDER) / np.linalg.norm(targets - SHOULDER, axis=1, keepdims=True)
    offset = elbow - SHOULDER
    offset -= np.sum(offset * line, axis=1, keepdims=True) * line
    assert (offset @ POLE > 0).all()


def test_a_target_out_of_reach_is_reached_as_far_as_the_arm_goes():
    target = SHOULDER + np.array([[0.0, -2.0, 0.0]])
    _, _, reached = two_bone_ik(SHOULDER, ELBOW, WRIST, target, POLE)
    length = np.linalg.norm(ELBOW - SHOULDER) + np.linalg.norm(WRIST - ELBOW)
    assert np.linalg.norm(reached - SHOULDER) == pytest.approx(length, abs=1e-5)
    assert np.allclose((reached - SHOULDER) / np.linalg.norm(reached - SHOULDER), [0, -1, 0])


def test_twist_angle_is_the_turn_about_the_axis():
    axis = np.array([[0.0, 0.0, 1.0]] * 3)
    rotations = axis_angle_to_matrix(np.array([[0, 0, 0.7], [0.5, 0, 0], [0, 0, -2.5]]))
    assert np.allclose(twist_angle(rotations, axis), [0.7, 0.0, -2.5])


def test_local_rotations_undo_the_parent_and_rest_offset():
    parent = axis_angle_to_matrix(np.array([[0.3, -0.2, 0.9]]))
    offset = axis_angle_to_matrix(np.array([0.0, 0.4, 0.0]))
    basis = axis_angle_to_matrix(np.array([[0.1, 0.2, 0.3]]))
    assert np.allclose(local_rotations(parent @ offset @ basis, parent, offset), basis)


def _thumb_take(seed: int, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """The built-in right hand's rest joints and random joint rotations (T, 16, 3, 3): the
    wrist turned anywhere, each thumb joint up to 0.4 rad further."""
    rng = np.random.default_rng(seed)
    rest = builtin_rig("right").rest_joints
    delta = np.repeat(axis_angle_to_matrix(rng.normal(size=(frames, 1, 3)))[:, :1], 16, axis=1)
    for joint in finger_chain("thumb")[:3]:
        delta[:, joint:] = (
            axis_angle_to_matrix(rng.uniform(-0.4, 0.4, (frames, 1, 3))) @ delta[:, joint:]
        )
    return rest, delta


def test_a_two_bone_thumb_reaches_the_takes_thumb_tip_from_its_fixed_base():
    rest, delta = _thumb_take(2, 300)
    cmc, mcp, ip, tip = finger_chain("thumb")
    take_tip = (
        delta[:, 0] @ (rest[cmc] - rest[0]) + delta[:, cmc] @ (rest[mcp] - rest[cmc])
        + delta[:, mcp] @ (rest[ip] - rest[mcp]) + delta[:, ip] @ (rest[tip] - rest[ip])
    )  # fmt: skip
    bend, turn = two_bone_thumb(delta, rest)
    base = delta[:, 0] @ (rest[mcp] - rest[0])  # the two-bone thumb's base moves with the hand
    proximal = turn @ delta[:, mcp] @ (rest[ip] - rest[mcp])
    distal = turn @ bend @ delta[:, ip] @ (rest[tip] - rest[ip])
    reached = base + proximal + distal
    lengths = np.linalg.norm(rest[ip] - rest[mcp]), np.linalg.norm(rest[tip] - rest[ip])
    within = np.linalg.norm(take_tip - base, axis=1) < sum(lengths) - 1e-4
    assert 0.1 < within.mean() < 0.9  # both cases drawn
    assert np.allclose(reached[within], take_tip[within], atol=1e-7)
    # Beyond its reach the thumb points at the tip, straight.
    aim = np.cross((reached - base)[~within], (take_tip - base)[~within])
    assert np.allclose(np.linalg.norm(aim, axis=1), 0.0, atol=1e-7)
    assert np.allclose(np.linalg.norm(distal, axis=1), lengths[1])


def test_a_two_bone_thumb_without_carpometacarpal_motion_keeps_the_takes_rotations():
    rest, delta = _thumb_take(3, 50)
    delta[:, finger_chain("thumb")[0]] = delta[:, 0]
    bend, turn = two_bone_thumb(delta, rest)
    assert np.allclose(bend, np.eye(3), atol=1e-7) and np.allclose(turn, np.eye(3), atol=1e-7)
