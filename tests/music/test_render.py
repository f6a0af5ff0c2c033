import numpy as np
import pretty_midi
import pytest

from s2c_core.music import render
from s2c_core.music.audio import SAMPLE_RATE
from s2c_core.music.midi import read_midi
from s2c_core.music.render import RenderError, render_midi, synthesise_piano

FLUIDSYNTH_READY = render.fluidsynth_program() is not None and render.find_soundfont() is not None
needs_fluidsynth = pytest.mark.skipif(
    not FLUIDSYNTH_READY,
    reason="FluidSynth not installed (apt-get install fluidsynth fluid-soundfont-gm)",
)


def write_midi(path, notes):
    """A one-track piano MIDI file of (pitch, onset s, offset s, velocity) tuples."""
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(v, p, on, off) for p, on, off, v in notes]
    midi.instruments.append(piano)
    midi.write(str(path))
    return path


def dominant_frequency(audio: np.ndarray, start_s: float, stop_s: float) -> float:
    segment = audio[int(start_s * SAMPLE_RATE) : int(stop_s * SAMPLE_RATE)]
    n = 16 * segment.size
    spectrum = np.abs(np.fft.rfft(segment * np.hanning(segment.size), n))
    return float(np.argmax(spectrum) * SAMPLE_RATE / n)


def rms(audio: np.ndarray, start_s: float, stop_s: float) -> float:
    segment = audio[int(start_s * SAMPLE_RATE) : int(stop_s * SAMPLE_RATE)]
    return float(np.sqrt(np.mean(segment.astype(np.float64) ** 2)))


@pytest.fixture
def two_notes(tmp_path):
    # A4 from 0.5 s to 1.5 s, then E5 from 2.0 s to 2.6 s.
    return write_midi(tmp_path / "two.mid", [(69, 0.5, 1.5, 100), (76, 2.0, 2.6, 90)])


def test_builtin_synth_plays_each_fundamental_in_its_time_span(two_notes):
    audio, notes = render_midi(two_notes, backend="builtin")

    assert audio.dtype == np.float32 and audio.ndim == 1
    assert audio.size >= notes.offset.max() * SAMPLE_RATE
    assert dominant_frequency(audio, 0.6, 1.4) == pytest.approx(440.0, abs=1.0)
    assert dominant_frequency(audio, 2.1, 2.5) == pytest.approx(659.26, abs=1.5)
    sounding = rms(audio, 0.6, 1.4)
    assert rms(audio, 0.0, 0.49) == 0.0  # nothing before the first onset
    # The damper stops A4 well before E5 starts (tau 80 ms: -40 dB within 0.4 s).
    assert rms(audio, 1.9, 1.99) < 0.01 * sounding
    assert np.abs(audio).max() == pytest.approx(render.PEAK_LEVEL)


def test_builtin_synth_is_louder_and_brighter_when_struck_harder(tmp_path):
    def note_at(velocity):
        notes = read_midi(write_midi(tmp_path / f"v{velocity}.mid", [(57, 0.0, 1.0, velocity)]))
        audio = synthesise_piano(notes)[: SAMPLE_RATE // 2]
        spectrum = np.abs(np.fft.rfft(audio))
        centroid = np.sum(np.arange(spectrum.size) * spectrum) / spectrum.sum()
        return rms(audio, 0, 0.5), centroid

    soft, hard = note_at(30), note_at(120)
    assert hard[0] > 3 * soft[0]
    assert hard[1] > 1.2 * soft[1]


def test_notes_are_kept_for_alignment(two_notes):
    _, notes = render_midi(two_notes, backend="builtin")
    expected = read_midi(two_notes)
    np.testing.assert_array_equal(notes.pitch, expected.pitch)
    np.testing.assert_allclose(notes.onset, [0.5, 2.0])
    # Rendering the notes themselves gives the same audio as rendering their file.
    np.testing.assert_array_equal(
        render_midi(expected, backend="builtin")[0], render_midi(two_notes, backend="builtin")[0]
    )


@needs_fluidsynth
def test_fluidsynth_renders_the_note_at_its_pitch_and_time(two_notes):
    audio, _ = render_midi(two_notes, backend="fluidsynth")

    assert audio.dtype == np.float32 and audio.ndim == 1
    assert dominant_frequency(audio, 0.6, 1.4) == pytest.approx(440.0, abs=2.0)
    assert dominant_frequency(audio, 2.1, 2.5) == pytest.approx(659.26, abs=3.0)
    assert rms(audio, 0.0, 0.45) < 0.01 * rms(audio, 0.55, 0.75)


def test_auto_falls_back_to_the_builtin_synth_without_fluidsynth(two_notes, monkeypatch):
    monkeypatch.setattr(render, "fluidsynth_program", lambda: None)
    auto, _ = render_midi(two_notes, backend="auto")
    builtin, _ = render_midi(two_notes, backend="builtin")
    np.testing.assert_array_equal(auto, builtin)
    with pytest.raises(RenderError, match="apt-get install fluidsynth"):
        render_midi(two_notes, backend="fluidsynth")


def test_missing_soundfont_override_is_not_used(monkeypatch, tmp_path):
    monkeypatch.setenv("S2C_SOUNDFONT", str(tmp_path / "none.sf2"))
    assert render.find_soundfont() is None


def test_unknown_backend_is_rejected(two_notes):
    with pytest.raises(ValueError, match="unknown render backend"):
        render_midi(two_notes, backend="timidity")


def test_sustain_pedal_keeps_a_note_sounding_and_the_audio_lasts_to_the_end(tmp_path):
    path = write_midi(tmp_path / "pedal.mid", [(69, 0.5, 0.8, 100)])
    midi = pretty_midi.PrettyMIDI(str(path))
    pedal = [pretty_midi.ControlChange(64, 127, 0.4), pretty_midi.ControlChange(64, 0, 2.0)]
    midi.instruments[0].control_changes.extend(pedal)
    midi.write(str(path))
    audio, notes = render_midi(path, backend="builtin")
    assert notes.offset[0] == pytest.approx(0.8)  # the key is let go, the pedal holds it
    assert audio.size == int(np.ceil(notes.end * SAMPLE_RATE))
    assert rms(audio, 1.6, 1.9) > 0.05 * rms(audio, 0.6, 0.75)
    assert rms(audio, 2.5, 2.6) < 0.01 * rms(audio, 0.6, 0.75)  # dampers down at 2.0 s
