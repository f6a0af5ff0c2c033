"""Hand rigs: rest joint positions, anatomical joint axes, joint limits, relaxed pose.

Canonical hand frame (MANO's, for the right hand): the wrist at the origin, fingers pointing
along -X, the thumb on the +Z side, the palm facing -Y. All 15 articulated joints have
identity rest orientation, so a `hand_pose` rotation is expressed in these axes.

Each finger joint bends about a flexion axis (positive = curl towards the palm) and, at the
base joints, spreads about an abduction axis. `pose_from_angles` turns (abduction, flexion)
into MANO axis-angles as R = R_abduction * R_flexion, and `angles_from_pose` inverts it,
reporting any residual twist, which is how joint limits are checked.

The left hand is the mirror image (x -> -x) of the right, so its rest joints have x negated
and its axis-angles are mirrored (see rotations.mirror_axis_angle).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .rotations import (
    MIRROR_X,
    axis_angle_to_matrix,
    axis_angle_to_quaternion,
    mirror_axis_angle,
    quaternion_product,
    quaternion_to_axis_angle,
)
from .skeleton import FINGERS, NUM_JOINTS, NUM_POSE_JOINTS, PARENTS, finger_chain

_FINGER_AXES = {"flex": (0.0, 0.0, 1.0), "abd": (0.0, 1.0, 0.0)}
_THUMB_FLEX = np.array([0.7071, 0.0, 0.7071])
_THUMB_ABD = np.array([0.0, 1.0, 0.0])

# Built-in adult hand (about 19 cm wrist to middle fingertip), right hand, metres.
# Base joint (segment 1) position, spread angle of the finger in the palm plane (towards +Z),
# and the three segment lengths (1->2, 2->3, 3->tip).
_FINGER_LAYOUT = {
    "index": ((-0.088, 0.000, 0.024), 5.0, (0.040, 0.024, 0.022)),
    "middle": ((-0.092, 0.001, 0.003), 0.0, (0.044, 0.028, 0.024)),
    "pinky": ((-0.077, -0.004, -0.033), -9.0, (0.032, 0.020, 0.021)),
    "ring": ((-0.086, -0.001, -0.016), -4.0, (0.041, 0.027, 0.023)),
}
_THUMB_BASE = (-0.022, -0.012, 0.022)
_THUMB_DIRECTION = (-0.70, -0.15, 0.70)
_THUMB_LENGTHS = (0.045, 0.032, 0.028)

# Joint limits in radians, per segment: (abduction range, flexion range).
_FINGER_LIMITS = {
    1: ((-0.35, 0.35), (-0.35, 1.60)),
    2: ((0.0, 0.0), (0.0, 1.90)),
    3: ((0.0, 0.0), (0.0, 1.40)),
}
# The index finger swings further towards the thumb and the little finger further away
# from it than the middle fingers move either way (MCP abduction about 20 degrees, the
# little finger's 30-40: see hand/anatomy.py).
_BASE_ABDUCTION_LIMITS = {"index": (-0.35, 0.45), "pinky": (-0.60, 0.35)}
_THUMB_LIMITS = {
    1: ((-0.60, 0.90), (-0.40, 0.90)),
    2: ((-0.20, 0.20), (-0.20, 1.00)),
    3: ((0.0, 0.0), (-0.30, 1.40)),
}
_TWIST_TOLERANCE = 0.05

# A relaxed hand, the "mean pose" used where MANO's hands_mean is needed and no MANO file is
# given: fingers gently curled, more so towards the little finger, thumb slightly opposed.
_RELAXED_FLEXION = {
    "index": (0.20, 0.30, 0.15),
    "middle": (0.25, 0.35, 0.18),
    "pinky": (0.35, 0.40, 0.20),
    "ring": (0.30, 0.38, 0.19),
    "thumb": (0.20, 0.15, 0.20),
}
_RELAXED_THUMB_ABDUCTION = 0.25
# Approximate rest wrist position of the MANO right-hand template (metres); the built-in rig
# uses it only to convert PianoMotion10M translations the way MANO would place the wrist.
_APPROX_MANO_WRIST = (0.0957, 0.0064, 0.0062)


@dataclass(frozen=True)
class HandRig:
    """Everything the engines and the Blender rig need to know about one hand.

    rest_joints: (21, 3) joint positions in the canonical frame, wrist at the origin.
    flex_axes, abd_axes: (15, 3) unit axes of pose joints 1..15 in the canonical frame.
    abd_limits, flex_limits: (15, 2) [lower, upper] radians.
    mean_pose: (45,) the pose PianoMotion10M poses are relative to (MANO hands_mean).
    mano_wrist: (3,) where MANO's template puts the wrist; MANO's `transl` is the wrist's
        world position minus this (before mirroring), so PianoMotion10M conversion needs it.
    """

    name: str
    side: str
    rest_joints: np.ndarray
    flex_axes: np.ndarray
    abd_axes: np.ndarray
    abd_limits: np.ndarray
    flex_limits: np.ndarray
    mean_pose: np.ndarray
    mano_wrist: np.ndarray

    @property
    def bone_offsets(self) -> np.ndarray:
        """(21, 3) each joint's offset from its parent at rest (the wrist's from the origin)."""
        parents = np.array(PARENTS)
        offsets = self.rest_joints.copy()
        offsets[1:] -= self.rest_joints[parents[1:]]
        return offsets

    def mirrored(self) -> HandRig:
        """The other hand: rest joints mirrored in x, rotations mirrored, limits unchanged."""
        other = "left" if self.side == "right" else "right"
        return replace(
            self,
            side=other,
            rest_joints=self.rest_joints @ MIRROR_X,
            # A rotation by +angle about u mirrors to +angle about -(M u).
            flex_axes=-(self.flex_axes @ MIRROR_X),
            abd_axes=-(self.abd_axes @ MIRROR_X),
            mean_pose=mirror_axis_angle(self.mean_pose.reshape(-1, 3)).reshape(-1),
        )

    def for_side(self, side: str) -> HandRig:
        if side not in ("left", "right"):
            raise ValueError(f"hand side must be 'left' or 'right', got {side!r}")
        return self if side == self.side else self.mirrored()

    def pose_from_angles(self, abduction: np.ndarray, flexion: np.ndarray) -> np.ndarray:
        """(..., 15) abduction and flexion angles -> (..., 45) MANO hand_pose axis-angles."""
        # Composed as quaternions: the same rotation as the matrix product, at a fraction
        # of the cost (it runs on every frame of a take).
        q = quaternion_product(
            axis_angle_to_quaternion(self.abd_axes * np.asarray(abduction)[..., None]),
            axis_angle_to_quaternion(self.flex_axes * np.asarray(flexion)[..., None]),
        )
        return quaternion_to_axis_angle(q).reshape(q.shape[:-2] + (3 * NUM_POSE_JOINTS,))

    def angles_from_pose(self, hand_pose: np.ndarray) -> tuple[np.ndarray, ...]:
        """(..., 45) -> abduction, flexion, twist, each (..., 15); inverse of pose_from_angles."""
        R = axis_angle_to_matrix(np.asarray(hand_pose).reshape(hand_pose.shape[:-1] + (15, 3)))
        v, u = self.flex_axes, self.abd_axes
        basis = np.stack([v, np.cross(u, v), u], axis=-1)  # columns (v, w, u): right-handed
        Rb = np.swapaxes(basis, -1, -2) @ R @ basis  # = Rz(abduction) @ Rx(flexion) if no twist
        abduction = np.arctan2(Rb[..., 1, 0], Rb[..., 0, 0])
        flexion = np.arctan2(Rb[..., 2, 1], Rb[..., 2, 2])
        twist = np.arcsin(np.clip(-Rb[..., 2, 0], -1.0, 1.0))
        return abduction, flexion, twist

    def clip_angles(
        self, abduction: np.ndarray, flexion: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.clip(abduction, self.abd_limits[:, 0], self.abd_limits[:, 1]),
            np.clip(flexion, self.flex_limits[:, 0], self.flex_limits[:, 1]),
        )

    def pose_within_limits(self, hand_pose: np.ndarray, tol: float = 1e-3) -> np.ndarray:
        """(...,) bool: every joint of the pose is inside its limits (and barely twisted)."""
        abduction, flexion, twist = self.angles_from_pose(hand_pose)
        ok = (
            (abduction >= self.abd_limits[:, 0] - tol)
            & (abduction <= self.abd_limits[:, 1] + tol)
            & (flexion >= self.flex_limits[:, 0] - tol)
            & (flexion <= self.flex_limits[:, 1] + tol)
            & (np.abs(twist) <= _TWIST_TOLERANCE)
        )
        return ok.all(axis=-1)


def builtin_rig(side: str = "right") -> HandRig:
    """Our own adult hand rig in MANO topology (plus fingertips); no MANO file needed."""
    rest = np.zeros((NUM_JOINTS, 3))
    for finger, (base, spread_deg, lengths) in _FINGER_LAYOUT.items():
        spread = np.deg2rad(spread_deg)
        direction = np.array([-np.cos(spread), 0.0, np.sin(spread)])
        _place_chain(rest, finger, np.array(base), direction, lengths)
    thumb_dir = np.array(_THUMB_DIRECTION) / np.linalg.norm(_THUMB_DIRECTION)
    _place_chain(rest, "thumb", np.array(_THUMB_BASE), thumb_dir, _THUMB_LENGTHS)
    rig = HandRig(
        name="builtin",
        side="right",
        rest_joints=rest,
        flex_axes=_joint_axes("flex"),
        abd_axes=_joint_axes("abd"),
        abd_limits=_joint_limits(0),
        flex_limits=_joint_limits(1),
        mean_pose=np.zeros(3 * NUM_POSE_JOINTS),
        mano_wrist=np.array(_APPROX_MANO_WRIST),
    )
    rig = replace(rig, mean_pose=_relaxed_pose(rig))
    return rig.for_side(side)


def _place_chain(
    rest: np.ndarray, finger: str, base: np.ndarray, direction: np.ndarray, lengths
) -> None:
    chain = finger_chain(finger)
    rest[chain[0]] = base
    for parent, joint, length in zip(chain[:-1], chain[1:], lengths, strict=True):
        rest[joint] = rest[parent] + length * direction


def _joint_axes(kind: str) -> np.ndarray:
    axes = np.zeros((NUM_POSE_JOINTS, 3))
    for f, finger in enumerate(FINGERS):
        if finger == "thumb":
            axis = _THUMB_FLEX if kind == "flex" else _THUMB_ABD
        else:
            axis = np.array(_FINGER_AXES[kind])
        axes[3 * f : 3 * f + 3] = axis / np.linalg.norm(axis)
    return axes


def _joint_limits(which: int) -> np.ndarray:
    limits = np.zeros((NUM_POSE_JOINTS, 2))
    for f, finger in enumerate(FINGERS):
        table = _THUMB_LIMITS if finger == "thumb" else _FINGER_LIMITS
        for segment in (1, 2, 3):
            limits[3 * f + segment - 1] = table[segment][which]
        if which == 0 and finger in _BASE_ABDUCTION_LIMITS:
            limits[3 * f] = _BASE_ABDUCTION_LIMITS[finger]
    return limits


def _relaxed_pose(rig: HandRig) -> np.ndarray:
    flexion = np.concatenate([_RELAXED_FLEXION[f] for f in FINGERS])
    abduction = np.zeros(NUM_POSE_JOINTS)
    abduction[3 * FINGERS.index("thumb")] = _RELAXED_THUMB_ABDUCTION
    return rig.pose_from_angles(abduction, flexion)


REST_JOINTS_KEY = "rest_joints"  # metadata.extra entry: the right hand's (21, 3) rest joints


def rest_joints_problem(rest_joints) -> str | None:
    """Why no rig can be built from these rest joints, or None when they are usable."""
    try:
        rest = np.asarray(rest_joints, dtype=np.float64)
    except (TypeError, ValueError):
        return "are not a numeric array"
    if rest.shape != (NUM_JOINTS, 3):
        return f"must have shape ({NUM_JOINTS}, 3), got {rest.shape}"
    if not np.isfinite(rest).all():
        return "contain NaN or infinite values"
    bones = np.linalg.norm(rest[1:] - rest[list(PARENTS[1:])], axis=1)
    if bones.min() < 1e-4:  # 0.1 mm; a real hand's shortest bone is about 1 cm
        return "are degenerate (a bone of about zero length)"
    return None


def rig_from_rest_joints(rest_joints, name: str) -> HandRig:
    """A right-hand rig with these rest joints (e.g. MANO's, carried in a HandMotion file so
    that Blender, which cannot load MANO itself, builds the same hand); axes and limits are
    the built-in rig's."""
    problem = rest_joints_problem(rest_joints)
    if problem:
        raise ValueError(f"rest joints {problem}")
    rest = np.asarray(rest_joints, dtype=np.float64)
    return replace(builtin_rig("right"), name=name, rest_joints=rest - rest[0])
