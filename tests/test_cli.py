"""The `s2c` command line end to end (MIDI engine; Blender outputs in the slow tests)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from s2c_core.cli import main
from s2c_core.motion import load_motion

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "assets" / "example.mid"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "s2c_core", *args], capture_output=True,
                          text=True, cwd=REPO)  # fmt: skip


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
    result = run_cli("generate", str(EXAMPLE), "--out", str(tmp_path / "t.npz"),
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
    ],
)
def test_bad_input_is_one_clear_line_and_leaves_no_output(tmp_path, make_input, message):
    source = make_input(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("generate", str(source), "--out", str(out / "t.npz"), "--progress", "jsonl")
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
    result = run_cli("doctor", "--json")
    report = json.loads(result.stdout)
    assert report["engines"]["midi"] is True and "python" in report
    assert set(report["transcribers"]) == {"accurate", "fast"}


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("generate", "transcribe", "doctor"):
        assert command in result.stdout


@pytest.mark.slow
@pytest.mark.blender
def test_generate_writes_blend_and_fbx(tmp_path):
    paths = {kind: tmp_path / f"scene.{kind}" for kind in ("blend", "fbx")}
    result = run_cli("generate", str(EXAMPLE), "--out", str(tmp_path / "take.npz"),
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
    result = run_cli("generate", str(source), "--blend", str(folder / "scène.blend"))
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
