"""The panel's draw code against real bpy data.

Headless Blender (the bpy module) has no window to draw regions in, so `draw` gets a
layout that records every call and checks each against Blender's RNA: the property exists
on the data, the operator is registered, the icon is a real icon.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from blender_addon import backend

from .addon_helpers import ADDON_MODULE, empty_scene, enabled_addon

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

ICONS = bpy.types.UILayout.bl_rna.functions["label"].parameters["icon"].enum_items.keys()


class RecordingLayout:
    """Stands in for bpy.types.UILayout; sub-layouts share one list of calls."""

    def __init__(self, calls: list | None = None):
        self.calls = [] if calls is None else calls
        self.active = True

    def _sub(self, *args, **kwargs) -> RecordingLayout:
        return RecordingLayout(self.calls)

    row = column = box = _sub

    def prop(self, data, name, **kwargs):
        data = getattr(data, "_real", data)
        assert name in data.bl_rna.properties, f"{data} has no property {name!r}"
        self.calls.append(("prop", name, self.active))

    def operator(self, idname, **kwargs):
        category, name = idname.split(".")
        getattr(getattr(bpy.ops, category), name).get_rna_type()  # raises if unregistered
        self._check_icon(kwargs)
        self.calls.append(("operator", idname, kwargs.get("text")))
        return SimpleNamespace()

    def label(self, text="", **kwargs):
        self._check_icon(kwargs)
        self.calls.append(("label", text, kwargs.get("icon", "NONE")))

    def progress(self, *, factor, type, text):
        self.calls.append(("progress", round(factor, 3), text))

    def separator(self):
        pass

    @staticmethod
    def _check_icon(kwargs):
        assert kwargs.get("icon", "NONE") in ICONS, f"unknown icon {kwargs['icon']}"

    def ops(self) -> list[str]:
        return [call[1] for call in self.calls if call[0] == "operator"]

    def labels(self) -> list[tuple[str, str]]:
        return [call[1:] for call in self.calls if call[0] == "label"]


class Proxy:
    """A panel/preferences `self`: the real RNA object plus a recording layout."""

    def __init__(self, real=None):
        self._real = real
        self.layout = RecordingLayout()

    def __getattr__(self, name):
        return getattr(self._real, name)


def draw(panel_class, real=None) -> RecordingLayout:
    owner = Proxy(real)
    panel_class.draw(owner, bpy.context)
    return owner.layout


@pytest.fixture
def addon():
    with enabled_addon("/venv/bin/python") as module:
        empty_scene()
        yield module


def test_panel_lives_in_the_sidebar_tab(addon):
    panel = bpy.types.S2C_PT_main
    assert (panel.bl_space_type, panel.bl_region_type) == ("VIEW_3D", "UI")
    assert panel.bl_category == "S2C Hands" and panel.bl_label == "S2C Hands"
    assert bpy.types.S2C_PT_export.bl_parent_id == "S2C_PT_main"


def test_idle_panel_offers_generate_and_explains_auto(addon, tmp_path):
    settings = bpy.context.scene.s2c_hands
    settings.input_path = str(tmp_path / "song.mid")
    layout = draw(bpy.types.S2C_PT_main)
    assert layout.ops() == ["s2c.select_input", "s2c.generate", "s2c.build_piano"]
    reason = backend.choose_engine("auto", settings.input_path, None).reason
    assert (reason, "INFO") in layout.labels()
    assert ("prop", "steps", False) in layout.calls  # steps only matter to the S2C engine
    assert not any(text.startswith("Set the backend") for text, _ in layout.labels())


def test_unconfigured_backend_points_to_preferences(addon):
    bpy.context.preferences.addons[ADDON_MODULE].preferences.backend_python = ""
    layout = draw(bpy.types.S2C_PT_main)
    assert ("Set the backend Python first", "ERROR") in layout.labels()
    assert "preferences.addon_show" in layout.ops()


def test_running_job_shows_progress_and_cancel(addon):
    job = bpy.context.window_manager.s2c_hands_job
    job.running, job.progress, job.message = True, 0.25, "window 1/4"
    try:
        layout = draw(bpy.types.S2C_PT_main)
    finally:
        job.running = False
    assert ("progress", 0.25, "window 1/4") in layout.calls
    assert "s2c.cancel_generate" in layout.ops() and "s2c.generate" not in layout.ops()


def test_failed_job_shows_its_error(addon):
    job = bpy.context.window_manager.s2c_hands_job
    job.message, job.failed = "backend failed: no S2C checkpoint", True
    layout = draw(bpy.types.S2C_PT_main)
    job.message, job.failed = "", False
    assert ("backend failed: no S2C checkpoint", "ERROR") in layout.labels()


def test_export_subpanel_follows_the_format(addon):
    settings = bpy.context.scene.s2c_hands
    layout = draw(bpy.types.S2C_PT_export)
    assert ("operator", "s2c.export", "Export FBX") in layout.calls
    assert "s2c.reduce_keys" in layout.ops()
    settings.export_format, settings.reduce_mode = "gltf", "tolerance"
    layout = draw(bpy.types.S2C_PT_export)
    assert ("operator", "s2c.export", "Export glTF") in layout.calls
    assert ("prop", "tolerance", True) in layout.calls


def test_advanced_subpanel_offers_reference_compat(addon):
    assert bpy.types.S2C_PT_advanced.bl_parent_id == "S2C_PT_main"
    settings = bpy.context.scene.s2c_hands
    settings.engine = "s2c"
    assert ("prop", "reference_compat", True) in draw(bpy.types.S2C_PT_advanced).calls
    settings.reference_compat = True
    assert ("prop", "steps", False) in draw(bpy.types.S2C_PT_main).calls  # the reference's own
    settings.engine = "midi"
    assert ("prop", "reference_compat", False) in draw(bpy.types.S2C_PT_advanced).calls


def test_preferences_draw_the_doctor_report(addon):
    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    from blender_addon.preferences import store_doctor_report

    store_doctor_report(prefs, backend.DoctorReport(False, ("Backend has problems", "Problem: x")))
    layout = draw(type(prefs), prefs)
    assert "s2c.check_backend" in layout.ops()
    assert ("Backend has problems", "ERROR") in layout.labels()
    assert ("Problem: x", "NONE") in layout.labels()
    assert "s2c.get_official_model" in layout.ops()
    download = bpy.context.window_manager.s2c_hands_download
    download.running, download.progress, download.message = True, 0.25, "args.txt"
    layout = draw(type(prefs), prefs)
    download.running = False
    assert ("progress", 0.25, "args.txt") in layout.calls
    assert "s2c.cancel_download" in layout.ops() and "s2c.get_official_model" not in layout.ops()
