"""Key a take onto a character's own armature, on the piano wherever it stands.

Workflow (docs/retargeting.md): find the hand bones (retarget_names), describe the rest
hands in the piano's frame for the backend (`describe`), then key the take the backend made
for that description (`build_take_action` + `assign_take`).

The piano frame: a 4x4 matrix from the engines' piano world (metres, X along the keys,
see s2c_core.music.keyboard) to the Blender world; for the built-in piano its root
object's world matrix, for a user's piano the fitted frame (piano_fit). Its scale must be
uniform; the character's hands are divided by it, so a piano built 10 % larger is played
by hands that are, relative to it, 10 % smaller.

One Action per take holds the arm, hand and finger rotations of both hands (quaternions,
one key per frame). An Action the armature already had (the character's other animation)
is pushed onto an NLA track below it, so it keeps playing for every bone the take does not
key. Rigify rigs get their arms' IK/FK switch keyed to FK in the take.
"""

from __future__ import annotations

from dataclasses import dataclass

import bpy
import numpy as np

from s2c_core.hand.fk import global_rotations
from s2c_core.hand.rig_description import RigDescription, hand_frame, validate_hands
from s2c_core.hand.rotations import (
    axis_angle_to_matrix,
    make_quaternions_continuous,
    matrix_to_quaternion,
)
from s2c_core.hand.skeleton import FINGERS, JOINT_NAMES, NUM_JOINTS, finger_chain
from s2c_core.motion import HANDS, HandMotion
from s2c_core.music.keyboard import Keyboard

from . import keying
from .retarget_names import (
    HAND_SLOTS,
    SIDES,
    BoneMapping,
    MappingError,
    find_mapping,
    validate_mapping,
)
from .retarget_pose import local_rotations, twist_angle, two_bone_ik, two_bone_thumb

TAKE_PROPERTY = "s2c_take"  # set on every Action this module makes
BASE_TRACK_PREFIX = "S2C base: "
_RIGIFY_SWITCH = {"left": "upper_arm_parent.L", "right": "upper_arm_parent.R"}
# Elbows hang down, a little out to the side and back (armature space: +X is the
# character's left, -Y its front, +Z up).
POLE_DIRECTIONS = {"left": np.array([0.2, 1.0, -0.5]), "right": np.array([-0.2, 1.0, -0.5])}
# The built-in piano's middle in front of the shoulders and below them, in arm lengths.
_PIANO_FORWARD, _PIANO_DROP = 0.55, 0.5
_THUMB_BASE_SHARE = 0.4  # a two-bone thumb's virtual metacarpal joint: wrist -> thumb2 share


class RetargetError(ValueError):
    """Cannot key onto this armature or piano (one line naming what is wrong)."""


def mapping_for(armature: bpy.types.Object, preset: BoneMapping | None = None) -> BoneMapping:
    """The preset (checked against the armature) or the bones found by naming convention."""
    if armature is None or armature.type != "ARMATURE":
        name = getattr(armature, "name", None)
        raise MappingError(f"{name!r}: not an armature")
    where = f"armature {armature.name!r}"
    bones = armature.data.bones
    mapping = preset or find_mapping([b.name for b in bones], where)
    stand_ins = _stand_ins(armature, mapping)
    parents = {
        b.name: stand_ins.get(b.parent.name, b.parent.name) if b.parent else None for b in bones
    }
    validate_mapping(mapping, parents, where)
    return mapping


def _stand_ins(armature: bpy.types.Object, mapping: BoneMapping) -> dict[str, str]:
    """Unmapped bones lying exactly on a mapped bone -> that bone: they follow it (Rigify's
    ORG-hand copies hand_fk in FK mode), so bones below them follow it too."""
    bones = armature.data.bones
    names = [bone.name for bone in bones]
    matrices = np.empty(16 * len(bones), dtype=np.float32)
    bones.foreach_get("matrix_local", matrices)
    matrices = matrices.reshape(-1, 16)
    mapped = {name for hand in mapping.bones.values() for name in hand.values() if name in bones}
    result: dict[str, str] = {}
    for name in sorted(mapped):
        same = np.abs(matrices - matrices[names.index(name)]).max(axis=1) < 1e-5
        # A bone above the mapped one (Rigify's MCH-hand_fk) is its parent, not a copy.
        above = {bone.name for bone in bones[name].parent_recursive}
        for index in np.flatnonzero(same):
            other = names[index]
            if other not in mapped and other not in above:
                result.setdefault(other, name)
    return result


def piano_matrix_of(obj: bpy.types.Object) -> np.ndarray:
    return np.array(obj.matrix_world)


def piano_in_front(armature: bpy.types.Object, mapping: BoneMapping) -> np.ndarray:
    """A piano frame (4x4) for a real-size keyboard in front of the character: its middle
    keys in front of and below the shoulders, where the arms reach comfortably.

    The character faces its armature's -Y with +Z up (Blender's convention); the low keys
    are at its left (+X)."""
    world = np.array(armature.matrix_world)
    shoulders, lengths = [], []
    for side in SIDES:
        heads = [
            _transform(world, np.array(armature.pose.bones[mapping.bones[side][slot]].head)[None])[
                0
            ]
            for slot in ("upper_arm", "forearm", "wrist")
        ]
        shoulders.append(heads[0])
        lengths.append(np.linalg.norm(heads[1] - heads[0]) + np.linalg.norm(heads[2] - heads[1]))
    axes = _rot(world)
    left, forward, up = axes[:, 0], -axes[:, 1], axes[:, 2]
    reach = float(np.mean(lengths))
    centre = (
        np.mean(shoulders, axis=0) + _PIANO_FORWARD * reach * forward - _PIANO_DROP * reach * up
    )
    rotation = np.column_stack([-left, forward, up])
    keyboard = Keyboard()
    middle = 0.5 * (keyboard.keys[0].x_left + keyboard.keys[-1].x_right)
    matrix = np.eye(4)
    matrix[:3, :3] = rotation
    matrix[:3, 3] = centre - rotation @ np.array([middle, 0.0, 0.0])
    return matrix


def _uniform_scale(matrix: np.ndarray, what: str) -> float:
    scales = np.linalg.norm(matrix[:3, :3], axis=0)
    if not np.allclose(scales, scales[0], rtol=1e-4) or scales[0] <= 0:
        raise RetargetError(f"{what} must be scaled uniformly (scale {np.round(scales, 4)})")
    return float(scales[0])


def _transform(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ matrix[:3, :3].T + matrix[:3, 3]


def rest_joints(armature: bpy.types.Object, mapping: BoneMapping, side: str) -> np.ndarray:
    """(21, 3) the hand's rest joints in armature space (MANO order; tips = bone tails)."""
    bones = armature.data.bones
    hand = mapping.bones[side]
    joints = np.empty((NUM_JOINTS, 3))
    joints[0] = bones[hand["wrist"]].head_local
    for finger in FINGERS:
        chain = finger_chain(finger)
        for segment, joint in zip((1, 2, 3), chain[:3], strict=True):
            name = hand.get(f"{finger}{segment}")
            if name:
                joints[joint] = bones[name].head_local
        joints[chain[3]] = bones[hand[f"{finger}3"]].tail_local
    if not hand.get("thumb1"):
        thumb = finger_chain("thumb")
        joints[thumb[0]] = joints[0] + _THUMB_BASE_SHARE * (joints[thumb[1]] - joints[0])
    return joints


def describe(
    armature: bpy.types.Object, mapping: BoneMapping, piano_matrix: np.ndarray
) -> RigDescription:
    """Both rest hands in the piano frame, for `s2c generate --rig-description`."""
    _uniform_scale(np.array(armature.matrix_world), f"armature {armature.name!r}")
    _uniform_scale(piano_matrix, "the piano")
    to_piano = np.linalg.inv(piano_matrix) @ np.array(armature.matrix_world)
    hands = {side: _transform(to_piano, rest_joints(armature, mapping, side)) for side in SIDES}
    validate_hands(hands, f"armature {armature.name!r}")
    return RigDescription(armature.name, hands)


@dataclass(frozen=True)
class _Bone:
    """One keyed bone: its MANO joint (-1 for arm bones), its keyed parent (None: its
    parent's current pose) and K, the rest rotation from that parent to it."""

    name: str
    joint: int
    parent: str | None
    offset: np.ndarray  # (3, 3)
    rest: np.ndarray  # (3, 3) armature-space rest rotation


def _keyed_bones(armature: bpy.types.Object, mapping: BoneMapping, side: str) -> list[_Bone]:
    bones = armature.data.bones
    hand = mapping.bones[side]
    slots = [("upper_arm", -1), ("forearm", -1)]
    slots += [(slot, JOINT_NAMES.index(slot)) for slot in HAND_SLOTS if hand.get(slot)]
    keyed = {hand[slot] for slot, _ in slots}
    rests = {name: np.array(bones[name].matrix_local) for name in keyed}
    stand_ins = _stand_ins(armature, mapping)
    result = []
    for slot, joint in slots:
        name = hand[slot]
        parent = None if slot == "upper_arm" else _keyed_ancestor(bones[name], keyed, stand_ins)
        if slot != "upper_arm" and parent is None:
            raise MappingError(f"armature {armature.name!r}: {name!r} does not follow the arm")
        above = rests[parent] if parent else _parent_rest(bones[name])
        offset = above[:3, :3].T @ rests[name][:3, :3]
        result.append(_Bone(name, joint, parent, offset, rests[name][:3, :3]))
    return result


def _parent_rest(bone: bpy.types.Bone) -> np.ndarray:
    return np.array(bone.parent.matrix_local) if bone.parent else np.eye(4)


def _keyed_ancestor(bone: bpy.types.Bone, keyed: set[str], stand_ins: dict) -> str | None:
    """The nearest keyed bone above `bone`, through stand-ins (see _stand_ins)."""
    current = bone.parent
    while current is not None:
        name = stand_ins.get(current.name, current.name)
        if name in keyed:
            return name
        current = current.parent
    return None


def _posed_rotations(
    motion: HandMotion, side: str, frame: np.ndarray, world_to_arm: np.ndarray, piano: np.ndarray
) -> np.ndarray:
    """(T, 16, 3, 3) armature-space rotation each MANO joint applies to its rest segment."""
    track = motion.hand(side)
    global_orient = keying.hold_absent(np.asarray(track.global_orient, float), track.present)
    hand_pose = keying.hold_absent(np.asarray(track.hand_pose, float), track.present)
    G = global_rotations(global_orient, hand_pose)
    to_world = piano[:3, :3] / np.linalg.norm(piano[:3, 0])
    to_arm = world_to_arm[:3, :3] / np.linalg.norm(world_to_arm[:3, 0])
    R = to_arm @ to_world
    return R @ G @ frame.T @ R.T


@dataclass(frozen=True)
class SidePose:
    """One arm and hand over the take, in armature space."""

    basis: dict[str, np.ndarray]  # bone -> (T, 3, 3) pose-bone basis rotation
    arm_bones: tuple[str, str, str]  # upper arm, forearm, hand
    wrist: np.ndarray  # (T, 3) where the hand bone's head goes
    hand_rotation: np.ndarray  # (T, 3, 3) the hand bone's posed rotation


def side_pose(
    armature: bpy.types.Object,
    mapping: BoneMapping,
    motion: HandMotion,
    side: str,
    piano_matrix: np.ndarray,
) -> SidePose:
    """The basis rotations of one arm and hand, and the wrist's path."""
    arm_world = np.array(armature.matrix_world)
    world_to_arm = np.linalg.inv(arm_world)
    rest = rest_joints(armature, mapping, side)
    joints_piano = _transform(np.linalg.inv(piano_matrix) @ arm_world, rest)
    frame = hand_frame(joints_piano, side)
    delta = _posed_rotations(motion, side, frame, world_to_arm, piano_matrix)
    track = motion.hand(side)
    wrist_piano = keying.hold_absent(np.asarray(track.transl, float), track.present)
    target = _transform(world_to_arm @ piano_matrix, wrist_piano)

    keyed = _keyed_bones(armature, mapping, side)
    upper, forearm = keyed[0], keyed[1]
    pose_bones = armature.pose.bones
    parent_pose = pose_bones[upper.name].parent
    parent_matrix = np.array(parent_pose.matrix) if parent_pose else np.eye(4)
    shoulder = parent_matrix @ np.linalg.inv(_parent_rest(armature.data.bones[upper.name]))
    bones = armature.data.bones
    head = {
        name: _transform(shoulder, np.array(bones[name].head_local)[None])[0]
        for name in (upper.name, forearm.name, mapping.bones[side]["wrist"])
    }
    turn_upper, turn_lower, _ = two_bone_ik(
        head[upper.name], head[forearm.name], head[mapping.bones[side]["wrist"]], target,
        POLE_DIRECTIONS[side],
    )  # fmt: skip
    shoulder_rotation = shoulder[:3, :3] / np.linalg.norm(shoulder[:3, 0])
    posed = {
        upper.name: turn_upper @ shoulder_rotation @ upper.rest,
        forearm.name: turn_lower @ shoulder_rotation @ forearm.rest,
    }
    for bone in keyed[2:]:
        posed[bone.name] = delta[:, bone.joint] @ bone.rest
    hand_bones = mapping.bones[side]
    if not hand_bones.get("thumb1"):
        bend, turn = two_bone_thumb(delta, rest)
        posed[hand_bones["thumb3"]] = bend @ posed[hand_bones["thumb3"]]
        for segment in ("thumb2", "thumb3"):
            posed[hand_bones[segment]] = turn @ posed[hand_bones[segment]]
    hand = keyed[2]
    forearm_axis = turn_lower @ (head[hand.name] - head[forearm.name])
    forearm_axis /= np.linalg.norm(forearm_axis, axis=-1, keepdims=True)
    rigid_hand = posed[forearm.name] @ hand.offset  # the hand turned with the forearm only
    angle = twist_angle(posed[hand.name] @ np.swapaxes(rigid_hand, -1, -2), forearm_axis)
    posed[forearm.name] = axis_angle_to_matrix(forearm_axis * angle[:, None]) @ posed[forearm.name]
    basis = {upper.name: local_rotations(posed[upper.name], _rot(parent_matrix), upper.offset)}
    for bone in keyed[1:]:
        basis[bone.name] = local_rotations(posed[bone.name], posed[bone.parent], bone.offset)
    arm_bones = (upper.name, forearm.name, hand.name)
    return SidePose(basis, arm_bones, target, posed[hand.name])


def _rot(matrix: np.ndarray) -> np.ndarray:
    return matrix[:3, :3] / np.linalg.norm(matrix[:3, 0])


def build_take_action(
    armature: bpy.types.Object,
    mapping: BoneMapping,
    motion: HandMotion,
    piano_matrix: np.ndarray,
    *,
    action_name: str,
    frame_start: int = 1,
    arm_ik: bool = False,
) -> bpy.types.Action:
    """One Action (not assigned) keying both arms and hands; removed again on failure.

    With `arm_ik` the arms and hands are left to IK constraints (retarget_ik): instead of
    their rotations the Action keys each side's IK target (a slot per target empty)."""
    motion.validate(action_name)
    _uniform_scale(piano_matrix, "the piano")
    _uniform_scale(np.array(armature.matrix_world), f"armature {armature.name!r}")
    poses = {side: side_pose(armature, mapping, motion, side, piano_matrix) for side in HANDS}
    frames = frame_start + np.arange(motion.num_frames, dtype=float)
    with keying.new_action(action_name) as action:
        action[TAKE_PROPERTY] = True
        slot = keying.new_slot(action, armature)
        for pose in poses.values():
            for name, basis in pose.basis.items():
                if arm_ik and name in pose.arm_bones:
                    continue
                _write_rotation(action, slot, f'pose.bones["{name}"]', frames, basis, name)
        if arm_ik:
            for side, pose in poses.items():
                target = action.slots.new(id_type="OBJECT", name=ik_target_name(armature, side))
                for i in range(3):
                    keying.write_fcurve(action, target, "location", i, frames, pose.wrist[:, i],
                                        group="Object Transforms")  # fmt: skip
                _write_rotation(action, target, "", frames, pose.hand_rotation,
                                "Object Transforms")  # fmt: skip
        for switch in _RIGIFY_SWITCH.values():
            bone = armature.pose.bones.get(switch)
            if bone is not None and "IK_FK" in bone:
                path = f'pose.bones["{switch}"]["IK_FK"]'
                keying.write_fcurve(action, slot, path, 0, frames[:1], np.ones(1),
                                    group=switch, interpolation="CONSTANT")  # fmt: skip
    return action


def ik_target_name(armature: bpy.types.Object, side: str) -> str:
    return f"S2C_IK_{armature.name}_{'L' if side == 'left' else 'R'}"


def _write_rotation(action, slot, owner: str, frames, rotations: np.ndarray, group: str) -> None:
    quats = make_quaternions_continuous(matrix_to_quaternion(rotations), axis=0)
    path = f"{owner}.rotation_quaternion" if owner else "rotation_quaternion"
    for i in range(4):
        keying.write_fcurve(action, slot, path, i, frames, quats[:, i], group=group)


def assign_take(armature: bpy.types.Object, action: bpy.types.Action) -> None:
    """Make `action` the armature's active Action; a non-take Action it had before goes to
    an NLA track underneath (once), so the character's other animation keeps playing."""
    animation_data = armature.animation_data or armature.animation_data_create()
    previous = animation_data.action
    if previous is not None and not previous.get(TAKE_PROPERTY):
        track = animation_data.nla_tracks.new()
        track.name = BASE_TRACK_PREFIX + previous.name
        start = int(previous.frame_range[0])
        strip = track.strips.new(previous.name, start, previous)
        strip.action_slot = animation_data.action_slot
        animation_data.action = None
    for name in _take_bones(action):
        armature.pose.bones[name].rotation_mode = "QUATERNION"
    keying.assign_action(armature, action, action.slots[0])


def _take_bones(action: bpy.types.Action) -> list[str]:
    prefix = 'pose.bones["'
    return sorted(
        {
            fcurve.data_path[len(prefix) :].split('"]')[0]
            for fcurve in keying.action_fcurves(action)
            if fcurve.data_path.startswith(prefix)
            and fcurve.data_path.endswith("rotation_quaternion")
        }
    )
