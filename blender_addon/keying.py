"""HandMotion -> one new Action per hand, fcurves written in bulk.

MANO semantics: every joint has identity rest orientation in the canonical hand frame,
joint j's world rotation is world(parent) @ R(hand_pose_j), `global_orient` turns the
whole hand about the wrist and `transl` places the wrist. A Blender bone adds its own rest
rotation B_j (armature space, Y along the bone), so the pose-bone quaternion that gives
the same world rotation is Q_j = B_j^T R_j B_j (with R_0 = R(global_orient) for the wrist).

Root motion: the armature object stays at the world origin with identity transform (the
armature space is the piano world) and the wrist bone carries the translation as its pose
location, expressed in its rest frame: loc = B_0^T (transl - wrist_rest_head). Game
engines then see root motion on the root bone, and the object can still be moved by hand.

Frames where `present` is False hold the nearest present frame's pose (no jump to an
undefined pose), and the armature's custom property "s2c_present" is keyed 0/1 with
constant interpolation so a driver, a script or a game engine can hide the hand there.

Blender 4.4+ slotted actions only: fcurves live in a channelbag per (layer strip, slot).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import bpy
import numpy as np
from bpy_extras import anim_utils

from s2c_core.hand.rotations import (
    axis_angle_to_matrix,
    make_quaternions_continuous,
    matrix_to_quaternion,
)
from s2c_core.hand.skeleton import JOINT_NAMES, NUM_MANO_JOINTS
from s2c_core.motion import HandTrack

KEYED_BONES: tuple[str, ...] = JOINT_NAMES[:NUM_MANO_JOINTS]  # wrist + 15 finger joints
ROOT_BONE = KEYED_BONES[0]
PRESENT_PROPERTY = "s2c_present"

_INTERPOLATION = bpy.types.Keyframe.bl_rna.properties["interpolation"].enum_items


@contextmanager
def new_action(name: str) -> Iterator[bpy.types.Action]:
    """A new Action for the body to fill, removed again if the body fails (a failed take
    leaves nothing behind); with a fake user, so a take survives when another is assigned."""
    action = bpy.data.actions.new(name)
    action.use_fake_user = True
    try:
        yield action
    except BaseException:
        bpy.data.actions.remove(action)
        raise


def new_slot(action: bpy.types.Action, obj: bpy.types.Object) -> bpy.types.ActionSlot:
    return action.slots.new(id_type="OBJECT", name=obj.name)


def write_fcurve(
    action: bpy.types.Action,
    slot: bpy.types.ActionSlot,
    data_path: str,
    index: int,
    frames: np.ndarray,
    values: np.ndarray,
    *,
    group: str,
    interpolation: str = "LINEAR",
) -> bpy.types.FCurve:
    """Create one fcurve and fill all its keys with two foreach_set calls."""
    channelbag = anim_utils.action_ensure_channelbag_for_slot(action, slot)
    fcurve = channelbag.fcurves.new(data_path, index=index, group_name=group)
    set_keys(fcurve, frames, values, interpolation=interpolation)
    return fcurve


def set_keys(
    fcurve: bpy.types.FCurve,
    frames: np.ndarray,
    values: np.ndarray,
    *,
    interpolation: str = "LINEAR",
) -> None:
    """Replace an fcurve's keys in bulk (keyframe_points.add + foreach_set)."""
    points = fcurve.keyframe_points
    points.clear()
    points.add(len(frames))
    co = np.column_stack([frames, values]).astype(np.float32)
    points.foreach_set("co", co.ravel())
    points.foreach_set(
        "interpolation", np.full(len(frames), _INTERPOLATION[interpolation].value, np.int32)
    )
    fcurve.update()  # recomputes handles and sorts; keys written raw have none yet


def action_fcurves(action: bpy.types.Action) -> list[bpy.types.FCurve]:
    """Every fcurve of a slotted action, across layers, strips and slots."""
    return [
        fcurve
        for layer in action.layers
        for strip in layer.strips
        for channelbag in strip.channelbags
        for fcurve in channelbag.fcurves
    ]


def assign_action(
    obj: bpy.types.Object, action: bpy.types.Action, slot: bpy.types.ActionSlot
) -> None:
    animation_data = obj.animation_data or obj.animation_data_create()
    animation_data.action = action
    animation_data.action_slot = slot


def rest_rotations(armature: bpy.types.Object) -> np.ndarray:
    """(16, 3, 3) armature-space rest rotation B_j of each keyed bone."""
    bones = armature.data.bones
    return np.array([np.array(bones[name].matrix_local)[:3, :3] for name in KEYED_BONES])


def hold_absent(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Fill frames where the hand is absent with the nearest earlier (else later) present frame."""
    present = np.asarray(present, dtype=bool)
    if present.all() or not present.any():
        return values
    frames = np.arange(len(present))
    last = np.maximum.accumulate(np.where(present, frames, -1))
    first_present = int(np.argmax(present))
    source = np.where(last >= 0, last, first_present)
    return values[source]


def pose_channels(
    track: HandTrack, rest: np.ndarray, root_head: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(T, 16, 4) continuous pose-bone quaternions (w, x, y, z) and (T, 3) wrist locations."""
    aa = np.concatenate(
        [
            np.asarray(track.global_orient)[:, None, :],
            np.asarray(track.hand_pose).reshape(-1, 15, 3),
        ],
        axis=1,
    )
    R = axis_angle_to_matrix(aa)
    Q = np.swapaxes(rest, -1, -2) @ R @ rest  # B^T R B, broadcast over frames
    quats = make_quaternions_continuous(matrix_to_quaternion(Q), axis=0)
    # Row vectors: (transl - head) @ B_0 is B_0^T (transl - head).
    location = (np.asarray(track.transl, dtype=float) - root_head) @ rest[0]
    present = track.present
    return hold_absent(quats, present), hold_absent(location, present)


def _hand_channels(quats: np.ndarray, location: np.ndarray, present: np.ndarray):
    """(data_path, index, values, group, interpolation) of every fcurve of a hand Action."""
    for b, name in enumerate(KEYED_BONES):
        for i in range(4):
            path = f'pose.bones["{name}"].rotation_quaternion'
            yield path, i, quats[:, b, i], name, "LINEAR"
    for i in range(3):
        yield f'pose.bones["{ROOT_BONE}"].location', i, location[:, i], ROOT_BONE, "LINEAR"
    yield f'["{PRESENT_PROPERTY}"]', 0, present.astype(float), "S2C", "CONSTANT"


def hand_action(
    armature: bpy.types.Object, track: HandTrack, *, action_name: str, frame_start: int
) -> bpy.types.Action:
    """Build (not assign) one Action holding a hand track; removed again if anything fails."""
    rest = rest_rotations(armature)
    root_head = np.array(armature.data.bones[ROOT_BONE].head_local)
    quats, location = pose_channels(track, rest, root_head)
    frames = frame_start + np.arange(track.num_frames, dtype=float)
    with new_action(action_name) as action:
        slot = new_slot(action, armature)
        for path, index, values, group, interpolation in _hand_channels(
            quats, location, np.asarray(track.present)
        ):
            write_fcurve(
                action, slot, path, index, frames, values, group=group, interpolation=interpolation
            )
    return action


def assign_hand_action(armature: bpy.types.Object, action: bpy.types.Action) -> None:
    for bone in armature.pose.bones:
        bone.rotation_mode = "QUATERNION"
    assign_action(armature, action, action.slots[0])
