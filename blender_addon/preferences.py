"""Per-user settings: where the backend lives and what it may use."""

# ruff: noqa: N801 -- Blender requires class names like S2C_OT_generate (CATEGORY_OT_name)

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bpy
from bpy.props import BoolProperty, CollectionProperty, EnumProperty, StringProperty

from . import backend
from .backend_modal import draw_run

_DEVICE_TEXT = {
    "auto": ("Auto", "CUDA when the backend finds a GPU, else CPU"),
    "cuda": ("CUDA", "Use the NVIDIA GPU (the run fails if the backend has none)"),
    "cpu": ("CPU", "Always run on the CPU"),
}
DEVICE_ITEMS = [(device, *_DEVICE_TEXT[device]) for device in backend.DEVICES]


class S2C_PG_doctor_line(bpy.types.PropertyGroup):
    text: StringProperty()


class S2C_AddonPreferences(bpy.types.AddonPreferences):
    # An extension's module is "bl_ext.<repo>.s2c_hands", a checkout's is "blender_addon":
    # __package__ is right in both.
    bl_idname = __package__

    backend_python: StringProperty(
        name="Backend Python",
        description="Python interpreter of the S2C backend environment (it has s2c_core "
        "and torch; Blender's own Python never does)",
        subtype="FILE_PATH",
    )
    checkpoint_dir: StringProperty(
        name="Checkpoint Folder",
        description="Folder with the S2C model checkpoints (optional: without them the "
        "MIDI engine is used)",
        subtype="DIR_PATH",
    )
    mano_file: StringProperty(
        name="MANO File",
        description="MANO_RIGHT.pkl you downloaded yourself (optional, licence-gated); "
        "enables the MANO hand model",
        subtype="FILE_PATH",
    )
    device: EnumProperty(name="Device", items=DEVICE_ITEMS, default="auto")
    doctor_ok: BoolProperty(default=False, options={"SKIP_SAVE"})
    doctor_lines: CollectionProperty(type=S2C_PG_doctor_line, options={"SKIP_SAVE"})

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        for name in ("backend_python", "checkpoint_dir", "mano_file", "device"):
            layout.prop(self, name)
        layout.operator("s2c.check_backend", icon="CHECKMARK")
        draw_run(  # Get Official Model, or its progress and Cancel while it runs
            layout,
            context.window_manager.s2c_hands_download,
            start="s2c.get_official_model",
            start_icon="IMPORT",
            cancel="s2c.cancel_download",
            working="Downloading",
        )
        box = layout.box() if len(self.doctor_lines) else None
        for index, line in enumerate(self.doctor_lines):
            icon = "NONE" if index else ("CHECKMARK" if self.doctor_ok else "ERROR")
            box.label(text=line.text, icon=icon)


@dataclass(frozen=True)
class BackendSettings:
    """The preferences a run needs, as plain data (absolute paths, None when unset)."""

    python: str
    checkpoint_dir: Path | None
    mano_file: Path | None
    device: str


def addon_preferences(context: bpy.types.Context) -> S2C_AddonPreferences | None:
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon is not None else None


def backend_settings(context: bpy.types.Context) -> BackendSettings:
    """Read the preferences; raise backend.BackendError naming what to fix."""
    prefs = addon_preferences(context)
    if prefs is None:
        raise backend.BackendError("S2C Hands is not enabled in Preferences > Add-ons")
    if not prefs.backend_python:
        raise backend.BackendError("set the Backend Python in the S2C Hands preferences")
    return BackendSettings(
        python=bpy.path.abspath(prefs.backend_python),
        checkpoint_dir=_optional_path(prefs.checkpoint_dir),
        mano_file=_optional_path(prefs.mano_file),
        device=prefs.device,
    )


def _optional_path(value: str) -> Path | None:
    return Path(bpy.path.abspath(value)) if value else None


def store_doctor_report(prefs: S2C_AddonPreferences, report: backend.DoctorReport) -> None:
    prefs.doctor_ok = report.ok
    prefs.doctor_lines.clear()
    for text in report.lines:
        prefs.doctor_lines.add().text = text


CLASSES = (S2C_PG_doctor_line, S2C_AddonPreferences)
