"""Registration in real bpy: symmetric, repeatable, nothing left behind; a valid manifest."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .addon_helpers import ADDON_MODULE, REPO_ROOT

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender


def _classes() -> list[type]:
    import blender_addon

    return blender_addon._classes()


def _registered() -> dict[str, bool]:
    """Which kinds of things the add-on adds to Blender are present right now."""
    return {
        "classes": any(cls.is_registered for cls in _classes()),
        "operators": hasattr(bpy.types, "S2C_OT_generate"),
        "scene": hasattr(bpy.types.Scene, "s2c_hands"),
        "wm": hasattr(bpy.types.WindowManager, "s2c_hands_job"),
    }


def test_enable_disable_twice_leaves_nothing_behind():
    import addon_utils

    assert not any(_registered().values())
    for _ in range(2):
        assert addon_utils.enable(ADDON_MODULE, default_set=True) is not None
        assert all(_registered().values())
        assert all(cls.is_registered for cls in _classes())
        assert ADDON_MODULE in bpy.context.preferences.addons
        assert bpy.context.scene.s2c_hands.engine == "auto"
        assert bpy.context.window_manager.s2c_hands_job.running is False
        addon_utils.disable(ADDON_MODULE, default_set=True)
        assert not any(_registered().values())
        assert ADDON_MODULE not in bpy.context.preferences.addons


def test_register_unregister_functions_are_symmetric():
    import blender_addon

    for _ in range(2):
        blender_addon.register()
        assert all(_registered().values())
        blender_addon.unregister()
        assert not any(_registered().values())


def test_importing_the_package_has_no_side_effects():
    code = "import sys, blender_addon; assert 'bpy' not in sys.modules, 'bpy was imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_manifest_is_a_valid_extension_declaring_its_one_download():
    import addon_utils

    path = REPO_ROOT / "blender_addon" / "blender_manifest.toml"
    manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    assert manifest["id"] == "s2c_hands" and manifest["type"] == "add-on"
    assert tuple(map(int, manifest["blender_version_min"].split("."))) >= (4, 2, 0)
    # only Get Official Model goes online (through the backend, with Online Access on)
    assert manifest["permissions"]["network"].startswith("Get Official Model downloads")
    # Blender's own validator, as `blender --command extension validate` runs it.
    scripts = Path(addon_utils.__file__).parents[1]
    cli = scripts / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"
    result = subprocess.run(
        [sys.executable, str(cli), "validate", str(path.parent)], capture_output=True, text=True
    )
    assert result.returncode == 0 and "Success" in result.stdout, result.stdout + result.stderr
