"""The playing hand: its orientation over the keys and its reference finger shape.

Both hands are held palm down with the fingers pointing into the keyboard (+Y). In the
canonical hand frame the fingers point along -X (right hand; +X for the mirrored left), the
palm faces -Y and the thumb lies on +Z, so the right hand's thumb points to world -X and the
left hand's to +X. The hand is turned out a little towards the little finger's side, as
the forearms come from the body's centre, which lines the thumb and little finger up along
the keys and so widens the hand's reach; and tilted a little, knuckles above the wrist
line, which lets free fingers (the thumb above all) lift clear of the black keys. The
wrist planner may tilt it further: fingers down (pitch) or rolled about the forearm.

The reference shape is a curved five-finger position over neighbouring white keys with
the fingertips pressed to key depth, found once by IK; the wrist planner places it, the IK
then adapts each finger. Its lifted twin raises the fingertips to hover height: that is
where a free finger goes, so its target is one the finger can reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
_YAW = 0.3  # rad about world Z, fingers turned out towards the little finger's side
# Reference fingertips relative to the wrist in the world (right hand; metres): one white
# key apart in X (thumb leftmost), the long fingers reaching furthest into the keys.
_REACH_Y = np.array([0.095, 0.135, 0.145, 0.135, 0.120])
_DROP_Z = 0.065
_REFERENCE_ITERATIONS = 30


@dataclass(frozen=True)
class Posture:
    side: str
    params: np.ndarray  # (5, 3) FingerSolver parameters of the reference shape
    tips: np.ndarray  # (5, 3) its fingertips in the canonical hand frame
    free_tips: np.ndarray  # (5, 3) the lifted shape's fingertips, likewise

    def orientation(self, tilt: np.ndarray) -> np.ndarray:
        return hand_orientation(self.side, tilt)


def hand_orientation(side: str, tilt: np.ndarray) -> np.ndarray:
    """(..., 3, 3) world-from-canonical rotation of a playing hand for tilts (..., 2) in
    rad: extra pitch (fingers up when positive) and roll (thumb down when positive)."""
    tilt = np.asarray(tilt, dtype=np.float64)
    sign = -1.0 if side == "right" else 1.0
    pitch_axis = np.zeros(tilt.shape[:-1] + (3,))
    pitch_axis[..., 0] = _PITCH + tilt[..., 0]
    roll_axis = np.zeros(tilt.shape[:-1] + (3,))
    roll_axis[..., 1] = sign * tilt[..., 1]
    turn = axis_angle_to_matrix(np.array([0.0, 0.0, sign * _YAW]))
    tilted = axis_angle_to_matrix(pitch_axis) @ axis_angle_to_matrix(roll_axis)
    return turn @ tilted @ _PALM_DOWN[side]


def hand_length(rig: HandRig) -> float:
    """Wrist to middle fingertip at rest (metres)."""
    return float(np.linalg.norm(rig.rest_joints[tip_index("middle")] - rig.rest_joints[0]))


def playing_posture(solver: FingerSolver, rig: HandRig, white_width: float, lift: float) -> Posture:
    """The reference shape for `rig`; `lift` is how far free fingertips rise above it."""
    rotation = hand_orientation(rig.side, np.zeros(2))
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
    params = solver.solve((wanted @ rotation)[None], start, _REFERENCE_ITERATIONS)
    tips = solver.tips(params)[0]
    raised = tips + np.array([0.0, 0.0, lift]) @ rotation
    free_tips = solver.tips(solver.solve(raised[None], params[0], _REFERENCE_ITERATIONS))[0]
    return Posture(rig.side, params[0], tips, free_tips)
