"""scripts/install_into_blender.py: staging, the core wheel, finding Blender, and the
Blender-side install/uninstall run in the real bpy module against a temporary user folder."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from .addon_helpers import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "install_into_blender.py"
_spec = importlib.util.spec_from_file_location("install_into_blender", SCRIPT)
install = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(install)


def test_core_subset_is_numpy_only_and_covers_the_addon_imports():
    files = {path.relative_to(REPO_ROOT).as_posix() for path in install.core_modules_for_addon()}
    assert {"s2c_core/__init__.py", "s2c_core/motion.py", "s2c_core/music/keyboard.py"} <= files
    assert "s2c_core/hand/rig.py" in files and "s2c_core/hand/__init__.py" in files
    assert not {"s2c_core/cli.py", "s2c_core/pipeline.py", "s2c_core/hand/mano.py"} & files


def test_a_torch_import_in_the_subset_is_refused():
    with pytest.raises(install.InstallError, match="s2c_core/x.py imports torch"):
        install._check_blender_safe(Path("s2c_core/x.py"), ["torch.nn", "numpy", "s2c_core.y"])


def test_staged_extension_lists_a_valid_wheel(tmp_path):
    folder = install.build_extension(tmp_path)
    manifest = tomllib.loads((folder / "blender_manifest.toml").read_text(encoding="utf-8"))
    (wheel_path,) = manifest["wheels"]
    wheel = zipfile.ZipFile(folder / wheel_path)
    names = wheel.namelist()
    assert "s2c_core/motion.py" in names and "s2c_core/cli.py" not in names
    record = wheel.read(next(n for n in names if n.endswith("RECORD"))).decode()
    assert all(name in record for name in names)
    assert (folder / "__init__.py").is_file() and (folder / "operators.py").is_file()
    assert not list(folder.rglob("__pycache__"))


def test_with_wheels_puts_the_key_before_the_first_table():
    text = install.with_wheels('id = "x"\n\n[permissions]\nfiles = "y"\n', ["./wheels/a.whl"])
    assert tomllib.loads(text)["wheels"] == ["./wheels/a.whl"]
    assert tomllib.loads(text)["permissions"] == {"files": "y"}


def test_build_zip_for_install_from_disk(tmp_path):
    archive = install.build_zip(tmp_path / "dist")
    names = zipfile.ZipFile(archive).namelist()
    assert "blender_manifest.toml" in names and any(n.startswith("wheels/") for n in names)


def test_find_blender_order(tmp_path, monkeypatch):
    blender = tmp_path / "my blender" / "blender"
    blender.parent.mkdir()
    blender.write_text("")
    blender.chmod(0o755)
    monkeypatch.delenv("BLENDER", raising=False)
    assert install.find_blender(str(blender)) == blender
    monkeypatch.setenv("BLENDER", str(blender))
    assert install.find_blender(None) == blender
    with pytest.raises(install.InstallError, match="no Blender executable"):
        install.find_blender(str(tmp_path / "missing"))
    monkeypatch.delenv("BLENDER")
    monkeypatch.setenv("PATH", str(blender.parent))
    assert install.find_blender(None) == blender
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(install, "blender_candidates", lambda: [])
    with pytest.raises(install.InstallError, match="Blender not found"):
        install.find_blender(None)


def test_existing_backend_env_is_reused(tmp_path, monkeypatch, capsys):
    python = install.venv_python(tmp_path)
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\necho {install.core_version()}\n")
    python.chmod(0o755)
    monkeypatch.setattr(install, "_run", lambda argv, what: pytest.fail(f"ran {argv}"))
    assert install.ensure_backend_env(tmp_path, sys.executable) == python
    assert "reusing backend env" in capsys.readouterr().out


def test_a_new_backend_env_compiles_the_midi_engine_after_installing(tmp_path, monkeypatch):
    python = install.venv_python(tmp_path)
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 1\n")  # an env without s2c_core
    python.chmod(0o755)
    ran = []
    monkeypatch.setattr(install, "_run", lambda argv, what, cwd=None: ran.append((argv, cwd)))
    install.ensure_backend_env(tmp_path, sys.executable)
    (last, cwd), installs = ran[-1], [argv for argv, _ in ran[:-1]]
    assert all("install" in argv for argv in installs) and len(installs) == 2
    assert last == [str(python), "-c", install.COMPILE_AHEAD]
    assert cwd == tempfile.gettempdir()  # the env's copy, not the checkout's


BLENDER_SIDE = """
import json, sys
sys.path.insert(0, {scripts!r})
import bpy
import install_into_blender as install
bpy.ops.wm.read_userpref()  # the bpy module skips this at start-up; Blender itself does not
action, done = sys.argv[1], []
if action == "install":  # twice: the second run must replace the first cleanly
    payload = {{"action": "install", "source": sys.argv[2],
               "backend_python": "/opt/s2c venv/bin/python"}}
    done = install.blender_side(payload) + install.blender_side(payload)
elif action == "uninstall":
    done = install.blender_side({{"action": "uninstall"}})
addons = bpy.context.preferences.addons
entry = addons.get(install.MODULE_NAME)
import importlib.util
spec = importlib.util.find_spec("s2c_core")
print(json.dumps({{
    "done": done,
    "enabled": entry is not None,
    "backend_python": entry.preferences.backend_python if entry else None,
    "panel": hasattr(bpy.types, "S2C_PT_main"),
    "core": spec.origin if spec else None,
}}))
"""


def _in_blender(tmp_path: Path, *args: str) -> dict:
    """Run the Blender-side code in a fresh bpy process whose user folder is `tmp_path`."""
    script = tmp_path / "blender_side.py"
    script.write_text(BLENDER_SIDE.format(scripts=str(SCRIPT.parent)), encoding="utf-8")
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "user"))
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_install_enable_persist_uninstall_in_the_bpy_module(tmp_path):
    stage = install.build_extension(tmp_path / "stage")
    installed = _in_blender(tmp_path, "install", str(stage))
    assert installed["enabled"] and installed["panel"]
    assert "disabled the installed version" in installed["done"]  # the second, idempotent run
    extensions = tmp_path / "user" / "extensions"
    assert (extensions / "user_default" / "s2c_hands" / "blender_manifest.toml").is_file()
    # A fresh start of Blender: enabled from the saved preferences, s2c_core from the wheel.
    again = _in_blender(tmp_path, "check")
    assert again["enabled"] and again["panel"]
    assert again["backend_python"] == "/opt/s2c venv/bin/python"
    assert Path(again["core"]).is_relative_to(extensions / ".local")
    removed = _in_blender(tmp_path, "uninstall")
    assert not removed["enabled"] and not removed["panel"]
    assert not (extensions / "user_default" / "s2c_hands").exists()
    assert not list((extensions / ".local").rglob("s2c_core*"))
    assert not _in_blender(tmp_path, "check")["enabled"]


def test_script_help_runs_without_blender():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    assert "--uninstall" in result.stdout and "--blender" in result.stdout
