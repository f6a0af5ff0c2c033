"""The modal backend run that Generate and Get Official Model share, in real bpy, against a
stand-in backend that prints one progress line and hangs."""

from __future__ import annotations

import json

import pytest

from .addon_helpers import enabled_addon, pid_written, process_alive, wait_for, write_fake_python

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

from blender_addon import backend  # noqa: E402
from blender_addon.backend_modal import JobSession  # noqa: E402
from blender_addon.model_download import (  # noqa: E402
    S2C_OT_cancel_download,
    S2C_OT_get_official_model,
)
from blender_addon.operators import S2C_OT_cancel_generate, S2C_OT_generate  # noqa: E402

RUNS = [
    (S2C_OT_generate, S2C_OT_cancel_generate),
    (S2C_OT_get_official_model, S2C_OT_cancel_download),
]


def _hanging_session(folder) -> tuple[JobSession, object]:
    pid_file = folder / "pid"
    progress = json.dumps({"event": "progress", "done": 1, "total": 4, "message": "one of 4"})
    python = write_fake_python(folder, f"echo $$ > '{pid_file}'\necho '{progress}'\nexec sleep 60")
    session = JobSession(backend.BackendJob.launch([str(python)]))
    assert wait_for(lambda: pid_written(pid_file))
    return session, pid_file


@pytest.mark.parametrize(("run", "cancel"), RUNS)
def test_a_run_shows_progress_blocks_a_second_start_and_cancels(run, cancel, tmp_path):
    with enabled_addon():
        session, pid_file = _hanging_session(tmp_path)
        reports: list = []
        report = lambda level, message: reports.append((level, message))  # noqa: E731
        assert run.step(session, bpy.context, "MOUSEMOVE", report) == {"PASS_THROUGH"}
        state = run.run_state(bpy.context)
        ticking = lambda: run.step(session, bpy.context, "TIMER", report) == {"RUNNING_MODAL"}  # noqa: E731
        assert wait_for(lambda: ticking() and state.progress == 0.25)
        assert state.running and state.message == "one of 4"
        assert not run.poll(bpy.context) and cancel.poll(bpy.context)
        assert run.step(session, bpy.context, "ESC", report) == {"CANCELLED"}
        assert not process_alive(int(pid_file.read_text()))
        assert not state.running and state.message == run.cancelled_message
        assert reports == [({"WARNING"}, run.cancelled_report)]
        assert run.poll(bpy.context) and not cancel.poll(bpy.context)


def test_an_interrupted_wait_stops_the_backend(tmp_path):
    session, pid_file = _hanging_session(tmp_path)

    def interrupted(interval_s: float = 0.05) -> None:
        raise KeyboardInterrupt

    session.job.wait = interrupted
    with pytest.raises(KeyboardInterrupt):
        session.wait()
    assert not process_alive(int(pid_file.read_text()))
    assert not session.job.workdir.exists()
