"""The "S2C Hands" tab in the 3D view's sidebar (N panel). Draws only, never changes data."""

# ruff: noqa: N801 -- Blender requires class names like S2C_OT_generate (CATEGORY_OT_name)

from __future__ import annotations

import bpy

from . import backend
from .backend_modal import draw_run
from .preferences import addon_preferences


class S2C_PT_main(bpy.types.Panel):
    bl_idname = "S2C_PT_main"
    bl_label = "S2C Hands"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "S2C Hands"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.s2c_hands
        prefs = addon_preferences(context)
        if prefs is None or not prefs.backend_python:
            _draw_setup_hint(layout)
        row = layout.row(align=True)
        row.prop(settings, "input_path", text="")
        row.operator("s2c.select_input", text="", icon="FILEBROWSER")
        layout.prop(settings, "engine", expand=True)
        choice = engine_choice(settings, prefs)
        layout.label(text=choice.reason, icon="INFO")
        col = layout.column(align=True)
        col.use_property_split = True
        col.prop(settings, "seed")
        # only the diffusion model has sampler steps; the reference mode has its own 1000
        sampled = choice.engine == "s2c" and not settings.reference_compat
        _prop_greyed(col, settings, "steps", sampled)
        col.prop(settings, "frame_start")
        _prop_greyed(col, settings, "hand_model", bool(prefs and prefs.mano_file))
        draw_run(
            layout,
            context.window_manager.s2c_hands_job,
            start="s2c.generate",
            start_icon="PLAY",
            cancel="s2c.cancel_generate",
            working="Working",
            scale_y=1.5,
        )
        layout.operator("s2c.build_piano", icon="OUTLINER_OB_MESH")


def engine_choice(settings, prefs) -> backend.EngineChoice:
    """What Auto (or the chosen engine) will run, for the panel's one-line explanation."""
    checkpoints = bpy.path.abspath(prefs.checkpoint_dir) if prefs and prefs.checkpoint_dir else None
    return backend.choose_engine(
        settings.engine, bpy.path.abspath(settings.input_path), checkpoints
    )


def _prop_greyed(layout: bpy.types.UILayout, settings, name: str, active: bool) -> None:
    """A setting drawn greyed out (still editable) where it has no effect on the run."""
    row = layout.row()
    row.active = active
    row.prop(settings, name)


def _draw_setup_hint(layout: bpy.types.UILayout) -> None:
    box = layout.box()
    box.label(text="Set the backend Python first", icon="ERROR")
    op = box.operator("preferences.addon_show", text="Open Preferences", icon="PREFERENCES")
    op.module = __package__


class _SubPanel:
    """Shared placement of the collapsed sub-panels under S2C Hands."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "S2C Hands"
    bl_parent_id = "S2C_PT_main"
    bl_options = {"DEFAULT_CLOSED"}


class S2C_PT_export(_SubPanel, bpy.types.Panel):
    bl_idname = "S2C_PT_export"
    bl_label = "Export & Edit"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.s2c_hands
        layout.prop(settings, "export_format", expand=True)
        layout.prop(settings, "include_piano")
        label = "Export FBX" if settings.export_format == "fbx" else "Export glTF"
        layout.operator("s2c.export", text=label, icon="EXPORT")
        layout.separator()
        layout.prop(settings, "reduce_mode", text="")
        value = "every_nth" if settings.reduce_mode == "nth" else "tolerance"
        layout.prop(settings, value)
        layout.operator("s2c.reduce_keys", icon="IPO_LINEAR")


class S2C_PT_character(_SubPanel, bpy.types.Panel):
    bl_idname = "S2C_PT_character"
    bl_label = "Character & Piano"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.s2c_hands
        layout.prop(settings, "target_rig", text="Target Rig")
        if settings.target_rig is None:
            layout.label(text="Built-in hands", icon="INFO")
        else:
            row = layout.row(align=True)
            row.operator("s2c.find_bones", icon="VIEWZOOM")
            row.operator("s2c.load_bone_preset", text="", icon="IMPORT")
            row.operator("s2c.save_bone_preset", text="", icon="EXPORT")
            layout.prop(settings, "arm_ik")
            _draw_bone_table(layout, settings)
        layout.separator()
        layout.prop(settings, "piano_mode", expand=True)
        if settings.piano_mode == "builtin":
            return
        col = layout.column(align=True)
        col.use_property_split = True
        if settings.piano_mode == "objects":
            col.prop(settings, "piano_low_object")
            col.prop(settings, "piano_high_object")
        else:
            for which in ("low", "high"):
                row = col.row(align=True)
                row.prop(settings, f"piano_{which}_point")
                op = row.operator("s2c.piano_point_from_cursor", text="", icon="PIVOT_CURSOR")
                op.which = which
        col.prop(settings, "piano_low_pitch")
        col.prop(settings, "piano_high_pitch")
        col.prop(settings, "piano_keys_pattern")


def _draw_bone_table(layout: bpy.types.UILayout, settings) -> None:
    """The mapping table, editable: one bone search field per hand joint."""
    if not len(settings.bones):
        layout.label(text="No mapping yet: Find Hand Bones or load a preset")
        return
    box = layout.box()
    box.label(text=f"Bones ({settings.bone_convention})")
    armature = settings.target_rig.data
    for row in settings.bones:
        line = box.row(align=True)
        line.label(text=f"{row.side} {row.slot}")
        line.prop_search(row, "bone", armature, "bones", text="")


class S2C_PT_advanced(_SubPanel, bpy.types.Panel):
    bl_idname = "S2C_PT_advanced"
    bl_label = "Advanced"

    def draw(self, context: bpy.types.Context) -> None:
        settings = context.scene.s2c_hands
        for_s2c = engine_choice(settings, addon_preferences(context)).engine == "s2c"
        _prop_greyed(self.layout, settings, "reference_compat", for_s2c)


CLASSES = (S2C_PT_main, S2C_PT_export, S2C_PT_character, S2C_PT_advanced)
