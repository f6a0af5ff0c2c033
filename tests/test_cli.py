"""The `s2c` command line end to end (MIDI engine; Blender outputs in the slow tests)."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from s2c_core.cli import main
from s2c_core.motion import load_motion
from tests.python_module import run_s2c

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "assets" / "example.mid"


def write_midi(path: Path, notes: list[tuple[int, float, float]], drum: bool = False) -> Path:
    midi = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0, is_drum=drum)
    inst.notes = [pretty_midi.Note(80, p, s, e) for p, s, e in notes]
    midi.instruments.append(inst)
    midi.write(str(path))
    return path


def test_generate_writes_a_valid_take(tmp_path):
    out = tmp_path / "take.npz"
    assert main(["generate", str(EXAMPLE), "--out", str(out), "--progress", "none"]) == 0
    motion = load_motion(out)
    assert motion.metadata.engine == "midi" and motion.fps == 30
    assert abs(motion.duration - pretty_midi.PrettyMIDI(str(EXAMPLE)).get_end_time()) < 1.5
    assert len(motion.notes) == 97


def test_jsonl_progress_is_well_formed_and_ends_with_done(tmp_path):
    result = run_s2c("generate", str(EXAMPLE), "--out", str(tmp_path / "t.npz"),
                     "--progress", "jsonl")  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[-1]["event"] == "done" and events[-1]["output"] == str(tmp_path / "t.npz")
    assert {"stage", "progress"} <= {e["event"] for e in events}
    for event in events:
        if event["event"] == "progress":
            assert 0 <= event["done"] <= event["total"]


def write_silence(path: Path) -> Path:
    import soundfile as sf

    sf.write(path, np.zeros(16000, dtype=np.float32), 16000)
    return path


def write_far_note(path: Path) -> Path:
    """A note ending 20 million ticks in: past pretty_midi's tick limit."""
    import mido

    midi = mido.MidiFile(ticks_per_beat=480)
    note_on = mido.Message("note_on", note=60, velocity=80, time=0)
    note_off = mido.Message("note_off", note=60, time=20_000_000)
    midi.tracks.append(mido.MidiTrack([note_on, note_off]))
    midi.save(path)
    return path


def write_noise(path: Path) -> Path:
    """Random bytes: mpg123 prints 'Illegal Audio-MPEG-Header' notes on them."""
    path.write_bytes(np.random.default_rng(0).bytes(20_000))
    return path


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (lambda d: d / "missing.mid", "no such file"),
        (lambda d: (d / "corrupt.mid").write_bytes(b"MThd garbage") and d / "corrupt.mid", ""),
        (lambda d: write_midi(d / "empty.mid", []), ""),
        (lambda d: write_midi(d / "drums.mid", [(40, 0, 1)], drum=True), ""),
        (lambda d: (d / "song.txt").write_text("x") and d / "song.txt", "unsupported file type"),
        (lambda d: (d / "rec.wav").write_bytes(b"RIFF\x00garbage") and d / "rec.wav", ""),
        (lambda d: write_silence(d / "quiet.flac"), "silent"),
        (lambda d: (d / "folder.mid").mkdir() or d / "folder.mid", "is a directory"),
        (lambda d: write_far_note(d / "long.mid"), "beyond pretty_midi's limit of 10,000,000"),
        (lambda d: write_noise(d / "random.mp3"), "not audio that libsndfile recognises"),
    ],
)
def test_bad_input_is_one_clear_line_and_leaves_no_output(tmp_path, make_input, message):
    source = make_input(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = run_s2c("generate", str(source), "--out", str(out / "t.npz"), "--progress", "jsonl")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("s2c: error: ") and str(source) in lines[0]
    assert message in lines[0]
    assert json.loads(result.stdout.splitlines()[-1])["event"] == "error"
    assert list(out.iterdir()) == []


def test_existing_output_needs_overwrite(tmp_path, capsys):
    out = tmp_path / "t.npz"
    out.write_bytes(b"keep me")
    assert main(["generate", str(EXAMPLE), "--out", str(out), "--progress", "none"]) == 2
    assert "already exists (pass --overwrite" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert main(["generate", str(EXAMPLE), "--out", str(out), "--overwrite",
                 "--progress", "none"]) == 0  # fmt: skip
    assert load_motion(out).num_frames > 0


def test_read_only_folder_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("s2c_core.outputs.os.access", lambda *a, **k: False)
    assert main(["generate", str(EXAMPLE), "--out", str(tmp_path / "t.npz")]) == 2
    assert "is not writable" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_failing_scene_step_leaves_no_files(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("building the Blender scene failed: boom")

    monkeypatch.setattr("s2c_core.cli.run_headless", broken)
    code = main(["generate", str(EXAMPLE), "--out", str(tmp_path / "t.npz"),
                 "--fbx", str(tmp_path / "s.fbx")])  # fmt: skip
    assert code == 2 and "boom" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_nothing_to_write_is_an_error(capsys):
    assert main(["generate", str(EXAMPLE)]) == 2
    assert "nothing to write" in capsys.readouterr().err


def test_doctor_reports_json():
    result = run_s2c("doctor", "--json")
    report = json.loads(result.stdout)
    assert report["engines"]["midi"] is True and "python" in report
    assert set(report["transcribers"]) == {"accurate", "fast"}


def test_help_lists_the_commands():
    result = run_s2c("--help")
    assert result.returncode == 0
    for command in ("generate", "transcribe", "doctor"):
        assert command in result.stdout


@pytest.mark.slow
@pytest.mark.blender
def test_generate_writes_blend_and_fbx(tmp_path):
    paths = {kind: tmp_path / f"scene.{kind}" for kind in ("blend", "fbx")}
    result = run_s2c("generate", str(EXAMPLE), "--out", str(tmp_path / "take.npz"),
                     "--blend", str(paths["blend"]), "--fbx", str(paths["fbx"]))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert all(path.stat().st_size > 10_000 for path in paths.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene.blend", "scene.fbx", "take.npz"]


@pytest.mark.slow
@pytest.mark.blender
def test_scene_only_output_works_from_a_path_with_spaces(tmp_path):
    folder = tmp_path / "my songs ü"
    folder.mkdir()
    source = shutil.copy(EXAMPLE, folder / "my song.mid")
    result = run_s2c("generate", str(source), "--blend", str(folder / "scène.blend"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["my song.mid", "scène.blend"]


def test_a_mano_take_carries_its_rest_joints_for_blender(tmp_path):
    import pickle

    from tests.hand.test_mano import synthetic_mano

    data, joints = synthetic_mano(lambda array: array)  # plain arrays instead of chumpy
    mano = tmp_path / "MANO_RIGHT.pkl"
    mano.write_bytes(pickle.dumps(data, protocol=2))
    out = tmp_path / "t.npz"
    assert main(["generate", str(EXAMPLE), "--mano", str(mano), "--out", str(out),
                 "--progress", "none"]) == 0  # fmt: skip
    motion = load_motion(out)
    assert motion.metadata.hand_model == "mano"
    rest = np.array(motion.metadata.extra["rest_joints"])
    np.testing.assert_allclose(rest, joints - joints[0], atol=1e-6)


def test_audio_out_writes_the_rendered_midi_for_the_sound_strip(tmp_path):
    import soundfile as sf

    wav = tmp_path / "take.wav"
    assert main(["generate", str(EXAMPLE), "--audio-out", str(wav), "--progress", "none"]) == 0
    info = sf.info(wav)
    length = pretty_midi.PrettyMIDI(str(EXAMPLE)).get_end_time()
    assert info.samplerate == 44100 and info.channels == 1
    assert length < info.duration < length + 4.0  # release tails (and reverb) ring on
    assert [p.name for p in tmp_path.iterdir()] == ["take.wav"]


def test_outputs_naming_one_file_or_the_input_are_refused(tmp_path, capsys):
    source = Path(shutil.copy(EXAMPLE, tmp_path / "a.mid"))
    code = main(["generate", str(source), "--out", str(source), "--overwrite"])
    assert code == 2 and "--out names the input file" in capsys.readouterr().err
    assert source.read_bytes() == EXAMPLE.read_bytes()
    code = main(["generate", str(source), "--out", str(tmp_path / "x.npz"),
                 "--audio-out", str(tmp_path / "sub" / ".." / "x.npz")])  # fmt: skip
    assert code == 2 and "--out and --audio-out name the same file" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["a.mid"]


def test_a_malformed_mano_file_is_one_error_event_and_only_json_on_stdout(tmp_path):
    import pickle

    from tests.hand.test_mano import synthetic_mano

    data, _ = synthetic_mano(lambda array: array)
    data["weights"], data["posedirs"] = "strings", np.zeros(3)  # harmless, but not MANO
    mano = tmp_path / "MANO_RIGHT.pkl"
    mano.write_bytes(pickle.dumps(data, protocol=2))
    result = run_s2c("generate", str(EXAMPLE), "--mano", str(mano),
                     "--out", str(tmp_path / "t.npz"), "--progress", "jsonl")  # fmt: skip
    assert result.returncode == 2
    events = [json.loads(line) for line in result.stdout.splitlines()]  # nothing but JSON
    assert [e["event"] for e in events].count("error") == 1 and events[-1]["event"] == "error"
    assert events[-1]["message"].startswith(f"{mano}: not a usable MANO model")
    assert result.stderr.splitlines()[-1] == f"s2c: error: {events[-1]['message']}"


def test_an_unexpected_exception_is_one_error_event_and_exit_2(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr("s2c_core.cli.generate", broken)
    code = main(["generate", str(EXAMPLE), "--out", str(tmp_path / "t.npz"),
                 "--progress", "jsonl"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2 and captured.err == "s2c: error: KeyError: 'surprise'\n"
    assert [json.loads(line) for line in captured.out.splitlines()] == [
        {"event": "error", "message": "KeyError: 'surprise'"}
    ]
    assert list(tmp_path.iterdir()) == []


# The backend with a stand-in for the Blender step that waits to be killed.
_SLOW_SCENE = """
import os, sys, time
import s2c_core.blender_bridge as bridge
from s2c_core.cli import main
child = ("import os, sys, time; from blender_addon.headless import die_with_parent; "
         "die_with_parent(); open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)")
bridge.headless_command = lambda motion, extra, module=None: [
    sys.executable, "-c", child, sys.argv[1]]
sys.exit(main(sys.argv[2:]))
"""


def _start_slow_scene_run(tmp_path: Path) -> tuple[subprocess.Popen, int, Path]:
    out = tmp_path / "out"
    out.mkdir()
    pid_file = tmp_path / "child.pid"
    argv = ["generate", str(EXAMPLE), "--out", str(out / "t.npz"), "--blend",
            str(out / "s.blend"), "--progress", "jsonl"]  # fmt: skip
    parent = subprocess.Popen([sys.executable, "-c", _SLOW_SCENE, str(pid_file), *argv],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)  # fmt: skip
    for _ in range(600):
        if pid_file.is_file() and pid_file.read_text():
            return parent, int(pid_file.read_text()), out
        time.sleep(0.05)
    parent.kill()
    raise AssertionError(f"the scene step never started: {parent.communicate()}")


def _gone(pid: int, wait_s: float = 5.0) -> bool:
    for _ in range(int(wait_s / 0.05)):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and prctl")
def test_sigterm_ends_with_an_error_event_no_staging_and_no_child(tmp_path):
    parent, child, out = _start_slow_scene_run(tmp_path)
    assert any(p.name.startswith(".s2c-") for p in out.iterdir())  # staged beside the outputs
    parent.send_signal(signal.SIGTERM)
    stdout, stderr = parent.communicate(timeout=30)
    assert parent.returncode == 128 + signal.SIGTERM, stderr
    events = [json.loads(line) for line in stdout.splitlines()]
    assert events[-1] == {"event": "error", "message": "terminated by SIGTERM"}
    assert _gone(child) and list(out.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and prctl")
def test_sigkill_takes_the_child_along_and_the_next_run_sweeps_the_staging(tmp_path):
    parent, child, out = _start_slow_scene_run(tmp_path)
    parent.kill()
    parent.communicate(timeout=30)
    assert _gone(child)
    assert any(p.name.startswith(".s2c-") for p in out.iterdir())  # a kill cannot clean up
    assert main(["generate", str(EXAMPLE), "--out", str(out / "t.npz"), "--progress", "none"]) == 0
    assert [p.name for p in out.iterdir()] == ["t.npz"]


@pytest.mark.parametrize("count", ["0", "-3", "two"])
def test_non_positive_step_counts_are_refused_by_the_parser(tmp_path, count, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["generate", str(EXAMPLE), "--out", str(tmp_path / "t.npz"), "--steps", count])
    assert exited.value.code == 2 and "--steps" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_mano_file_that_yields_nan_joints_is_named(tmp_path, capsys):
    import pickle

    from tests.hand.test_mano import synthetic_mano

    data, _ = synthetic_mano(lambda array: array)
    data["v_template"] = np.full((778, 3), np.nan)
    mano = tmp_path / "MANO_RIGHT.pkl"
    mano.write_bytes(pickle.dumps(data, protocol=2))
    out = tmp_path / "out"
    out.mkdir()
    assert main(["generate", str(EXAMPLE), "--mano", str(mano), "--out", str(out / "t.npz")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"s2c: error: {mano}: the hand's rest joints contain NaN or infinite values"
    )
    assert list(out.iterdir()) == []


@pytest.mark.slow
@pytest.mark.blender
def test_the_blender_step_reports_progress_and_reduce_keys_shrinks_its_outputs(tmp_path):
    sizes = {}
    for name, extra in (("full", []), ("reduced", ["--reduce-keys", "0.001"])):
        paths = {kind: tmp_path / f"{name}.{kind}" for kind in ("blend", "fbx")}
        result = run_s2c("generate", str(EXAMPLE), "--blend", str(paths["blend"]),
                         "--fbx", str(paths["fbx"]), "--progress", "jsonl", *extra)  # fmt: skip
        assert result.returncode == 0, result.stderr
        events = [json.loads(line) for line in result.stdout.splitlines()]
        messages = [e["message"] for e in events if e["event"] == "progress"]
        assert {f"writing {name}.blend", f"writing {name}.fbx", "scene written"} <= set(messages)
        sizes[name] = {kind: path.stat().st_size for kind, path in paths.items()}
    # The skinned hand mesh (~16k vertices, blender_addon/hand_mesh.py) is a fixed part of
    # both files on this 8-bar example, so the keys alone shrink far more than the file.
    assert sizes["reduced"]["fbx"] < sizes["full"]["fbx"] / 2.5
    assert sizes["reduced"]["blend"] < sizes["full"]["blend"]


def test_reduce_keys_needs_a_scene_output(tmp_path, capsys):
    code = main(["generate", str(EXAMPLE), "--out", str(tmp_path / "t.npz"),
                 "--reduce-keys", "0.001"])  # fmt: skip
    assert code == 2 and "--reduce-keys thins the keys of --blend/--fbx" in capsys.readouterr().err
