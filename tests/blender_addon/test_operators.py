"""Operators headless, against a fake backend that speaks the real contract.

Blender's event loop does not run in the bpy module, so the modal Generate is driven by
calling its `step` with fake TIMER/ESC events, exactly as the window manager would.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from .addon_helpers import (
    ADDON_MODULE,
    empty_scene,
    enabled_addon,
    fake_python_for,
    process_alive,
    wait_for,
    write_fake_backend,
    write_fake_python,
    write_wav,
)

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

from blender_addon import operators  # noqa: E402  (needs bpy, skipped above without it)
from blender_addon.preferences import backend_settings  # noqa: E402

INPUT_NAME = "my söng (take 1)"


@pytest.fixture
def addon(tmp_path):
    with enabled_addon(fake_python_for(tmp_path / "backend")) as module:
        yield module


@pytest.fixture
def scene(addon, tmp_path):
    scene = empty_scene()
    scene.s2c_hands.input_path = str(write_wav(tmp_path / "in put" / f"{INPUT_NAME}.wav"))
    scene.s2c_hands.seed = 7
    scene.s2c_hands.frame_start = 10
    return scene


def snapshot(scene) -> tuple:
    """Everything Generate may change; equal snapshots mean the scene was left as it was."""
    editor = scene.sequence_editor
    return (
        sorted(obj.name for obj in bpy.data.objects),
        sorted(action.name for action in bpy.data.actions),
        (scene.frame_start, scene.frame_end, scene.render.fps),
        len(editor.strips) if editor else 0,
    )


def temp_dirs() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("s2c_hands_*"))


def fcurve_values(action) -> np.ndarray:
    from blender_addon.keying import action_fcurves

    curves = sorted(action_fcurves(action), key=lambda fc: (fc.data_path, fc.array_index))
    values = []
    for fcurve in curves:
        co = np.empty(2 * len(fcurve.keyframe_points))
        fcurve.keyframe_points.foreach_get("co", co)
        values.append(co)
    return np.concatenate(values)


def run_modal(session, reports: list, events=("TIMER",)) -> tuple[set[str], list[float]]:
    """Feed timer events until the run ends; returns the final status and progress seen."""
    job = bpy.context.window_manager.s2c_hands_job
    seen = []
    for _ in range(1000):
        status = step(session, "TIMER", reports)
        if status != {"RUNNING_MODAL"}:
            return status, seen
        seen.append(job.progress)
        time.sleep(0.02)
    raise AssertionError("the fake backend never finished")


def _collect(reports: list):
    return lambda level, message: reports.append((next(iter(level)), message))


def step(session, event: str, reports: list) -> set[str]:
    """One modal event of Generate, as the window manager would deliver it."""
    return operators.S2C_OT_generate.step(session, bpy.context, event, _collect(reports))


def test_generate_take_keys_the_take_with_its_audio(scene, tmp_path):
    before = temp_dirs()
    command = write_fake_backend(tmp_path / "fake")
    result = operators.generate_take(scene, backend_settings(bpy.context), command=command)
    name = f"{INPUT_NAME}_midi_seed7"
    assert result.take_name == name and result.frames == 12
    assert {action.name for action in result.actions.values()} == {
        f"{name}_L",
        f"{name}_R",
        f"{name}_Keys",
    }
    assert all(action.use_fake_user for action in result.actions.values())
    assert (scene.frame_start, scene.frame_end) == (10, 21)
    strip = scene.sequence_editor.strips["S2C Audio"]
    assert strip.frame_start == 10 and Path(strip.sound.filepath).name == f"{INPUT_NAME}.wav"
    argv = json.loads((tmp_path / "fake" / "argv.json").read_text(encoding="utf-8"))
    assert argv[1] == scene.s2c_hands.input_path and argv[argv.index("--seed") + 1] == "7"
    assert temp_dirs() == before


def test_midi_input_plays_the_backends_rendering_packed_into_the_blend(scene, tmp_path):
    import shutil

    midi = tmp_path / "in put" / f"{INPUT_NAME}.mid"
    shutil.copy(Path(__file__).resolve().parents[2] / "assets" / "example.mid", midi)
    scene.s2c_hands.input_path = str(midi)
    command = write_fake_backend(tmp_path / "fake")
    operators.generate_take(scene, backend_settings(bpy.context), command=command)
    argv = json.loads((tmp_path / "fake" / "argv.json").read_text(encoding="utf-8"))
    assert argv[argv.index("--audio-out") + 1].endswith("take_audio.wav")
    strip = scene.sequence_editor.strips["S2C Audio"]
    assert strip.frame_start == 10 and strip.sound.packed_file is not None  # temp dir is gone


def test_second_take_keeps_the_first(scene, tmp_path):
    command = write_fake_backend(tmp_path / "fake")
    first = operators.generate_take(scene, backend_settings(bpy.context), command=command)
    scene.s2c_hands.seed = 8
    second = operators.generate_take(scene, backend_settings(bpy.context), command=command)
    assert first.actions["left"].name in bpy.data.actions
    assert bpy.data.objects["S2C_Hand_L"].animation_data.action == second.actions["left"]
    assert len(scene.sequence_editor.strips) == 1


def test_modal_and_background_paths_key_identical_takes(scene, tmp_path):
    command = write_fake_backend(tmp_path / "fake")
    reports: list = []
    session = operators.GenerateSession.start(scene, backend_settings(bpy.context), command)
    status, progress = run_modal(session, reports)
    assert status == {"FINISHED"}
    assert reports[-1][0] == "INFO" and "Keyed take" in reports[-1][1]
    assert progress == sorted(progress)
    job = bpy.context.window_manager.s2c_hands_job
    assert not job.running and job.progress == 1.0 and not job.failed
    modal_action = bpy.data.objects["S2C_Hand_R"].animation_data.action
    blocking = operators.generate_take(scene, backend_settings(bpy.context), command=command)
    np.testing.assert_array_equal(
        fcurve_values(modal_action), fcurve_values(blocking.actions["right"])
    )


def test_escape_cancels_and_leaves_the_scene_as_it_was(scene, tmp_path):
    before, dirs = snapshot(scene), temp_dirs()
    command = write_fake_backend(tmp_path / "fake", "hang")
    session = operators.GenerateSession.start(scene, backend_settings(bpy.context), command)
    assert wait_for((tmp_path / "fake" / "pids.json").is_file)
    reports: list = []
    assert step(session, "TIMER", reports) == {"RUNNING_MODAL"}
    assert bpy.context.window_manager.s2c_hands_job.running
    assert step(session, "ESC", reports) == {"CANCELLED"}
    pids = json.loads((tmp_path / "fake" / "pids.json").read_text())
    assert wait_for(lambda: not any(process_alive(pid) for pid in pids), timeout_s=5)
    assert snapshot(scene) == before and temp_dirs() == dirs
    assert not bpy.context.window_manager.s2c_hands_job.running
    assert reports == [("WARNING", "S2C Hands: Generate cancelled")]


def test_cancel_button_stops_the_run(scene, tmp_path):
    before = snapshot(scene)
    command = write_fake_backend(tmp_path / "fake", "hang")
    session = operators.GenerateSession.start(scene, backend_settings(bpy.context), command)
    step(session, "TIMER", [])
    assert bpy.ops.s2c.cancel_generate() == {"FINISHED"}
    assert step(session, "TIMER", []) == {"CANCELLED"}
    assert session.job.process.poll() is not None
    assert snapshot(scene) == before


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("fail", "no S2C checkpoint in /models"),
        ("crash", "MemoryError: CUDA out of memory"),
        ("bad_output", "not a readable .npz HandMotion file"),
    ],
)
def test_failing_backend_reports_its_error_and_keys_nothing(scene, tmp_path, mode, message):
    before, dirs = snapshot(scene), temp_dirs()
    command = write_fake_backend(tmp_path / "fake", mode)
    reports: list = []
    session = operators.GenerateSession.start(scene, backend_settings(bpy.context), command)
    status, _ = run_modal(session, reports)
    assert status == {"CANCELLED"}
    assert reports[-1][0] == "ERROR" and message in reports[-1][1]
    job = bpy.context.window_manager.s2c_hands_job
    assert job.failed and message in job.message and not job.running
    assert snapshot(scene) == before and temp_dirs() == dirs


def test_operator_reports_a_missing_input_before_starting(scene):
    scene.s2c_hands.input_path = "//nowhere.mid"
    with pytest.raises(RuntimeError, match="choose an input file"):
        bpy.ops.s2c.generate()


def test_generate_operator_runs_blocking_in_background_and_undoes(scene):
    bpy.ops.ed.undo_push(message="before Generate")
    before = snapshot(scene)
    assert bpy.ops.s2c.generate("INVOKE_DEFAULT", True) == {"FINISHED"}
    assert f"{INPUT_NAME}_midi_seed7_L" in bpy.data.actions
    bpy.ops.ed.undo()
    assert snapshot(bpy.context.scene) == before


def test_build_piano_operator(scene):
    assert bpy.ops.s2c.build_piano() == {"FINISHED"}
    objects = len(scene.objects)
    assert "S2C_Piano" in scene.objects and objects > 88
    assert bpy.ops.s2c.build_piano() == {"FINISHED"}
    assert len(scene.objects) == objects  # kept, not built twice


def test_reduce_keys_operator(scene):
    bpy.ops.s2c.generate()
    action = bpy.data.objects["S2C_Hand_R"].animation_data.action
    keys_before = len(fcurve_values(action))
    scene.s2c_hands.every_nth = 3
    assert bpy.ops.s2c.reduce_keys() == {"FINISHED"}
    assert len(fcurve_values(action)) < keys_before


def test_check_backend_stores_the_doctor_report(addon, tmp_path):
    report = {"ok": True, "python": "3.11", "torch": "2.13.0", "cuda": True, "engines": {}}
    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    prefs.backend_python = str(write_fake_python(tmp_path / "doc", f"echo '{json.dumps(report)}'"))
    assert bpy.ops.s2c.check_backend() == {"FINISHED"}
    assert prefs.doctor_ok
    assert prefs.doctor_lines[0].text == "Backend OK: Python 3.11, torch 2.13.0, CUDA available"


def test_export_fbx_reimports_with_bones_and_animation(scene, tmp_path):
    bpy.ops.s2c.generate()
    fbx = tmp_path / "export dir" / "hands.fbx"
    fbx.parent.mkdir()
    assert bpy.ops.s2c.export(filepath=str(fbx)) == {"FINISHED"}
    scene.s2c_hands.export_format = "gltf"
    assert bpy.ops.s2c.export(filepath=str(tmp_path / "hands")) == {"FINISHED"}
    assert (tmp_path / "hands.glb").stat().st_size > 0
    empty_scene()
    bpy.ops.import_scene.fbx(filepath=str(fbx))
    armatures = [obj for obj in bpy.data.objects if obj.type == "ARMATURE"]
    assert len(armatures) == 2
    assert all(len(obj.data.bones) >= 16 for obj in armatures)
    animated = [obj for obj in armatures if obj.animation_data and obj.animation_data.action]
    assert len(animated) == 2
    frame_range = animated[0].animation_data.action.frame_range
    assert frame_range[1] - frame_range[0] >= 11


class ModalOperator:
    """The Generate operator's own modal/cancel code on a plain object, with a real timer:
    what Blender runs after `invoke`, which headless Blender redirects to `execute`."""

    generate = operators.S2C_OT_generate
    modal, cancel, _remove_timer = generate.modal, generate.cancel, generate._remove_timer
    step, show, cancelled_message = generate.step, generate.show, generate.cancelled_message

    def __init__(self, session):
        self._session, self.reports = session, []
        self._timer = bpy.context.window_manager.event_timer_add(0.1, window=bpy.context.window)

    def report(self, level, message):
        self.reports.append((next(iter(level)), message))


def test_operator_modal_finishes_and_removes_its_timer(scene, tmp_path):
    command = write_fake_backend(tmp_path / "fake")
    op = ModalOperator(
        operators.GenerateSession.start(scene, backend_settings(bpy.context), command)
    )
    event = SimpleNamespace(type="TIMER")
    assert op.modal(bpy.context, SimpleNamespace(type="MOUSEMOVE")) == {"PASS_THROUGH"}
    while (status := op.modal(bpy.context, event)) == {"RUNNING_MODAL"}:
        time.sleep(0.02)
    assert status == {"FINISHED"} and op._timer is None
    assert op.reports[-1][0] == "INFO"


def test_a_keying_bug_cleans_up_before_it_propagates(scene, tmp_path, monkeypatch):
    command = write_fake_backend(tmp_path / "fake")
    session = operators.GenerateSession.start(scene, backend_settings(bpy.context), command)
    op = ModalOperator(session)
    monkeypatch.setattr(operators, "key_take", lambda *args: 1 / 0)
    session.job.wait()
    bpy.context.window_manager.s2c_hands_job.running = True  # as invoke leaves it
    with pytest.raises(ZeroDivisionError):
        op.modal(bpy.context, SimpleNamespace(type="TIMER"))
    assert op._timer is None and not session.job.workdir.exists()
    assert not bpy.context.window_manager.s2c_hands_job.running
