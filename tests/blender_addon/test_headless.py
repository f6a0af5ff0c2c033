"""python -m blender_addon.headless: outputs written whole or not at all, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bpy
import pytest

from blender_addon import headless
from s2c_core.motion import save_motion
from tests.python_module import REPO, run_module

from .conftest import random_motion

pytestmark = pytest.mark.blender


@pytest.fixture
def take(tmp_path) -> Path:
    return save_motion(random_motion(frames=8, seed=9), tmp_path / "take.npz")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return run_module("blender_addon.headless", *args)


def test_main_writes_blend_fbx_and_glb(take, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    argv = [str(take), "--take-name", "demo", "--frame-start", "10"]
    argv += ["--blend", str(out / "s.blend"), "--fbx", str(out / "s.fbx")]
    assert headless.main([*argv, "--gltf", str(out / "s.glb")]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["s.blend", "s.fbx", "s.glb"]
    bpy.ops.wm.open_mainfile(filepath=str(out / "s.blend"))
    scene = bpy.context.scene
    assert (scene.frame_start, scene.frame_end) == (10, 17)
    assert scene.objects["S2C_Hand_R"].animation_data.action.name == "demo_R"


def test_cli_refuses_a_corrupt_take_with_one_line_and_no_output(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    result = run_cli(
        str(bad), "--blend", str(tmp_path / "s.blend"), "--fbx", str(tmp_path / "s.fbx")
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "bad.npz" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz"]


def test_missing_take_is_one_error_line(tmp_path, capsys):
    assert headless.main([str(tmp_path / "nope.npz"), "--fbx", str(tmp_path / "s.fbx")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such HandMotion file" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_a_step_fails_in_one_line_and_only_bad_input_is_caught(capsys):
    def fail(error: Exception):
        def step() -> None:
            raise error

        return step

    assert headless.exit_status(lambda: None, headless.BAD_INPUT) == 0
    assert headless.exit_status(fail(ValueError("take.npz:\n  no frames")), headless.BAD_INPUT) == 1
    assert capsys.readouterr().err == "error: take.npz: no frames\n"
    with pytest.raises(KeyError):  # a bug keeps its traceback
        headless.exit_status(fail(KeyError("bone")), headless.BAD_INPUT)
    assert headless.exit_status(fail(KeyError("bone"))) == 1  # the scene builder's default
    assert capsys.readouterr().err == "error: 'bone'\n"


def test_existing_output_is_refused_unless_overwrite(take, tmp_path, capsys):
    target = tmp_path / "s.fbx"
    target.write_bytes(b"keep me")
    assert headless.main([str(take), "--fbx", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert target.read_bytes() == b"keep me"
    assert headless.main([str(take), "--fbx", str(target), "--overwrite"]) == 0
    assert target.read_bytes() != b"keep me"


def test_a_failing_output_leaves_none_of_the_outputs(take, tmp_path, monkeypatch):
    def broken(path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setitem(headless._WRITERS, "fbx", broken)
    argv = [str(take), "--blend", str(tmp_path / "s.blend"), "--fbx", str(tmp_path / "s.fbx")]
    assert headless.main(argv) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take.npz"]


def test_progress_runs_through_the_fbx_baking(tmp_path):
    take = save_motion(random_motion(frames=40, seed=3), tmp_path / "take.npz")
    outputs = {"blend": tmp_path / "s.blend", "fbx": tmp_path / "s.fbx"}
    events = []
    headless.build(take, outputs, take_name=None, frame_start=1,
                   progress=lambda *event: events.append(event))  # fmt: skip
    messages = [message for _, _, message in events]
    writing = messages.index("writing s.fbx")
    baking = [event for event in events[writing + 1 :] if event[2].startswith("baking s.fbx")]
    assert baking and baking[-1][2] == "baking s.fbx: frame 40 of 40"
    assert not any(message.startswith("baking s.blend") for message in messages)
    # One total, done never goes back, and the baking stays within the FBX's own step.
    assert len({total for _, total, _ in events}) == 1
    done = [done for done, _, _ in events]
    assert done == sorted(done) and events[-1] == (done[-1], done[-1], "scene written")
    assert events[writing][0] < baking[0][0] and baking[-1][0] <= events[-1][0]


def test_addon_modules_do_not_import_torch():
    modules = "blender_addon.headless, blender_addon.scene, blender_addon.keying"
    code = f"import sys, {modules}; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
