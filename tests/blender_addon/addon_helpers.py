"""Shared helpers for the add-on tests: enable the add-on in real bpy, fake backends.

Plain functions rather than fixtures: each test module wraps what it needs in a fixture of
its own, and conftest.py stays free for the scene-building tests.
"""

from __future__ import annotations

import os
import stat
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ADDON_MODULE = "blender_addon"

# A stand-in for `python -m s2c_core generate ...`: the same arguments, the same JSON lines,
# a real HandMotion file. MODE picks the behaviour; the argv is recorded for assertions.
FAKE_BACKEND = """
import argparse, json, os, subprocess, sys, time
sys.path.insert(0, {repo!r})
import numpy as np
from s2c_core.hand.fk import build_track
from s2c_core.hand.rig import builtin_rig
from s2c_core.motion import HandMotion, MotionMetadata, save_motion

MODE = {mode!r}
here = os.path.dirname(os.path.abspath(__file__))
if sys.argv[1:3] == ["-m", "s2c_core"]:  # started through the fake "python" wrapper
    del sys.argv[1:3]
with open(os.path.join(here, "argv.json"), "w", encoding="utf-8") as f:
    json.dump(sys.argv[1:], f)
p = argparse.ArgumentParser()
p.add_argument("command")
p.add_argument("input")
for name in ("engine", "seed", "steps", "device", "out", "progress", "checkpoint", "mano",
             "audio-out"):
    p.add_argument("--" + name)
p.add_argument("--overwrite", action="store_true")
args = p.parse_args()

def emit(**event):
    print(json.dumps(event), flush=True)

emit(event="stage", name="engine", message="fake engine on " + os.path.basename(args.input))
for done in range(1, 4):
    emit(event="progress", done=done, total=4, message="window %d/4" % done)
    time.sleep(0.02)
if MODE == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(os.path.join(here, "pids.json"), "w") as f:
        json.dump([os.getpid(), child.pid], f)
    time.sleep(60)
if MODE == "fail":
    print("loading checkpoint", file=sys.stderr)
    emit(event="error", message="no S2C checkpoint in /models")
    print("s2c: error: no S2C checkpoint in /models", file=sys.stderr)
    sys.exit(2)
if MODE == "crash":
    print("Traceback (most recent call last):", file=sys.stderr)
    print("MemoryError: CUDA out of memory", file=sys.stderr)
    sys.exit(1)
if MODE == "bad_output":
    with open(args.out, "wb") as f:
        f.write(b"not a zip")
else:
    T = 12
    t = np.linspace(0.0, 1.0, T)[:, None]
    pose = np.zeros((T, 45))
    pose[:, 5::9] = 0.4 * t
    tracks = {{
        side: build_track(
            builtin_rig(side), np.zeros((T, 3)), pose,
            np.hstack([x + 0.1 * t, np.full((T, 1), -0.05), np.full((T, 1), 0.08)]),
            np.ones(T, bool),
        )
        for side, x in (("left", -0.2), ("right", 0.2))
    }}
    notes = np.array([[60, 0.05, 0.2, 80, 1, 1]], dtype=float)
    meta = MotionMetadata(engine=args.engine, seed=int(args.seed), source=args.input)
    save_motion(HandMotion(30.0, tracks["left"], tracks["right"], meta, notes), args.out)
if args.audio_out:  # MIDI input: the rendering the take plays to
    import soundfile
    soundfile.write(args.audio_out, np.zeros(22050, np.float32), 44100)
emit(event="done", output=args.out, engine=args.engine, frames=12)
"""


def write_fake_backend(folder: Path, mode: str = "ok") -> list[str]:
    """The command prefix that replaces `python -m s2c_core` (see FAKE_BACKEND)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "fake_backend.py"
    script.write_text(FAKE_BACKEND.format(repo=str(REPO_ROOT), mode=mode), encoding="utf-8")
    return [sys.executable, str(script)]


def write_fake_python(folder: Path, body: str) -> Path:
    """An executable that stands in for the backend Python: runs `body` (shell) with "$@"."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "python"
    path.write_text(f"#!/bin/sh\n{textwrap.dedent(body)}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def fake_python_for(folder: Path, mode: str = "ok") -> Path:
    """A backend "python" that runs the fake backend whatever `-m s2c_core` arguments it gets."""
    prefix = write_fake_backend(folder, mode)
    return write_fake_python(folder, f'exec "{prefix[0]}" "{prefix[1]}" "$@"')


def write_wav(path: Path, seconds: float = 0.5, rate: int = 16000) -> Path:
    import wave

    import numpy as np

    samples = 0.2 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate) * 32767
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.astype("<i2").tobytes())
    return path


def process_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def pid_written(pid_file: Path) -> bool:
    """True once a stand-in backend has written its whole pid line (the shell creates the
    file before it writes to it)."""
    return pid_file.exists() and pid_file.read_text().endswith("\n")


def wait_for(predicate, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@contextmanager
def enabled_addon(backend_python: str | os.PathLike = "") -> Iterator[object]:
    """The add-on enabled the way Blender does it (with its preferences), then disabled."""
    import addon_utils
    import bpy

    module = addon_utils.enable(ADDON_MODULE, default_set=True)
    assert module is not None, "the add-on failed to enable"
    try:
        bpy.context.preferences.addons[ADDON_MODULE].preferences.backend_python = str(
            backend_python
        )
        yield module
    finally:
        addon_utils.disable(ADDON_MODULE, default_set=True)


def empty_scene():
    """Start from an empty file (preferences and enabled add-ons are kept)."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    return bpy.context.scene
