import numpy as np
import pytest

from s2c_core.hand.anatomy import (
    CHECKS,
    anatomy_report,
    hand_angles,
    straight_presses,
    violations,
)
from s2c_core.hand.fk import build_track
from s2c_core.hand.forearm import ArmModel, elbow_positions, forearm_directions
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from s2c_core.hand.skeleton import FINGERS
from s2c_core.motion import HandMotion, MotionMetadata

WRIST = {"right": np.array([0.70, -0.05, 0.06]), "left": np.array([0.50, -0.05, 0.06])}


def _aligned_orient(side: str, wrist: np.ndarray, yaw_deg: float = 0.0) -> np.ndarray:
    """Palm-down hand whose fingers follow the forearm, turned `yaw_deg` (radial +)."""
    fingers = forearm_directions(wrist, side)
    up = np.array([0.0, 0.0, 1.0]) - fingers[2] * fingers
    up /= np.linalg.norm(up)
    sign = -1.0 if side == "right" else 1.0  # canonical X runs against the right's fingers
    x = sign * fingers
    rotation = np.column_stack([x, up, np.cross(x, up)])
    # Radial deviation turns the fingers towards the thumb about the back of the hand.
    turn = axis_angle_to_matrix(up * np.deg2rad(yaw_deg) * sign * -1.0)
    return matrix_to_axis_angle(turn @ rotation)


def _angles(side, hand_pose, yaw_deg=0.0):
    rig = builtin_rig(side)
    wrist = WRIST[side]
    orient = _aligned_orient(side, wrist, yaw_deg)
    return rig, hand_angles(rig, orient[None], hand_pose[None], wrist[None])


def _pose(rig, changes):
    abduction, flexion, _ = rig.angles_from_pose(rig.mean_pose)
    for (finger, segment, kind), degrees in changes.items():
        row = 3 * FINGERS.index(finger) + segment - 1
        (flexion if kind == "flex" else abduction)[row] = np.deg2rad(degrees)
    return rig.pose_from_angles(abduction, flexion)


@pytest.mark.parametrize("side", ["left", "right"])
def test_relaxed_hand_in_line_with_the_forearm_passes(side):
    rig, angles = _angles(side, builtin_rig(side).mean_pose)
    np.testing.assert_allclose(angles.wrist[0], 0.0, atol=1e-6)
    bad = violations(angles, rig)
    assert set(bad) == set(CHECKS)
    assert not any(flags.any() for flags in bad.values())


@pytest.mark.parametrize("side", ["left", "right"])
def test_backwards_bent_finger_is_flagged(side):
    rig = builtin_rig(side)
    mild = violations(_angles(side, _pose(rig, {("ring", 3, "flex"): -12.0}))[1], rig)
    assert mild["hyperextension"][0] and not mild["severe_hyperextension"][0]
    severe = violations(_angles(side, _pose(rig, {("middle", 2, "flex"): -25.0}))[1], rig)
    assert severe["hyperextension"][0] and severe["severe_hyperextension"][0]
    small = violations(_angles(side, _pose(rig, {("index", 2, "flex"): -5.0}))[1], rig)
    assert not small["hyperextension"][0]


def test_crossed_and_splayed_fingers_are_flagged():
    rig = builtin_rig("right")
    crossed = _pose(rig, {("index", 1, "abd"): -15.0, ("middle", 1, "abd"): 15.0})
    assert violations(_angles("right", crossed)[1], rig)["finger_spread"][0]
    splayed = _pose(rig, {("ring", 1, "abd"): 20.0, ("pinky", 1, "abd"): -40.0})
    assert violations(_angles("right", splayed)[1], rig)["finger_spread"][0]
    slight = _pose(rig, {("index", 1, "abd"): 10.0, ("pinky", 1, "abd"): -10.0})
    assert not violations(_angles("right", slight)[1], rig)["finger_spread"][0]


@pytest.mark.parametrize("side", ["left", "right"])
def test_wrist_deviation_is_measured_against_the_forearm(side):
    rig, radial = _angles(side, builtin_rig(side).mean_pose, yaw_deg=15.0)
    assert radial.wrist[0, 1] == pytest.approx(15.0, abs=1e-6)
    assert not violations(radial, rig)["wrist_yaw"][0]
    _, too_radial = _angles(side, builtin_rig(side).mean_pose, yaw_deg=30.0)
    assert violations(too_radial, rig)["wrist_yaw"][0]
    _, ulnar = _angles(side, builtin_rig(side).mean_pose, yaw_deg=-40.0)
    assert violations(ulnar, rig)["wrist_yaw"][0]


def test_forearm_reaches_the_wrist_from_the_shoulder():
    arm = ArmModel()
    for side in ("left", "right"):
        wrist = np.stack([WRIST[side], WRIST[side] + [0.1, 0.04, -0.01]])
        elbow = elbow_positions(wrist, side, arm)
        np.testing.assert_allclose(np.linalg.norm(wrist - elbow, axis=1), arm.forearm)
        upper = np.linalg.norm(elbow - arm.shoulder(side, wrist), axis=1)
        np.testing.assert_allclose(upper, arm.upper_arm)
        assert (elbow[:, 1] < wrist[:, 1]).all()  # the elbow is nearer the player


def test_the_shoulder_follows_a_hand_playing_across_the_body():
    arm = ArmModel()
    upright = {side: arm.shoulder(side) for side in ("left", "right")}
    bass, treble = np.array([0.3, 0.0, 0.05]), np.array([0.92, 0.0, 0.05])
    assert arm.shoulder("right", bass)[0] < upright["right"][0]
    assert arm.shoulder("left", treble)[0] > upright["left"][0]
    # A hand on its own side of the body leaves the trunk upright.
    np.testing.assert_array_equal(arm.shoulder("right", treble), upright["right"])
    np.testing.assert_array_equal(arm.shoulder("left", bass), upright["left"])
    far = np.array([-5.0, 0.0, 0.05])
    assert upright["right"][0] - arm.shoulder("right", far)[0] == arm.max_lean


def test_report_counts_present_frames_of_both_hands():
    bent = _pose(builtin_rig("right"), {("pinky", 2, "flex"): -30.0})
    tracks = {}
    for side in ("left", "right"):
        rig = builtin_rig(side)
        pose = np.stack([rig.mean_pose] * 4)
        if side == "right":
            pose[1] = bent
        orient = np.stack([_aligned_orient(side, WRIST[side])] * 4)
        wrist = np.stack([WRIST[side]] * 4)
        present = np.array([True, True, True, side == "right"])
        tracks[side] = build_track(rig, orient, pose, wrist, present)
    motion = HandMotion(30.0, tracks["left"], tracks["right"], MotionMetadata(engine="test"))
    report = anatomy_report(motion)
    assert report.frames == 7
    assert report.outside["severe_hyperextension"] == 1
    assert report.share("hyperextension") == pytest.approx(1 / 7)
    assert report.worst_backwards_bend == pytest.approx(30.0, abs=0.1)


def test_straight_presses_count_the_pressed_frames_of_long_fingers_bent_too_little():
    """Right index presses frames 0-5 (onset 0 s, offset 0.2 s at 30 fps), straight on the
    first 2; right thumb and the left hand's middle finger press too, the thumb straight
    (not counted: the measure is about long fingers), the middle finger curved."""
    frames = 8
    tracks = {}
    for side in ("left", "right"):
        rig = builtin_rig(side)
        pose = np.stack([_pose(rig, {("index", 2, "flex"): 40.0, ("middle", 2, "flex"): 40.0})]
                        * frames)  # fmt: skip
        if side == "right":
            pose[:2] = _pose(rig, {("index", 2, "flex"): 5.0, ("thumb", 2, "flex"): 0.0})
        orient = np.stack([_aligned_orient(side, WRIST[side])] * frames)
        wrist = np.stack([WRIST[side]] * frames)
        tracks[side] = build_track(rig, orient, pose, wrist, np.ones(frames, dtype=bool))
    notes = np.array([
        [60, 0.0, 0.2, 80, 1, 2],  # right index
        [59, 0.0, 0.2, 80, 1, 1],  # right thumb
        [48, 0.1, 0.2, 80, 0, 3],  # left middle: frames 3-5
    ], dtype=float)  # fmt: skip
    motion = HandMotion(30.0, tracks["left"], tracks["right"], MotionMetadata("test"), notes)
    assert straight_presses(motion) == (2, 6 + 3)
