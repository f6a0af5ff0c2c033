import json

import numpy as np
import pytest
import soundfile as sf

from s2c_core.cli import main
from s2c_core.music import transcription_cache as cache
from s2c_core.music.midi import read_midi
from s2c_core.music.transcribe import _settings
from tests.music.test_midi_write import transcribed_notes


@pytest.fixture
def cached_recording(tmp_path, monkeypatch):
    """A real WAV whose accurate transcription is already cached (no model run needed)."""
    monkeypatch.setenv("S2C_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "take.wav"
    sf.write(path, 0.1 * np.sin(np.arange(8000) / 5.0), 16000)
    cache.store(cache.cache_key(path, 0, "accurate", _settings("accurate")), transcribed_notes())
    return path


def test_transcribe_writes_notes_velocities_and_pedal(cached_recording, tmp_path, capsys):
    out = tmp_path / "notes.mid"

    assert (
        main(["transcribe", str(cached_recording), "--out", str(out), "--progress", "jsonl"]) == 0
    )

    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1] == {
        "event": "done", "output": str(out), "notes": 4, "pedal_intervals": 2,
    }  # fmt: skip
    back, expected = read_midi(out), transcribed_notes()
    np.testing.assert_array_equal(back.velocity, expected.velocity)
    np.testing.assert_allclose(back.pedal, expected.pedal, atol=2e-3)


@pytest.mark.parametrize(
    ("input_name", "out_name", "problem"),
    [
        ("take.txt", "notes.mid", "take.txt: not a recording"),
        ("take.wav", "notes.npz", "notes.npz: the output must be a .mid or .midi file"),
        ("missing.wav", "notes.mid", "missing.wav: no such audio file"),
        ("take.wav", "exists.mid", "exists.mid: already exists"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    cached_recording, tmp_path, capsys, input_name, out_name, problem
):
    (tmp_path / "exists.mid").write_bytes(b"keep me")
    before = sorted(tmp_path.iterdir())

    status = main(["transcribe", str(tmp_path / input_name), "--out", str(tmp_path / out_name)])

    error = capsys.readouterr().err.strip()
    assert status == 2 and problem in error and "\n" not in error
    assert sorted(tmp_path.iterdir()) == before
    assert (tmp_path / "exists.mid").read_bytes() == b"keep me"
