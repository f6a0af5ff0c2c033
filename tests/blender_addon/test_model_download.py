"""Preferences > Get Official Model in real bpy: the real backend (`s2c download`) against the
fake Hugging Face Hub of tests/fake_hub.py, then cancel and failure against stand-ins. The
modal operator is driven by its `step` with fake TIMER/ESC events, as the window manager
would."""

from __future__ import annotations

import json
import sys
import time

import pytest

from tests.fake_hub import S2C_COMMIT, FakeHub, fake_s2c_repos

from .addon_helpers import (
    ADDON_MODULE,
    REPO_ROOT,
    enabled_addon,
    pid_written,
    process_alive,
    wait_for,
    write_fake_python,
)

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

from blender_addon import backend  # noqa: E402
from blender_addon.model_download import (  # noqa: E402
    DownloadSession,
    S2C_OT_get_official_model,
)


def _drive(session, events=("TIMER",)) -> tuple[set[str], list[float], list[tuple]]:
    state = bpy.context.window_manager.s2c_hands_download
    reports, seen = [], []
    for _ in range(3000):
        event = events[0] if len(events) == 1 else events[min(len(seen), len(events) - 1)]
        report = lambda level, message: reports.append((level, message))  # noqa: E731
        status = S2C_OT_get_official_model.step(session, bpy.context, event, report)
        if status != {"RUNNING_MODAL"}:
            return status, seen, reports
        seen.append(state.progress)
        time.sleep(0.02)
    raise AssertionError("the download never finished")


def _prefs():
    return bpy.context.preferences.addons[ADDON_MODULE].preferences


@pytest.mark.slow  # the real backend in a subprocess: torch import and a conversion
def test_get_official_model_downloads_and_points_the_checkpoint_at_it(tmp_path, monkeypatch):
    repos, _ = fake_s2c_repos(tmp_path / "repos")
    # the backend Python of this checkout (backend_env drops PYTHONPATH, as for Blender's)
    python = write_fake_python(
        tmp_path / "py", f'PYTHONPATH="{REPO_ROOT}" exec "{sys.executable}" "$@"'
    )
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with FakeHub(repos) as server, enabled_addon(python):
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        session = DownloadSession.start(backend.backend_prefix(str(python)))
        status, seen, reports = _drive(session)
        assert status == {"FINISHED"}, reports
        folder = tmp_path / "hf" / "s2c-hands" / "thuteam--S2C" / S2C_COMMIT
        assert _prefs().checkpoint_dir == str(folder)
        assert backend.has_checkpoints(_prefs().checkpoint_dir)  # Auto now picks S2C
        state = bpy.context.window_manager.s2c_hands_download
        assert not state.running and state.message.startswith("Official model ready")
        assert any(0 < fraction < 1 for fraction in seen)  # byte progress reached the UI
        assert reports[-1][0] == {"INFO"}


def test_escape_cancels_and_keeps_the_setting(tmp_path):
    pid_file = tmp_path / "pid"
    progress = json.dumps({"event": "progress", "done": 1, "total": 4, "message": "ckpt"})
    python = write_fake_python(
        tmp_path / "py", f"echo $$ > '{pid_file}'\necho '{progress}'\nexec sleep 60"
    )
    with enabled_addon(python):
        _prefs().checkpoint_dir = "/models/mine"
        session = DownloadSession.start(backend.backend_prefix(str(python)))
        assert wait_for(lambda: pid_written(pid_file))
        status, _, reports = _drive(session, events=("TIMER",) * 10 + ("ESC",))
        assert status == {"CANCELLED"} and reports[-1][0] == {"WARNING"}
        assert not process_alive(int(pid_file.read_text()))
        assert _prefs().checkpoint_dir == "/models/mine"
        assert bpy.context.window_manager.s2c_hands_download.message == "Download cancelled"


def test_a_failed_download_says_why(tmp_path):
    error = json.dumps({"event": "error", "message": "offline and not cached"})
    python = write_fake_python(tmp_path / "py", f"echo '{error}'\nexit 2")
    with enabled_addon(python):
        _prefs().checkpoint_dir = ""
        status, _, reports = _drive(DownloadSession.start(backend.backend_prefix(str(python))))
        state = bpy.context.window_manager.s2c_hands_download
        assert status == {"CANCELLED"} and state.failed
        assert "offline and not cached" in state.message and _prefs().checkpoint_dir == ""


def test_without_online_access_nothing_starts(tmp_path):
    marker = tmp_path / "started"
    python = write_fake_python(tmp_path / "py", f"touch '{marker}'")
    with enabled_addon(python):
        assert not bpy.app.online_access  # the bpy module's default, like a fresh Blender
        with pytest.raises(RuntimeError, match="turn on Allow Online Access"):  # its report
            bpy.ops.s2c.get_official_model()
        assert not marker.exists()
