import numpy as np
import pytest
import soundfile

from s2c_core.music import transcribe as front
from tests.music.test_midi_write import transcribed_notes


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("S2C_CACHE_DIR", str(tmp_path / "cache"))


def test_transcribing_the_same_recording_again_uses_the_cache(tmp_path, monkeypatch):
    recording = tmp_path / "take.wav"
    recording.write_bytes(b"pretend audio")
    runs = []

    def counted_run(audio_or_path, sr, transcriber, progress):
        runs.append(transcriber)
        return transcribed_notes(audio_or_path)

    monkeypatch.setattr(front, "_run", counted_run)
    first = front.transcribe(recording, transcriber="fast")
    again = front.transcribe(recording, transcriber="fast")
    front.transcribe(recording, transcriber="fast", use_cache=False)

    assert runs == ["fast", "fast"]
    np.testing.assert_array_equal(again.onset, first.onset)
    np.testing.assert_array_equal(again.pedal, first.pedal)


def test_unknown_transcriber_and_missing_file_are_one_line_errors(tmp_path):
    with pytest.raises(front.TranscriptionError, match="unknown transcriber 'best'"):
        front.transcribe(tmp_path / "x.wav", transcriber="best")
    with pytest.raises(front.TranscriptionError, match="x.wav: no such audio file"):
        front.transcribe(tmp_path / "x.wav")


def test_note_scores_of_identical_notes_are_perfect():
    notes = transcribed_notes()
    assert front.note_scores(notes, notes) == (1.0, 1.0, 1.0)


def test_note_scores_ignore_offsets_but_not_late_onsets():
    notes = transcribed_notes()
    shifted = transcribed_notes()
    shifted.offset[:] += 0.5
    assert front.note_scores(notes, shifted)[2] == 1.0
    shifted.onset[:] += 0.06
    shifted.offset[:] += 0.06
    assert front.note_scores(notes, shifted)[2] == 0.0


def test_a_recording_comes_at_the_models_rate_and_empty_audio_is_refused(tmp_path):
    second = np.sin(np.linspace(0, 880 * np.pi, 16_000, dtype=np.float32))
    source, audio = front.load_recording(second, 16_000, 44_100)
    assert str(source) == "<audio array>" and audio.dtype == np.float32
    assert abs(audio.size - 44_100) <= 1
    soundfile.write(tmp_path / "take.wav", second, 16_000)
    source, from_file = front.load_recording(tmp_path / "take.wav", 0, 22_050)
    assert source == tmp_path / "take.wav" and abs(from_file.size - 22_050) <= 1
    with pytest.raises(front.TranscriptionError, match="<audio array>: empty audio"):
        front.load_recording(np.zeros(0), 16_000, 44_100)
