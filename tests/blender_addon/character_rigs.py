"""Character armatures in the common naming conventions, built by the tests.

Each is a T-posed upper body (character facing -Y, its left at +X) whose hands are our
hand scaled by `hand_scale`; bones get a convention-specific roll, so no two rigs share
bone axes, and carry the helper bones their real counterparts have (twist bones,
metacarpals, leaf end bones). Names are written out here independently of the add-on's
recogniser.
"""

from __future__ import annotations

from collections.abc import Callable

import bpy
import numpy as np

from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.skeleton import FINGERS, finger_chain

# Canonical hand axes -> armature: fingers out along the arm, palm down, thumb forward.
_HAND_AXES = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]]).T
SHOULDER = np.array([0.18, 0.0, 1.42])
ELBOW = np.array([0.48, 0.03, 1.40])
WRIST = np.array([0.75, 0.0, 1.40])

Namer = Callable[[str, str], str]  # (side, slot) -> bone name


def _sx(side: str) -> float:
    return 1.0 if side == "left" else -1.0


def _mirror(point: np.ndarray, side: str) -> np.ndarray:
    return point * np.array([_sx(side), 1.0, 1.0])


def hand_joints(side: str, scale: float) -> np.ndarray:
    """(21, 3) rest joints of the character's hand, armature space."""
    canonical = scale * builtin_rig(side).rest_joints
    return _mirror(WRIST, side) + canonical @ _HAND_AXES.T


def _names(convention: str) -> Namer:
    def rigify(side, slot):
        s = "L" if side == "left" else "R"
        return f"{slot}.{s}"

    def mixamo(side, slot):
        return "mixamorig:" + side.capitalize() + slot

    def unreal(side, slot):
        return f"{slot}_{side[0]}"

    def unity(side, slot):
        return side.capitalize() + slot

    def mpfb(side, slot):
        return f"{slot}.{'L' if side == 'left' else 'R'}"

    def arp(side, slot):
        return f"{slot}.{side[0]}"

    return {"mixamo": mixamo, "unreal": unreal, "unity": unity, "mpfb": mpfb, "arp": arp,
            "rigify": rigify}[convention]  # fmt: skip


def _finger_names(convention: str, finger: str) -> list[str]:
    """Slot stems of a finger's bones (segments 1..3, then any leaf end bone)."""
    if convention == "mixamo":
        return [f"Hand{finger.capitalize()}{i}" for i in (1, 2, 3, 4)]
    if convention == "unreal":
        return [f"{finger}_0{i}" for i in (1, 2, 3)]
    if convention == "unity":
        word = {"pinky": "Little"}.get(finger, finger.capitalize())
        return [f"{word}{seg}" for seg in ("Proximal", "Intermediate", "Distal")]
    if convention == "mpfb":
        number = {"thumb": 1, "index": 2, "middle": 3, "ring": 4, "pinky": 5}[finger]
        return [f"finger{number}-{i}" for i in (1, 2, 3)]
    return [f"{finger}{i}" for i in (1, 2, 3)]


_ARM = {
    "mixamo": ("Shoulder", "Arm", "ForeArm", "Hand"),
    "unreal": ("clavicle", "upperarm", "lowerarm", "hand"),
    "unity": ("Shoulder", "UpperArm", "LowerArm", "Hand"),
    "mpfb": ("shoulder01", "upperarm01", "lowerarm01", "wrist"),
    "arp": ("shoulder", "arm", "forearm", "hand"),
}
_METACARPAL = {"unreal": "{finger}_metacarpal", "mpfb": "metacarpal{n}", "arp": "{finger}1_base"}
_ROLL_STEP = {"mixamo": 0.0, "unreal": 37.0, "unity": 90.0, "mpfb": -61.0, "arp": 145.0}


def bone_specs(
    convention: str, hand_scale: float, two_bone_thumb: bool = False
) -> list[tuple[str, str | None, tuple]]:
    """(name, parent, (head, tail)) of every bone, parents first, armature space (m).

    `two_bone_thumb`: thumbs without a metacarpal bone, their two bones named as the
    convention's first two thumb segments."""
    name = _names(convention)
    specs = [("root", None, (np.array([0, 0, 0.9]), np.array([0, 0, 1.3])))]
    for side in ("left", "right"):
        shoulder, arm, forearm, hand = (name(side, n) for n in _ARM[convention])
        specs.append((shoulder, "root", (_mirror(np.array([0.02, 0, 1.4]), side),
                                         _mirror(SHOULDER, side))))  # fmt: skip
        elbow, wrist = _mirror(ELBOW, side), _mirror(WRIST, side)
        if convention == "mpfb":  # twist bones inside the arm chain
            mid_upper = 0.5 * (_mirror(SHOULDER, side) + elbow)
            mid_lower = 0.5 * (elbow + wrist)
            specs += [
                (arm, shoulder, (_mirror(SHOULDER, side), mid_upper)),
                (name(side, "upperarm02"), arm, (mid_upper, elbow)),
                (forearm, name(side, "upperarm02"), (elbow, mid_lower)),
                (name(side, "lowerarm02"), forearm, (mid_lower, wrist)),
            ]
            hand_parent = name(side, "lowerarm02")
        else:
            specs += [(arm, shoulder, (_mirror(SHOULDER, side), elbow)),
                      (forearm, arm, (elbow, wrist))]  # fmt: skip
            hand_parent = forearm
            if convention == "unreal":  # twist helpers hang off the chain
                specs += [
                    (name(side, "upperarm_twist_01"), arm, (_mirror(SHOULDER, side), elbow)),
                    (name(side, "lowerarm_twist_01"), forearm, (elbow, wrist)),
                ]
        joints = hand_joints(side, hand_scale)
        specs.append((hand, hand_parent, (joints[0], joints[finger_chain("middle")[0]])))
        for n, finger in enumerate(FINGERS):
            chain = finger_chain(finger)
            parent = hand
            stems = _finger_names(convention, finger)
            if finger != "thumb" and convention in _METACARPAL:
                parent = name(side, _METACARPAL[convention].format(finger=finger, n=n + 1))
                specs.append((parent, hand, (joints[0], joints[chain[0]])))
            segments = list(zip(chain[:3], chain[1:], strict=True))
            if finger == "thumb" and two_bone_thumb:
                segments = segments[1:]
            for stem, (a, b) in zip(stems, segments, strict=False):
                specs.append((name(side, stem), parent, (joints[a], joints[b])))
                parent = name(side, stem)
            if len(stems) > 3:  # leaf end bone past the fingertip
                tip, last = joints[chain[3]], joints[chain[2]]
                specs.append((name(side, stems[3]), parent, (tip, tip + 0.5 * (tip - last))))
    return specs


def build_character(
    scene: bpy.types.Scene,
    convention: str,
    hand_scale: float,
    *,
    object_scale: float = 1.0,
    name: str = "Character",
    two_bone_thumb: bool = False,
) -> bpy.types.Object:
    """An armature object in `convention`, its bones in metres / object_scale."""
    armature = bpy.data.objects.new(name, bpy.data.armatures.new(name))
    scene.collection.objects.link(armature)
    armature.scale = (object_scale,) * 3
    view_layer = scene.view_layers[0]
    view_layer.objects.active = armature
    step = np.deg2rad(_ROLL_STEP[convention])
    with bpy.context.temp_override(
        scene=scene, view_layer=view_layer, active_object=armature, object=armature
    ):
        bpy.ops.object.mode_set(mode="EDIT")
        edit_bones = armature.data.edit_bones
        for k, (bone_name, parent, (head, tail)) in enumerate(
            bone_specs(convention, hand_scale, two_bone_thumb)
        ):
            bone = edit_bones.new(bone_name)
            bone.head, bone.tail = head / object_scale, tail / object_scale
            bone.roll = step * (k % 5)
            if parent:
                bone.parent = edit_bones[parent]
        bpy.ops.object.mode_set(mode="OBJECT")
    return armature


def generate_rigify(scene: bpy.types.Scene) -> bpy.types.Object | None:
    """A rig generated by Blender's bundled Rigify from its human metarig; None when this
    Blender build has no Rigify."""
    import addon_utils

    if not addon_utils.enable("rigify", default_set=True):
        return None
    assert bpy.context.scene == scene  # the operators work on the context's scene
    bpy.ops.object.armature_human_metarig_add()
    view_layer = bpy.context.view_layer
    metarig = view_layer.objects.active
    bpy.ops.pose.rigify_generate()
    bpy.ops.object.mode_set(mode="OBJECT")
    rig = view_layer.objects.active
    bpy.data.objects.remove(metarig)
    return rig


def fingertip_contact(scene, armature, mapping, motion, piano_matrix, tip_bone=str) -> np.ndarray:
    """(N,) bool per note: at its onset frame, the evaluated tail of the playing finger's
    last bone (`tip_bone` of its name) lies over its key and below the key's top, in the
    piano's frame; the same test as engines.midi.metrics.key_contact."""
    from s2c_core.hand.skeleton import PIANO_FINGER_NAMES
    from s2c_core.motion import note_frames
    from s2c_core.music.keyboard import LOWEST_PITCH, Keyboard

    keys = Keyboard().keys
    notes = motion.notes
    onset_frames, _ = note_frames(notes[:, 1], notes[:, 2], motion.fps)
    to_piano = np.linalg.inv(piano_matrix)
    ok = np.zeros(len(notes), dtype=bool)
    for i in np.argsort(onset_frames):
        pitch, hand, finger = int(notes[i, 0]), int(notes[i, 4]), int(notes[i, 5])
        if hand < 0 or finger < 1:
            continue
        scene.frame_set(1 + int(onset_frames[i]))
        side = ("left", "right")[hand]
        bone = tip_bone(mapping.bones[side][f"{PIANO_FINGER_NAMES[finger]}3"])
        tail = np.array(armature.matrix_world) @ np.append(armature.pose.bones[bone].tail, 1.0)
        x, _, z = (to_piano @ tail)[:3]
        key = keys[pitch - LOWEST_PITCH]
        ok[i] = key.x_left <= x <= key.x_right and z < key.z_top
    return ok
