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


def headless_command(
    motion: Path | str, extra_args: list[str], module: str = "blender_addon.headless"
) -> list[str]:
    """argv that builds the scene for `motion` and writes the outputs named in extra_args
    (or runs another headless `module` of the add-on with these arguments)."""
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
    motion: Path | str, extra_args: list[str], module: str = "blender_addon.headless"
) -> None:
    """Build the scene; raise RuntimeError with the builder's last error line on failure."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    ))  # fmt: skip
    result = subprocess.run(
        headless_command(motion, extra_args, module), capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        last = (errors or lines or [f"exit code {result.returncode}"])[-1].removeprefix("error: ")
        raise RuntimeError(f"building the Blender scene failed: {last}")
