"""Run the add-on's headless scene builder in a separate process.

The backend never imports bpy: it hands the HandMotion file to `blender_addon.headless`,
either in this same interpreter when it has the `bpy` module (pip install bpy), or in a
Blender executable found on PATH / in $BLENDER.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


class BlenderUnavailableError(RuntimeError):
    """Neither the bpy module nor a Blender executable is available."""


HEADLESS_MODULE = "blender_addon.headless"


def headless_command(
    motion: Path, extra_args: list[str], module: str = HEADLESS_MODULE
) -> list[str]:
    """argv that runs the add-on's `module` (its main(argv)) on `motion` with extra_args."""
    args = [str(motion), *extra_args]
    if importlib.util.find_spec("bpy") is not None:
        return [sys.executable, "-m", module, *args]
    blender = os.environ.get("BLENDER") or shutil.which("blender")
    if not blender:
        raise BlenderUnavailableError(
            "writing .blend/.fbx needs Blender: install the 'blender' extra "
            "(pip install bpy==5.0.1) or set BLENDER to a Blender executable"
        )
    bootstrap = (
        "import sys; sys.path.insert(0, sys.argv[sys.argv.index('--') + 1]); "
        f"from {module} import main; "
        "sys.exit(main(sys.argv[sys.argv.index('--') + 2:]))"
    )
    return [blender, "-b", "--factory-startup", "--python-expr", bootstrap, "--",
            str(REPO_ROOT), *args]  # fmt: skip


def run_headless(
    motion: Path,
    extra_args: list[str],
    module: str = HEADLESS_MODULE,
    task: str = "building the Blender scene",
) -> None:
    """Run `module` in Blender; raise RuntimeError("<task> failed: <its last line>")."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    ))  # fmt: skip
    result = subprocess.run(
        headless_command(motion, extra_args, module), capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit code {result.returncode}"
        raise RuntimeError(f"{task} failed: {last}")
