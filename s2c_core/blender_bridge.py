"""Run the add-on's headless scene builder in a separate process.

The backend never imports bpy: it hands the HandMotion file to `blender_addon.headless`,
either in this same interpreter when it has the `bpy` module (pip install bpy), or in a
Blender executable found on PATH / in $BLENDER.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
# The builder reads this to die with the backend (blender_addon.headless.die_with_parent).
PARENT_PID_ENV = "S2C_PARENT_PID"


class BlenderUnavailableError(RuntimeError):
    """Neither the bpy module nor a Blender executable is available."""


HEADLESS_MODULE = "blender_addon.headless"


def headless_command(
    motion: Path | str, extra_args: list[str], module: str = HEADLESS_MODULE
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
    motion: Path | str,
    extra_args: list[str],
    on_event: Callable[[dict[str, Any]], None] | None = None,
    module: str = HEADLESS_MODULE,
    task: str = "building the Blender scene",
) -> None:
    """Build the scene; raise RuntimeError with the builder's last error line on failure.

    The builder's JSON-lines progress events on its stdout go to `on_event`; its other
    output (Blender's own chatter) is dropped unless it explains a failure. The child runs
    in its own process group, is killed with it when this call is interrupted (SIGTERM
    arrives as an exception, Ctrl-C), and dies with this process when it is killed
    outright (the builder asks Linux for that, see blender_addon.headless).
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    ), **{PARENT_PID_ENV: str(os.getpid())})  # fmt: skip
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as stderr,
        subprocess.Popen(
            headless_command(motion, extra_args, module),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=os.name == "posix",
        ) as process,
    ):
        try:
            chatter = _relay_events(process.stdout, on_event)
            code = process.wait()
        except BaseException:
            _kill_group(process)
            raise
        if code != 0:
            stderr.seek(0)
            raise RuntimeError(f"{task} failed: {_reason(stderr.read(), chatter, code)}")


def _relay_events(stdout, on_event: Callable[[dict[str, Any]], None] | None) -> list[str]:
    """Pass the builder's events on; returns the last few other lines it printed."""
    chatter: list[str] = []
    for line in stdout:
        event = _parse_event(line)
        if event is not None:
            if on_event is not None:
                on_event(event)
        elif line.strip():
            chatter = [*chatter[-4:], line.strip()]
    return chatter


def _parse_event(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def _reason(stderr: str, chatter: list[str], code: int) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("error:").strip() for line in lines if line.startswith("error:")]
    return (errors or lines or chatter or [f"exit code {code}"])[-1]


def _kill_group(process: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):  # already gone
        pass
    process.wait()
