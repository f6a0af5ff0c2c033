"""The playing hand: its orientation over the keys and its reference finger shape.

Both hands are held palm down with the fingers pointing into the keyboard (+Y). In the
canonical hand frame the fingers point along -X (right hand; +X for the mirrored left), the
palm faces -Y and the thumb lies on +Z, so the right hand's thumb points to world -X and the
left hand's to +X. The hand is tilted a little, knuckles above the wrist line, which lets
free fingers (the thumb above all) lift clear of the black keys. The wrist planner may tilt
it further: fingers down (pitch) or rolled about the forearm.

Its heading (yaw about the vertical) follows the forearm (hand/forearm.py: the shoulder
stays in front of the middle of the keyboard, so the forearm swings out as the hand moves
to either end): the hand points along the keys as far as a comfortable wrist deviation
allows, a little turned out towards the little finger, and so turns outwards at the
keyboard's extremes, where the wrist cannot bend further.

The reference shape is a five-finger position over neighbouring white keys with the
fingertips pressed to key depth: the thumb and the spread of the fingers are found once by
IK, the long fingers are curved, the rounded hand piano teachers ask for (e.g. S. Fink,
"Mastering Piano Technique", 1992; G. Sandor, "On Piano Playing", 1981): here knuckle and
middle joint bent 40 and 45 degrees. The wrist planner places it, the IK then adapts each
finger. Its idle twin is where a free finger goes: the long fingers hang relaxed and
slightly curled, as a hand at rest holds them (the resting posture of the hand, its
fingers a little flexed at every joint; Kapandji, "The Physiology of the Joints", vol. 1):
here less bent at the knuckle (20 degrees), as curved at the middle joint (45), less
spread, inside the ranges taken for a relaxed hand (MCP about 20-40, PIP about 30-60
degrees); the thumb beside the index finger, over the next key, slightly flexed, its tip
near the keys (`_idle_thumb`), not splayed out to the side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...hand.anatomy import Ranges, wrist_angles
from ...hand.forearm import forearm_directions
from ...hand.rig import HandRig, builtin_rig
from ...hand.rotations import axis_angle_to_matrix
from ...hand.skeleton import tip_index
from .finger_ik import NUM_FINGERS, FingerSolver

# World-from-canonical rotations (columns: where canonical X, Y, Z point in the world).
_PALM_DOWN = {
    "right": np.array([[0.0, 0.0, -1.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
    "left": np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
}
_PITCH = 0.2  # rad about world X, fingers up
# Heading: preferred turn out towards the little finger's side, and how far the wrist
# comfortably deviates from the forearm's line to get there (active ranges are about 30
# degrees ulnar and 20 radial, AAOS; see hand/anatomy.py).
_PREFERRED_TURN_OUT = np.deg2rad(17.0)
_ULNAR_COMFORT = np.deg2rad(25.0)
_RADIAL_COMFORT = np.deg2rad(12.0)
# A chord may turn the hand further, up to this far inside the active range.
_ULNAR_LIMIT = np.deg2rad(31.0)
_RADIAL_LIMIT = np.deg2rad(17.0)
# Reference fingertips relative to the wrist in the world (right hand; metres): one white
# key apart in X (thumb leftmost), the long fingers reaching furthest into the keys.
_REACH_Y = np.array([0.095, 0.135, 0.145, 0.135, 0.120])
_DROP_Z = 0.065
_REFERENCE_ITERATIONS = 30
# Long fingers' (knuckle, middle joint) flexion playing and idle, and the idle fingers'
# share of the playing spread (rad).
_PLAYING_CURL = np.deg2rad([40.0, 45.0])
_IDLE_CURL = np.deg2rad([20.0, 45.0])
_IDLE_SPREAD = 0.6
# The idle thumb (right hand, relative to the wrist, for the built-in hand's size): its tip
# one white key outwards of the idle index fingertip, this far into the keys and below the
# wrist (about 1 cm above the key tops, which the long fingers press 6.5 cm below the
# wrist, a key's travel deep); its joints solved from a relaxed thumb's angles: CMC turned
# 20 degrees from the rig's rest towards the index, CMC flexion neutral, MCP flexed 30
# degrees (the built-in hand settles at about -19, 3 and 27).
_IDLE_THUMB_KEYS_OUT = 1.0
_IDLE_THUMB_REACH = 0.12
_IDLE_THUMB_DROP = 0.045
_IDLE_THUMB_START = np.deg2rad([-20.0, 0.0, 30.0])
_IDLE_THUMB_ITERATIONS = 60


@dataclass(frozen=True)
class Posture:
    side: str
    params: np.ndarray  # (5, 3) FingerSolver parameters of the reference shape
    tips: np.ndarray  # (5, 3) its fingertips in the canonical hand frame
    free_tips: np.ndarray  # (5, 3) the idle shape's fingertips, likewise
    free_params: np.ndarray  # (5, 3) the idle shape's parameters

    def orientation(self, tilt: np.ndarray) -> np.ndarray:
        return hand_orientation(self.side, tilt)


def hand_orientation(side: str, tilt: np.ndarray) -> np.ndarray:
    """(..., 3, 3) world-from-canonical rotation of a playing hand for tilts (..., 3) in
    rad: extra pitch (fingers up when positive), roll (thumb down when positive) and
    heading (yaw about world Z; positive turns the fingers towards -X)."""
    tilt = np.asarray(tilt, dtype=np.float64)
    sign = -1.0 if side == "right" else 1.0
    pitch_axis = np.zeros(tilt.shape[:-1] + (3,))
    pitch_axis[..., 0] = _PITCH + tilt[..., 0]
    roll_axis = np.zeros(tilt.shape[:-1] + (3,))
    roll_axis[..., 1] = sign * tilt[..., 1]
    yaw_axis = np.zeros(tilt.shape[:-1] + (3,))
    yaw_axis[..., 2] = tilt[..., 2]
    tilted = axis_angle_to_matrix(pitch_axis) @ axis_angle_to_matrix(roll_axis)
    return axis_angle_to_matrix(yaw_axis) @ tilted @ _PALM_DOWN[side]


def hand_heading(wrist: np.ndarray, side: str, turn_out: float = 0.0) -> np.ndarray:
    """(...,) heading (rad, as hand_orientation's) of a hand whose wrist is at (..., 3):
    along the keys, a little turned out, as far as the wrist comfortably bends from the
    forearm's line; then turned out by `turn_out` more (rad; in by a negative one) within
    the wrist's active range."""
    forearm = forearm_directions(wrist, side)
    forearm_heading = np.arctan2(-forearm[..., 0], forearm[..., 1])
    radial = 1.0 if side == "right" else -1.0  # heading sign of a turn towards the thumb
    wanted = -radial * _PREFERRED_TURN_OUT
    deviation = np.clip(radial * (wanted - forearm_heading), -_ULNAR_COMFORT, _RADIAL_COMFORT)
    deviation = np.clip(deviation - turn_out, -_ULNAR_LIMIT, _RADIAL_LIMIT)
    return forearm_heading + radial * deviation


_YAW_MARGIN = 1.0  # degrees a hand keeps inside the wrist's documented deviation range
_YAW_PASSES = 2


def keep_wrist_in_range(
    wrist: np.ndarray, rotation: np.ndarray, pivot: np.ndarray, side: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame wrist (T, 3) and hand rotation (T, 3, 3) turned about a vertical axis
    through the hand point `pivot` (3,) (canonical frame; the fingertips, which then stay
    on their keys) just enough that the wrist's deviation from the forearm stays inside
    its active range (anatomy.Ranges.wrist_yaw)."""
    low, high = Ranges().wrist_yaw
    radial = 1.0 if side == "right" else -1.0
    for _ in range(_YAW_PASSES):
        yaw = wrist_angles(rotation, forearm_directions(wrist, side), side)[:, 1]
        excess = yaw - np.clip(yaw, low + _YAW_MARGIN, high - _YAW_MARGIN)
        turn = np.zeros((len(yaw), 3))
        turn[:, 2] = -radial * np.deg2rad(excess)
        R = axis_angle_to_matrix(turn)
        centre = wrist + rotation @ pivot
        wrist = centre + np.einsum("tab,tb->ta", R, wrist - centre)
        rotation = R @ rotation
    return wrist, rotation


_POSTURES: dict[tuple, Posture] = {}  # solved once per rig and keyboard: IK costs ~30 ms


def hand_length(rig: HandRig) -> float:
    """Wrist to middle fingertip at rest (metres)."""
    return float(np.linalg.norm(rig.rest_joints[tip_index("middle")] - rig.rest_joints[0]))


def playing_posture(solver: FingerSolver, rig: HandRig, white_width: float) -> Posture:
    """The reference and idle shapes for `rig`."""
    arrays = (rig.rest_joints, rig.mean_pose, rig.flex_axes, rig.abd_axes,
              rig.abd_limits, rig.flex_limits)  # fmt: skip
    key = (rig.side, *(a.tobytes() for a in arrays), white_width)
    if key not in _POSTURES:
        _POSTURES[key] = _solve_posture(solver, rig, white_width)
    return _POSTURES[key]


def _solve_posture(solver: FingerSolver, rig: HandRig, white_width: float) -> Posture:
    turn_out = _PREFERRED_TURN_OUT if rig.side == "right" else -_PREFERRED_TURN_OUT
    rotation = hand_orientation(rig.side, np.array([0.0, 0.0, -turn_out]))
    sign = 1.0 if rig.side == "right" else -1.0
    x = sign * (np.arange(NUM_FINGERS) - 2) * white_width
    # A bigger hand reaches further into the keys and stands higher above them.
    size = hand_length(rig) / hand_length(builtin_rig(rig.side))
    wanted = np.stack([x, size * _REACH_Y, np.full(NUM_FINGERS, -size * _DROP_Z)], axis=-1)
    relaxed_abduction, relaxed_flexion, _ = rig.angles_from_pose(rig.mean_pose)
    rows = solver.pose_index
    start = np.stack(
        [relaxed_abduction[rows[:, 0]], relaxed_flexion[rows[:, 0]], relaxed_flexion[rows[:, 1]]],
        axis=-1,
    )
    params = solver.solve((wanted @ rotation)[None], start, _REFERENCE_ITERATIONS)[0]
    params[1:, 1:] = _PLAYING_CURL
    idle = params.copy()
    idle[1:, 0] *= _IDLE_SPREAD
    idle[1:, 1:] = _IDLE_CURL
    params, idle = np.clip([params, idle], solver.lower, solver.upper)
    idle[0] = _idle_thumb(solver, idle, rotation, sign * white_width, size)
    tips, free_tips = solver.tips(np.stack([params, idle]))
    return Posture(rig.side, params, tips, free_tips, idle)


def _idle_thumb(
    solver: FingerSolver, idle: np.ndarray, rotation: np.ndarray, key_step: float, size: float
) -> np.ndarray:
    """(3,) the idle thumb's parameters (_IDLE_THUMB_*; `key_step` one white key towards
    the little finger): a relaxed thumb beside the index finger, tip near the keys.

    A pianist's free thumb lies along the keys next to the index finger, slightly flexed
    at every joint, its tip over a key near the index's (the five-finger position and the
    rounded hand: Fink 1992, Sandor 1981; the thumb's position of rest, midway in its CMC
    ranges, Kapandji, "The Physiology of the Joints", vol. 1; ranges in hand/anatomy.py).
    (The rig's rest thumb points about 45 degrees out from the index in the palm plane: a
    thumb held there reads as splayed out to the side.)
    """
    wanted = solver.tips(idle[None])[0] @ rotation.T  # world, relative to the wrist
    wanted[0, 0] = wanted[1, 0] - _IDLE_THUMB_KEYS_OUT * key_step
    wanted[0, 1:] = size * np.array([_IDLE_THUMB_REACH, -_IDLE_THUMB_DROP])
    start = idle.copy()
    start[0] = _IDLE_THUMB_START
    solved = solver.solve((wanted @ rotation)[None], start, _IDLE_THUMB_ITERATIONS)[0]
    return solved[0]
