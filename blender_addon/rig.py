"""Hand armatures ("S2C_Hand_L" / "S2C_Hand_R") with a skinned hand mesh of our own.

Bones: the 16 MANO joints plus 5 tip bones, named as s2c_core's JOINT_NAMES ("wrist",
"index1".."index3", ..., "index_tip", ...). Each bone runs from its joint to the next joint
of its chain (the wrist to middle1, segment 3 to the tip), so bone heads are exactly the
rig's rest joints and, once keyed, the FK joints. Tip bones continue the last segment; they
do not deform and make FBX's extra leaf bones unnecessary.

Bone roll: every bone's Z axis points to the back of the hand (+Y in the canonical frame,
for both hands, since the left hand mirrors x only), so curling a finger is a rotation
about the bones' local X in both hands and rolls are consistent along every chain.

The armature object sits at the world origin with identity transform; the rest pose is the
canonical hand frame (wrist at the origin). Skin: hand_mesh's closed quad mesh fitted to the
rig's rest joints (so a MANO take's hand keeps MANO's proportions), weights blended across
every joint, skin and nail materials, and a Subdivision modifier after the Armature one.
"""

from __future__ import annotations

import bpy
import numpy as np

from s2c_core.hand.rig import HandRig
from s2c_core.hand.skeleton import FINGERS, JOINT_NAMES, NUM_MANO_JOINTS, PARENTS, finger_chain

from . import hand_mesh
from .blend_data import ensure_collection, ensure_material, mesh_from_arrays, new_object
from .keying import PRESENT_PROPERTY

COLLECTION_NAME = "S2C Hands"
ARMATURE_NAMES = {"left": "S2C_Hand_L", "right": "S2C_Hand_R"}
MESH_NAMES = {"left": "S2C_HandMesh_L", "right": "S2C_HandMesh_R"}
SIDE_PROPERTY = "s2c_side"
BACK_OF_HAND = np.array([0.0, 1.0, 0.0])  # palm faces -Y in the canonical frame

_TIP_BONE_LENGTH = 0.5  # tip bone length as a fraction of the last segment
_SKIN_RGBA = (0.80, 0.60, 0.50, 1.0)
_NAIL_RGBA = (0.93, 0.80, 0.76, 1.0)


def bone_segments(rig: HandRig) -> tuple[np.ndarray, np.ndarray]:
    """(21, 3) heads and tails of every bone in the canonical (armature) frame."""
    heads = np.asarray(rig.rest_joints, dtype=float)
    tails = np.empty_like(heads)
    tails[0] = heads[finger_chain("middle")[0]]
    for finger in FINGERS:
        chain = finger_chain(finger)
        tails[list(chain[:-1])] = heads[list(chain[1:])]
        tip, last = chain[-1], chain[-2]
        tails[tip] = heads[tip] + _TIP_BONE_LENGTH * (heads[tip] - heads[last])
    return heads, tails


def build_hand(scene: bpy.types.Scene, rig: HandRig) -> bpy.types.Object:
    """One hand (armature + skinned mesh child) for `rig.side`, in the "S2C Hands" collection."""
    collection = ensure_collection(scene, COLLECTION_NAME)
    name = ARMATURE_NAMES[rig.side]
    armature = new_object(collection, name, bpy.data.armatures.new(name))
    armature[SIDE_PROPERTY] = rig.side
    armature[PRESENT_PROPERTY] = 1.0
    _add_bones(scene, armature, rig)
    for bone in armature.pose.bones:
        bone.rotation_mode = "QUATERNION"
    data, surface = _hand_mesh(rig)
    mesh = new_object(collection, MESH_NAMES[rig.side], data, parent=armature)
    _skin(mesh, surface.weights)
    modifier = mesh.modifiers.new("Armature", "ARMATURE")
    modifier.object = armature
    # Deform the cage, then smooth it for renders. The dense cage is smooth enough for the
    # viewport and for playback (a level there makes every frame change 4x the work).
    subdivision = mesh.modifiers.new("Subdivision", "SUBSURF")
    subdivision.levels, subdivision.render_levels = 0, 1
    return armature


def _add_bones(scene: bpy.types.Scene, armature: bpy.types.Object, rig: HandRig) -> None:
    """Edit bones exist only in edit mode, so this is the one place the rig uses bpy.ops."""
    heads, tails = bone_segments(rig)
    view_layer = scene.view_layers[0]
    view_layer.objects.active = armature
    with bpy.context.temp_override(
        scene=scene, view_layer=view_layer, active_object=armature, object=armature
    ):
        bpy.ops.object.mode_set(mode="EDIT")
        try:
            edit_bones = armature.data.edit_bones
            for j, name in enumerate(JOINT_NAMES):
                bone = edit_bones.new(name)
                bone.head, bone.tail = heads[j], tails[j]
                bone.align_roll(BACK_OF_HAND)
                bone.use_deform = j < NUM_MANO_JOINTS
                if PARENTS[j] >= 0:
                    bone.parent = edit_bones[JOINT_NAMES[PARENTS[j]]]
                    # Segment 1 bones start away from the wrist bone's tail (it ends at middle1).
                    bone.use_connect = np.allclose(heads[j], tails[PARENTS[j]])
        finally:
            bpy.ops.object.mode_set(mode="OBJECT")


def _hand_mesh(rig: HandRig) -> tuple[bpy.types.Mesh, hand_mesh.HandSurface]:
    """The skin of `rig` (built for the right hand and mirrored for the left)."""
    right = rig.for_side("right")
    surface = hand_mesh.hand_surface(right.rest_joints, right.flex_axes)
    if rig.side == "left":
        surface = surface.mirrored()
    mesh = mesh_from_arrays(MESH_NAMES[rig.side], surface.vertices, surface.quads, smooth=True)
    mesh.materials.append(ensure_material("S2C_Skin", _SKIN_RGBA, 0.6))
    mesh.materials.append(ensure_material("S2C_Nail", _NAIL_RGBA, 0.3))
    mesh.polygons.foreach_set("material_index", surface.nail.astype(np.int32))
    return mesh, surface


def _skin(mesh_object: bpy.types.Object, weights: np.ndarray) -> None:
    """One vertex group per deforming bone, filled from the (V, 16) weight matrix."""
    for j in range(NUM_MANO_JOINTS):
        group = mesh_object.vertex_groups.new(name=JOINT_NAMES[j])
        column = weights[:, j]
        for weight in np.unique(column[column > 0.0]):
            group.add(np.flatnonzero(column == weight).tolist(), float(weight), "REPLACE")
