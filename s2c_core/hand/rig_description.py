"""A character's own hands, described by their rest joints in a JSON file.

The Blender add-on writes it from a target armature's rest pose so that the backend plans
with the character's finger lengths and hand size (`s2c generate --rig-description FILE`):

    {"format": "s2c-rig-description", "version": 1, "name": "Mixamo hero",
     "hands": {"left": [[x, y, z], ... 21 rows], "right": [[x, y, z], ...]}}

Each hand lists its 21 points in MANO order (skeleton.JOINT_NAMES: wrist, index1..3,
middle1..3, pinky1..3, ring1..3, thumb1..3, then the five fingertips) in metres, in the
piano world frame (the Blender world when the piano is the built-in one at the origin),
with the armature's scale applied. The hands may point anywhere: each is turned into the
canonical hand frame by `hand_frame`, which the add-on also uses when keying, so both
sides agree on it exactly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .rig import HandRig, builtin_rig
from .rotations import MIRROR_X
from .skeleton import JOINT_NAMES, NUM_JOINTS, PARENTS, finger_chain

FORMAT = "s2c-rig-description"
VERSION = 1
SIDES = ("left", "right")
RIG_DESCRIPTION_KEY = "rig_description"  # metadata.extra entry: the description used
_PALM = [0, *(finger_chain(f)[0] for f in ("index", "middle", "pinky", "ring"))]
_MIN_BONE = 1e-3  # m: a joint closer than this to its parent makes a degenerate bone
_MIN_HAND = 0.05  # m: wrist to middle fingertip; anything smaller is not a hand in metres
_MAX_HAND = 2.0  # m: ...and anything larger is a unit mistake (centimetres as metres)


class RigDescriptionError(ValueError):
    """The rig description file is unreadable or not a valid hand (message names it)."""


@dataclass(frozen=True)
class HandPair:
    """Two hands that are not mirror images of each other; quacks like a HandRig where
    the engines only ask for `name` and `for_side`."""

    left: HandRig
    right: HandRig

    @property
    def name(self) -> str:
        return self.right.name

    def for_side(self, side: str) -> HandRig:
        if side not in SIDES:
            raise ValueError(f"hand side must be 'left' or 'right', got {side!r}")
        return self.left if side == "left" else self.right


def hand_frame(joints: np.ndarray, side: str) -> np.ndarray:
    """(3, 3) world-from-canonical rotation of a hand given its (21, 3) world joints.

    The rotation that best lays the built-in hand's palm (the wrist and the four knuckles,
    canonical frame of rig.py) onto this hand's, in the least-squares sense (Kabsch, 1976,
    "A solution for the best rotation to relate two sets of vectors"), so the built-in hand
    maps to the identity and any other hand to the frame its palm is closest to.
    """
    joints = np.asarray(joints, dtype=np.float64)
    reference = builtin_rig(side).rest_joints[_PALM]
    reference = reference - reference.mean(axis=0)
    palm = joints[_PALM] - joints[_PALM].mean(axis=0)
    u, _, vt = np.linalg.svd(palm.T @ reference)
    sign = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, sign]) @ vt


def canonical_rig(joints: np.ndarray, side: str, name: str) -> HandRig:
    """The HandRig of one described hand: its joints in its own canonical frame; joint
    axes, limits and relaxed pose are the built-in rig's."""
    joints = np.asarray(joints, dtype=np.float64)
    local = (joints - joints[0]) @ hand_frame(joints, side)
    as_right = local if side == "right" else local @ MIRROR_X
    right = replace(builtin_rig("right"), name=name, rest_joints=as_right)
    return right.for_side(side)


@dataclass(frozen=True)
class RigDescription:
    name: str
    hands: dict[str, np.ndarray]  # side -> (21, 3) world joints, metres

    def rigs(self) -> HandPair:
        return HandPair(
            **{side: canonical_rig(self.hands[side], side, self.name) for side in SIDES}
        )

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "hands": {side: np.asarray(self.hands[side]).tolist() for side in SIDES},
        }


def write_rig_description(path: str | Path, description: RigDescription) -> Path:
    path = Path(path)
    validate_hands(description.hands, str(path))
    path.write_text(json.dumps(description.to_json(), indent=1))
    return path


def read_rig_description(path: str | Path) -> RigDescription:
    path = Path(path)
    if not path.is_file():
        raise RigDescriptionError(f"{path}: rig description file not found")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RigDescriptionError(f"{path}: not a JSON rig description ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RigDescriptionError(f"{path}: not a rig description (format is not {FORMAT!r})")
    if data.get("version") != VERSION:
        raise RigDescriptionError(
            f"{path}: rig description version {data.get('version')!r} (this backend reads "
            f"{VERSION})"
        )
    hands = data.get("hands")
    if not isinstance(hands, dict) or set(hands) != set(SIDES):
        raise RigDescriptionError(f"{path}: 'hands' must hold exactly 'left' and 'right'")
    try:
        arrays = {side: np.asarray(hands[side], dtype=np.float64) for side in SIDES}
    except (TypeError, ValueError) as exc:
        raise RigDescriptionError(f"{path}: joint positions are not numbers ({exc})") from exc
    validate_hands(arrays, str(path))
    return RigDescription(str(data.get("name") or path.stem), arrays)


def validate_hands(hands: dict[str, np.ndarray], where: str) -> None:
    """Raise RigDescriptionError naming `where` unless both hands are plausible hands."""
    for side in SIDES:
        joints = np.asarray(hands[side], dtype=np.float64)
        if joints.shape != (NUM_JOINTS, 3):
            raise RigDescriptionError(
                f"{where}: {side} hand has {joints.shape} joint coordinates, expected "
                f"({NUM_JOINTS}, 3) in MANO order"
            )
        if not np.isfinite(joints).all():
            raise RigDescriptionError(f"{where}: {side} hand has non-finite joint positions")
        _check_shape(joints, side, where)


def _check_shape(joints: np.ndarray, side: str, where: str) -> None:
    lengths = np.linalg.norm(joints[1:] - joints[np.array(PARENTS[1:])], axis=1)
    short = int(np.argmin(lengths))
    if lengths[short] < _MIN_BONE:
        raise RigDescriptionError(
            f"{where}: {side} hand's {JOINT_NAMES[short + 1]} lies on its parent joint "
            "(degenerate bone)"
        )
    size = float(np.linalg.norm(joints[finger_chain("middle")[3]] - joints[0]))
    if not _MIN_HAND <= size <= _MAX_HAND:
        raise RigDescriptionError(
            f"{where}: {side} hand is {size:.3g} m from wrist to middle fingertip (expected "
            f"{_MIN_HAND}..{_MAX_HAND} m: positions must be in metres)"
        )
    forward = joints[finger_chain("middle")[0]] - joints[0]
    across = joints[finger_chain("index")[0]] - joints[finger_chain("pinky")[0]]
    sine = np.linalg.norm(np.cross(forward, across)) / (
        np.linalg.norm(forward) * np.linalg.norm(across)
    )
    if sine < math.sin(math.radians(20)):
        raise RigDescriptionError(
            f"{where}: {side} hand's knuckles lie along the wrist-to-middle-finger line "
            "(cannot tell the palm's orientation)"
        )
