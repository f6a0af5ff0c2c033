"""backend.py without Blender: engine choice, argv, events, the process, cancel, doctor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from blender_addon import backend

from .addon_helpers import REPO_ROOT, process_alive, wait_for, write_fake_backend, write_fake_python


def test_importing_backend_does_not_import_bpy():
    code = "import sys, blender_addon.backend; assert 'bpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


@pytest.mark.parametrize(
    ("requested", "name", "checkpoints", "engine", "says"),
    [
        ("auto", "song.mid", False, "midi", "MIDI input"),
        ("auto", "song.MIDI", True, "midi", "MIDI input"),
        ("auto", "take.wav", True, "s2c", "checkpoints found"),
        ("auto", "take.flac", False, "midi", "transcription"),
        ("s2c", "song.mid", False, "s2c", "chosen"),
        ("midi", "take.ogg", True, "midi", "chosen"),
    ],
)
def test_choose_engine(tmp_path, requested, name, checkpoints, engine, says):
    if checkpoints:
        (tmp_path / "stage2").mkdir()
        (tmp_path / "stage2" / "model.safetensors").write_bytes(b"")
    choice = backend.choose_engine(requested, tmp_path / name, tmp_path)
    assert choice.engine == engine
    assert says in choice.reason


def test_choose_engine_rejects_unknown_engine():
    with pytest.raises(ValueError, match="unknown engine"):
        backend.choose_engine("magic", "a.mid", None)


def test_has_checkpoints_needs_weights_files(tmp_path):
    assert not backend.has_checkpoints(None)
    assert not backend.has_checkpoints(tmp_path / "missing")
    (tmp_path / "notes.txt").write_text("x")
    assert not backend.has_checkpoints(tmp_path)
    (tmp_path / "ckpt.PT").write_bytes(b"")
    assert backend.has_checkpoints(tmp_path)


def test_generate_command_is_the_contract():
    request = backend.GenerateRequest(
        input_path=Path("/music/my söng (live).wav"),
        engine="s2c",
        seed=7,
        steps=25,
        device="cuda",
        checkpoint_dir=Path("/models/s2c ckpt"),
        mano_file=Path("/mano/MANO_RIGHT.pkl"),
    )
    argv = backend.generate_command(["/py"], request, Path("/tmp/x y/take.npz"))
    assert argv == [
        "/py", "generate", "/music/my söng (live).wav", "--engine", "s2c", "--seed", "7",
        "--steps", "25", "--device", "cuda", "--out", "/tmp/x y/take.npz", "--overwrite",
        "--progress", "jsonl", "--checkpoint", "/models/s2c ckpt", "--mano", "/mano/MANO_RIGHT.pkl",
    ]  # fmt: skip
    plain = backend.GenerateRequest(input_path=Path("a.mid"), engine="midi")
    assert "--checkpoint" not in backend.generate_command(["/py"], plain, Path("o.npz"))
    compat = backend.GenerateRequest(Path("a.wav"), "s2c", steps=25, reference_compat=True)
    argv = backend.generate_command(["/py"], compat, Path("o.npz"))
    assert "--reference-compat" in argv and "--steps" not in argv  # DDPM-1000 has no --steps
    assert backend.backend_prefix("/venv/bin/python") == ["/venv/bin/python", "-m", "s2c_core"]


def test_parse_event():
    assert backend.parse_event("  \n") is None
    event = backend.parse_event('{"event": "progress", "done": 1, "total": 4}\n')
    assert event.kind == "progress" and event.data["total"] == 4
    assert backend.parse_event("Loading weights...").kind == "log"
    assert backend.parse_event("[1, 2]").kind == "log"


def test_run_state_folds_events():
    state = backend.RunState()
    for line in (
        '{"event": "stage", "name": "features", "message": "audio features"}',
        '{"event": "progress", "done": 3, "total": 12, "message": "window 1"}',
    ):
        state.apply(backend.parse_event(line))
    assert state.fraction == pytest.approx(0.25) and state.message == "window 1"
    state.apply(backend.parse_event('{"event": "done", "output": "/t.npz", "engine": "midi"}'))
    assert (state.fraction, state.output, state.engine) == (1.0, Path("/t.npz"), "midi")
    state.apply(backend.parse_event('{"event": "error", "message": "boom"}'))
    assert state.error == "boom"


def _request(tmp_path: Path, name: str = "my söng (take 1).mid") -> backend.GenerateRequest:
    input_path = tmp_path / "in put" / name
    input_path.parent.mkdir(parents=True, exist_ok=True)
    input_path.write_bytes(b"MThd")
    return backend.GenerateRequest(input_path=input_path, engine="midi", seed=3)


def test_job_runs_fake_backend_to_a_motion_file(tmp_path):
    job = backend.BackendJob.start(_request(tmp_path), write_fake_backend(tmp_path / "fake"))
    job.wait()
    output = job.result()
    assert output == job.output_path and output.is_file()
    assert job.state.fraction == 1.0 and job.state.engine == "midi"
    recorded = json.loads((tmp_path / "fake" / "argv.json").read_text(encoding="utf-8"))
    assert recorded[1] == str(_request(tmp_path).input_path)  # spaces and ö arrive intact
    job.cleanup()
    assert not job.workdir.exists()


@pytest.mark.parametrize(
    ("mode", "message"),
    [("fail", "no S2C checkpoint in /models"), ("crash", "MemoryError: CUDA out of memory")],
)
def test_failed_run_reports_the_backend_error(tmp_path, mode, message):
    job = backend.BackendJob.start(_request(tmp_path), write_fake_backend(tmp_path, mode))
    job.wait()
    with pytest.raises(backend.BackendError, match=message):
        job.result()
    job.cleanup()
    assert not job.workdir.exists()


def test_exit_zero_without_done_event_is_a_failure(tmp_path):
    script = tmp_path / "quiet.py"
    script.write_text("print('hello')\n")
    job = backend.BackendJob.start(_request(tmp_path), [sys.executable, str(script)])
    job.wait()
    with pytest.raises(backend.BackendError, match="without a 'done' event"):
        job.result()
    job.cleanup()


def test_missing_backend_python_is_a_clear_error(tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    with pytest.raises(backend.BackendError, match="cannot start the backend"):
        backend.BackendJob.start(_request(tmp_path), [str(tmp_path / "no python")], workdir)
    assert not workdir.exists()


def test_cancel_stops_the_backend_and_its_children(tmp_path):
    job = backend.BackendJob.start(_request(tmp_path), write_fake_backend(tmp_path, "hang"))
    pids_file = tmp_path / "pids.json"
    assert wait_for(pids_file.is_file)
    pids = json.loads(pids_file.read_text())
    assert not job.poll()
    job.cleanup()
    assert wait_for(lambda: not any(process_alive(pid) for pid in pids), timeout_s=5)
    assert not job.workdir.exists()


def test_doctor_summary_from_a_fake_backend(tmp_path):
    report = {
        "ok": True, "python": "3.11.9", "torch": "2.13.0", "cuda": False,
        "engines": {"midi": True, "s2c": False}, "problems": [],
        "cached_models": ["thuteam/S2C@main (0123abcd): /hf/s2c-hands/thuteam--S2C/0123"],
    }  # fmt: skip
    python = write_fake_python(tmp_path, f"echo '{json.dumps(report)}'")
    result = backend.run_doctor(python)
    assert result.ok
    assert result.lines == (
        "Backend OK: Python 3.11.9, torch 2.13.0, no CUDA (CPU only)",
        "Engine midi: ready",
        "Engine s2c: not available",
        "Downloaded model: thuteam/S2C@main (0123abcd): /hf/s2c-hands/thuteam--S2C/0123",
    )


def test_doctor_failure_shows_the_last_error_line(tmp_path):
    python = write_fake_python(tmp_path, "echo 'No module named s2c_core' >&2; exit 1")
    result = backend.run_doctor(python)
    assert not result.ok and result.lines == ("Backend not usable: No module named s2c_core",)
    missing = backend.run_doctor(tmp_path / "nope")
    assert not missing.ok and "Cannot run" in missing.lines[0]
