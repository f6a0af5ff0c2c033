"""The settings the panel shows.

Take settings live on the Scene, so they are saved with the .blend. The state of a running
job lives on the WindowManager, which is never saved: a file saved mid-run must not reopen
showing a job that no longer exists.
"""

# ruff: noqa: N801 -- Blender requires class names like S2C_OT_generate (CATEGORY_OT_name)

from __future__ import annotations

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    FloatVectorProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from . import backend

# Identifiers are the backend's own engine names, so no mapping table is needed.
ENGINE_ITEMS = [
    ("auto", "Auto", "Pick the engine the input and installed checkpoints allow"),
    ("midi", "MIDI", "Fingering + inverse kinematics from notes; no learned weights"),
    ("s2c", "S2C", "The S2C diffusion model on audio (needs its checkpoints)"),
]
HAND_MODEL_ITEMS = [
    ("builtin", "Built-in", "S2C Hands' own hand rig"),
    ("mano", "MANO", "Rest joints from the MANO file set in the preferences"),
]
EXPORT_FORMAT_ITEMS = [
    ("fbx", "FBX", "Armatures, skinned hands and baked animation for Unity/Unreal"),
    ("gltf", "glTF", "Binary glTF (.glb) with the same content"),
]
REDUCE_ITEMS = [
    ("nth", "Every Nth Frame", "Keep one key in N"),
    ("tolerance", "Tolerance", "Drop keys the curve still passes within the tolerance"),
]
PIANO_MODE_ITEMS = [
    ("builtin", "Built-in", "S2C Hands' own 88-key piano (built in front of the character)"),
    ("objects", "Two Keys", "Your piano: its lowest and highest key objects and their pitches"),
    ("points", "Two Points", "Your piano: the lowest key's front-left and the highest key's "
     "front-right top corners"),
]  # fmt: skip
INPUT_GLOB = ";".join(f"*{suffix}" for suffix in backend.INPUT_SUFFIXES)


def _is_armature(_settings, obj: bpy.types.Object) -> bool:
    return obj.type == "ARMATURE"


class S2C_PG_bone(bpy.types.PropertyGroup):
    """One row of the bone mapping table: which bone plays a hand's joint."""

    side: StringProperty(name="Side")
    slot: StringProperty(name="Joint")
    bone: StringProperty(name="Bone", description="Bone of the target rig for this joint")


class S2C_PG_settings(bpy.types.PropertyGroup):
    input_path: StringProperty(
        name="Input",
        description="Piano recording or MIDI file (" + INPUT_GLOB.replace(";", " ") + ")",
    )
    engine: EnumProperty(name="Engine", items=ENGINE_ITEMS, default="auto")
    seed: IntProperty(name="Seed", description="Random seed of the take", min=0, default=0)
    steps: IntProperty(
        name="Sampler Steps", description="Diffusion steps (S2C engine)", min=1, max=1000,
        default=50,
    )  # fmt: skip
    reference_compat: BoolProperty(
        name="Reference Compatible",
        description="S2C exactly as the authors' infer.py: each 8 s window alone, 1000 DDPM "
        "steps, their causal mask and dropout, Savitzky-Golay smoothing (slow)",
        default=False,
    )
    frame_start: IntProperty(name="Start Frame", description="Frame of the first key", default=1)
    hand_model: EnumProperty(name="Hand Model", items=HAND_MODEL_ITEMS, default="builtin")
    export_format: EnumProperty(name="Format", items=EXPORT_FORMAT_ITEMS, default="fbx")
    include_piano: BoolProperty(name="Include Piano", default=True)
    reduce_mode: EnumProperty(name="Reduce Keys", items=REDUCE_ITEMS, default="nth")
    every_nth: IntProperty(name="Keep Every", min=2, max=60, default=2)
    tolerance: FloatProperty(
        name="Tolerance", description="Largest allowed change of a curve value", min=0.0,
        default=0.01, precision=4,
    )  # fmt: skip
    target_rig: PointerProperty(
        name="Target Rig", type=bpy.types.Object, poll=_is_armature,
        description="Your character's armature to key the take onto (empty: built-in hands)",
    )  # fmt: skip
    arm_ik: BoolProperty(
        name="Arm IK Constraints",
        description="Drive the arms with IK constraints and keyed targets you can edit, "
        "instead of baked arm rotations",
        default=False,
    )
    bones: CollectionProperty(type=S2C_PG_bone)
    bone_convention: StringProperty(name="Convention")
    piano_mode: EnumProperty(name="Piano", items=PIANO_MODE_ITEMS, default="builtin")
    piano_low_object: PointerProperty(name="Lowest Key", type=bpy.types.Object)
    piano_high_object: PointerProperty(name="Highest Key", type=bpy.types.Object)
    piano_low_point: FloatVectorProperty(name="Lowest Key Left", subtype="TRANSLATION")
    piano_high_point: FloatVectorProperty(name="Highest Key Right", subtype="TRANSLATION")
    piano_low_pitch: IntProperty(name="Lowest Pitch", min=21, max=108, default=36)
    piano_high_pitch: IntProperty(name="Highest Pitch", min=21, max=108, default=96)
    piano_keys_pattern: StringProperty(
        name="Key Names",
        description="Name pattern of your key objects to press: {name} (C#4), {pitch} (61) "
        "or {index} (0 = lowest key); empty: keys are not animated",
    )


class S2C_PG_job(bpy.types.PropertyGroup):
    running: BoolProperty(default=False)
    cancel_requested: BoolProperty(default=False)
    progress: FloatProperty(min=0.0, max=1.0, subtype="FACTOR")
    message: StringProperty()
    failed: BoolProperty(default=False)


CLASSES = (S2C_PG_bone, S2C_PG_settings, S2C_PG_job)


def register_properties() -> None:
    bpy.types.Scene.s2c_hands = bpy.props.PointerProperty(type=S2C_PG_settings)
    bpy.types.WindowManager.s2c_hands_job = bpy.props.PointerProperty(type=S2C_PG_job)
    # the official model's download (preferences), a job of the same shape
    bpy.types.WindowManager.s2c_hands_download = bpy.props.PointerProperty(type=S2C_PG_job)


def unregister_properties() -> None:
    del bpy.types.WindowManager.s2c_hands_download
    del bpy.types.WindowManager.s2c_hands_job
    del bpy.types.Scene.s2c_hands
