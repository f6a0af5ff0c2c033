"""Operators of the Target Rig panel: find the hand bones, save and load mapping presets."""

# ruff: noqa: N801 -- Blender requires class names like S2C_OT_generate (CATEGORY_OT_name)

from __future__ import annotations

from pathlib import Path

import bpy
from bpy.props import StringProperty
from bpy_extras.io_utils import ExportHelper, ImportHelper

from . import character, retarget
from .reports import report_outcome
from .retarget_names import load_preset, save_preset

USER_ERRORS = (OSError, ValueError)


def find_bones(scene: bpy.types.Scene) -> str:
    """Fill the mapping table from the target rig's bone names; returns the convention."""
    settings = scene.s2c_hands
    mapping = retarget.mapping_for(settings.target_rig)
    character.fill_table(settings, mapping)
    return mapping.convention


def load_bone_preset(scene: bpy.types.Scene, path: Path) -> None:
    """Load a preset into the table after checking it against the target rig (if any)."""
    settings = scene.s2c_hands
    mapping = load_preset(path)
    if settings.target_rig is not None:
        retarget.mapping_for(settings.target_rig, mapping)
    character.fill_table(settings, mapping)


def save_bone_preset(scene: bpy.types.Scene, path: Path) -> Path:
    mapping = character.table_mapping(scene.s2c_hands)
    if mapping is None:
        raise ValueError("the bone mapping table is empty: find the bones first")
    return save_preset(path, mapping)


class S2C_OT_find_bones(bpy.types.Operator):
    """Find the target rig's arm, hand and finger bones by their names"""

    bl_idname = "s2c.find_bones"
    bl_label = "Find Hand Bones"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene.s2c_hands.target_rig is not None

    def execute(self, context: bpy.types.Context) -> set[str]:
        def find() -> str:
            return f"{find_bones(context.scene)} hand bones found"

        return report_outcome(self, find, USER_ERRORS)


class S2C_OT_save_bone_preset(bpy.types.Operator, ExportHelper):
    """Save the bone mapping table as a preset (JSON) for rigs named the same way"""

    bl_idname = "s2c.save_bone_preset"
    bl_label = "Save Mapping Preset"
    filename_ext = ".json"
    filter_glob: StringProperty(default="*.json", options={"HIDDEN"})

    def execute(self, context: bpy.types.Context) -> set[str]:
        def save() -> None:
            save_bone_preset(context.scene, Path(self.filepath))

        return report_outcome(self, save, USER_ERRORS)


class S2C_OT_load_bone_preset(bpy.types.Operator, ImportHelper):
    """Load a bone mapping preset (JSON) into the table"""

    bl_idname = "s2c.load_bone_preset"
    bl_label = "Load Mapping Preset"
    bl_options = {"REGISTER", "UNDO"}
    filename_ext = ".json"
    filter_glob: StringProperty(default="*.json", options={"HIDDEN"})

    def execute(self, context: bpy.types.Context) -> set[str]:
        return report_outcome(
            self, lambda: load_bone_preset(context.scene, Path(self.filepath)), USER_ERRORS
        )


class S2C_OT_piano_point_from_cursor(bpy.types.Operator):
    """Set this piano reference point to the 3D cursor (snap the cursor to the key corner)"""

    bl_idname = "s2c.piano_point_from_cursor"
    bl_label = "From 3D Cursor"
    bl_options = {"REGISTER", "UNDO"}
    which: StringProperty(default="low", options={"HIDDEN"})

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.s2c_hands
        setattr(settings, f"piano_{self.which}_point", context.scene.cursor.location)
        return {"FINISHED"}


CLASSES = (
    S2C_OT_find_bones,
    S2C_OT_save_bone_preset,
    S2C_OT_load_bone_preset,
    S2C_OT_piano_point_from_cursor,
)
