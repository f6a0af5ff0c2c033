"""Live arm IK for a character take, created on request (instead of baked arm rotations).

Per side: an empty "S2C_IK_<armature>_L/R" (the IK target, child of the armature so its
keys are in armature space; the take keys its location to the wrist's path and its
rotation to the hand's), a static pole empty in front of the elbow's bend, an IK
constraint on the bone that ends at the hand (chain up to the upper arm) and a Copy
Rotation constraint that gives the hand the target's rotation. The animator can then move
the targets and the pole by hand. FBX export bakes the evaluated pose, constraints
included.
"""

from __future__ import annotations

import bpy
import numpy as np

from .blend_data import ensure_collection
from .retarget import POLE_DIRECTIONS, ik_target_name
from .retarget_names import BoneMapping

COLLECTION_NAME = "S2C IK"
IK_CONSTRAINT = "S2C Arm IK"
ROTATION_CONSTRAINT = "S2C Hand Rotation"
_POLE_DISTANCE = 1.0  # upper-arm lengths from the elbow


def pole_name(armature: bpy.types.Object, side: str) -> str:
    return ik_target_name(armature, side).replace("S2C_IK_", "S2C_IKPole_")


def ensure_arm_ik(
    scene: bpy.types.Scene, armature: bpy.types.Object, mapping: BoneMapping
) -> dict[str, bpy.types.Object]:
    """Create (once) both sides' IK targets, poles and constraints; side -> target empty."""
    collection = ensure_collection(scene, COLLECTION_NAME)
    return {side: _side(collection, armature, mapping.bones[side], side) for side in mapping.bones}


def _empty(collection, armature, name: str, location) -> bpy.types.Object:
    obj = bpy.data.objects.get(name)
    if obj is None:
        obj = bpy.data.objects.new(name, None)
        collection.objects.link(obj)
        obj.empty_display_type = "SPHERE"
        obj.parent = armature  # parent inverse stays identity: local space = armature space
        obj.rotation_mode = "QUATERNION"
        obj.location = location
    return obj


def _side(collection, armature: bpy.types.Object, hand: dict[str, str], side: str):
    bones = armature.data.bones
    upper, hand_bone = bones[hand["upper_arm"]], bones[hand["wrist"]]
    tip = hand_bone.parent  # the bone that ends at the hand: the IK chain's last bone
    chain = 1
    current = tip
    while current is not None and current.name != upper.name:
        chain, current = chain + 1, current.parent
    elbow = np.array(bones[hand["forearm"]].head_local)
    reach = np.linalg.norm(elbow - np.array(upper.head_local))
    pole_direction = POLE_DIRECTIONS[side] / np.linalg.norm(POLE_DIRECTIONS[side])
    pole_at = elbow + _POLE_DISTANCE * reach * pole_direction
    target = _empty(collection, armature, ik_target_name(armature, side), hand_bone.head_local)
    pole = _empty(collection, armature, pole_name(armature, side), pole_at)
    pose_tip = armature.pose.bones[tip.name]
    ik = pose_tip.constraints.get(IK_CONSTRAINT) or pose_tip.constraints.new("IK")
    ik.name = IK_CONSTRAINT
    ik.target, ik.pole_target, ik.chain_count = target, pole, chain
    ik.pole_angle = _pole_angle(upper, tip, pole_at)
    pose_hand = armature.pose.bones[hand_bone.name]
    copy = pose_hand.constraints.get(ROTATION_CONSTRAINT) or pose_hand.constraints.new(
        "COPY_ROTATION"
    )
    copy.name = ROTATION_CONSTRAINT
    copy.target = target
    return target


def _pole_angle(base: bpy.types.Bone, tip: bpy.types.Bone, pole: np.ndarray) -> float:
    """The IK pole angle that points the chain's bend plane at `pole` without turning it
    from its rest pose (the signed angle between the base bone's X axis and the pole's
    direction seen along the base bone)."""
    head, base_tail = np.array(base.head_local), np.array(base.tail_local)
    along = base_tail - head
    normal = np.cross(np.array(tip.tail_local) - head, pole - head)
    towards_pole = np.cross(normal, along)
    x_axis = np.array(base.matrix_local)[:3, 0]
    angle = np.arctan2(np.linalg.norm(np.cross(x_axis, towards_pole)), np.dot(x_axis, towards_pole))
    return float(-angle if np.dot(np.cross(x_axis, towards_pole), along) < 0 else angle)


def assign_targets(targets: dict[str, bpy.types.Object], action: bpy.types.Action) -> None:
    """Give each IK target its slot of the take's Action."""
    from . import keying

    for target in targets.values():
        keying.assign_action(target, action, action.slots["OB" + target.name])
