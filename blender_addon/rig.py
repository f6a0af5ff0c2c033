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
canonical hand frame (wrist at the origin). Skin: a tapered tube per finger segment and a
flattened tube for the palm, in one mesh; each tube is bound rigidly to its bone and blends
50/50 with its neighbour at each joint, falling off over the outer third of the tube.
"""

from __future__ import annotations

import bpy
import numpy as np

from s2c_core.hand.rig import HandRig
from s2c_core.hand.skeleton import FINGERS, JOINT_NAMES, NUM_MANO_JOINTS, PARENTS, finger_chain

from .blend_data import ensure_collection, ensure_material, mesh_from_arrays, new_object
from .keying import PRESENT_PROPERTY

COLLECTION_NAME = "S2C Hands"
ARMATURE_NAMES = {"left": "S2C_Hand_L", "right": "S2C_Hand_R"}
MESH_NAMES = {"left": "S2C_HandMesh_L", "right": "S2C_HandMesh_R"}
SIDE_PROPERTY = "s2c_side"
BACK_OF_HAND = np.array([0.0, 1.0, 0.0])  # palm faces -Y in the canonical frame

_TIP_BONE_LENGTH = 0.5  # tip bone length as a fraction of the last segment
_FINGER_RADIUS = {"index": 0.0095, "middle": 0.0098, "pinky": 0.0082, "ring": 0.0092}
_THUMB_RADIUS = 0.0115
_SEGMENT_TAPER = 0.88  # radius ratio from one segment's base to the next
_PALM_HALF_THICKNESS = 0.014
_PALM_WRIST_HALF_WIDTH = 0.030
_TUBE_SIDES = 12
_TUBE_RINGS = 5
_BLEND_BAND = 1.0 / 3.0  # fraction of a tube, at each end, that blends with its neighbour
_SKIN_RGBA = (0.80, 0.60, 0.50, 1.0)
# Segments 1 and 2 of each finger blend into the next segment; segment 3 ends at the tip.
_NEXT_SEGMENT = {j: j + 1 for f in FINGERS for j in finger_chain(f)[:2]}


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
    tubes = _hand_tubes(rig)
    mesh = new_object(
        collection, MESH_NAMES[rig.side], _hand_mesh(rig.side, tubes), parent=armature
    )
    _skin(mesh, tubes)
    modifier = mesh.modifiers.new("Armature", "ARMATURE")
    modifier.object = armature
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


def _tube(
    start: np.ndarray,
    end: np.ndarray,
    radii: tuple[float, float],
    width: tuple[float, float],
) -> np.ndarray:
    """(rings, sides, 3) vertices of an elliptical tube; `width` scales the side-to-side axis."""
    axis = end - start
    direction = axis / np.linalg.norm(axis)
    up = BACK_OF_HAND - np.dot(BACK_OF_HAND, direction) * direction
    up /= np.linalg.norm(up)
    side = np.cross(direction, up)
    t = np.linspace(0.0, 1.0, _TUBE_RINGS)[:, None, None]
    angle = np.linspace(0.0, 2.0 * np.pi, _TUBE_SIDES, endpoint=False)[None, :, None]
    radius = radii[0] + (radii[1] - radii[0]) * t
    half_width = width[0] + (width[1] - width[0]) * t
    return start + t * axis + radius * np.cos(angle) * up + half_width * np.sin(angle) * side


def _tube_faces(base: int) -> list[tuple[int, ...]]:
    """Outward-facing side quads and end caps of a tube whose vertices start at `base`.

    Ring vertices run anticlockwise about the tube's direction, so the start cap lists
    them backwards and each side quad goes round (ring, k) -> (ring, k+1) -> next ring.
    """
    s = _TUBE_SIDES
    faces = [
        tuple(
            base + r * s + i
            for r, i in ((r, k), (r, (k + 1) % s), (r + 1, (k + 1) % s), (r + 1, k))
        )
        for r in range(_TUBE_RINGS - 1)
        for k in range(s)
    ]
    faces.append(tuple(base + k for k in reversed(range(s))))
    faces.append(tuple(base + (_TUBE_RINGS - 1) * s + k for k in range(s)))
    return faces


def _hand_tubes(rig: HandRig) -> list[tuple[int, np.ndarray]]:
    """(owning joint, tube vertices) for the palm (the wrist bone) and each finger segment."""
    heads, tails = bone_segments(rig)
    bases = [heads[finger_chain(f)[0]] for f in FINGERS if f != "thumb"]
    knuckle_half_width = 0.5 * np.ptp(np.array(bases)[:, 2]) + _FINGER_RADIUS["middle"]
    tubes = [
        (
            0,
            _tube(
                heads[0],
                np.mean(bases, axis=0),
                (_PALM_HALF_THICKNESS, _PALM_HALF_THICKNESS),
                (_PALM_WRIST_HALF_WIDTH, knuckle_half_width),
            ),
        )
    ]
    for finger in FINGERS:
        radius = _THUMB_RADIUS if finger == "thumb" else _FINGER_RADIUS[finger]
        for j in finger_chain(finger)[:-1]:
            r1 = radius * _SEGMENT_TAPER
            tubes.append((j, _tube(heads[j], tails[j], (radius, r1), (radius, r1))))
            radius = r1
    return tubes


def _hand_mesh(side: str, tubes: list[tuple[int, np.ndarray]]) -> bpy.types.Mesh:
    vertices, faces = [], []
    for _, tube in tubes:
        faces += _tube_faces(sum(len(v) for v in vertices))
        vertices.append(tube.reshape(-1, 3))
    mesh = mesh_from_arrays(MESH_NAMES[side], np.concatenate(vertices), faces, smooth=True)
    mesh.materials.append(ensure_material("S2C_Skin", _SKIN_RGBA, 0.6))
    return mesh


def _ring_weights(joint: int) -> list[dict[int, float]]:
    """Bone weights of each ring of joint's tube: rigid in the middle, 50/50 at the joints."""
    weights = []
    for t in np.linspace(0.0, 1.0, _TUBE_RINGS):
        ring: dict[int, float] = {}
        if joint != 0:
            ring[PARENTS[joint]] = 0.5 * max(0.0, 1.0 - t / _BLEND_BAND)
        if joint in _NEXT_SEGMENT:
            ring[_NEXT_SEGMENT[joint]] = 0.5 * max(0.0, 1.0 - (1.0 - t) / _BLEND_BAND)
        ring[joint] = 1.0 - sum(ring.values())
        weights.append({bone: w for bone, w in ring.items() if w > 0.0})
    return weights


def _skin(mesh_object: bpy.types.Object, tubes: list[tuple[int, np.ndarray]]) -> None:
    groups = {j: mesh_object.vertex_groups.new(name=JOINT_NAMES[j]) for j in range(NUM_MANO_JOINTS)}
    base = 0
    for joint, tube in tubes:
        for r, ring in enumerate(_ring_weights(joint)):
            indices = list(range(base + r * _TUBE_SIDES, base + (r + 1) * _TUBE_SIDES))
            for bone, weight in ring.items():
                groups[bone].add(indices, weight, "REPLACE")
        base += tube.shape[0] * tube.shape[1]
