import importlib.util

import numpy as np
import pytest
import soundfile as sf

from s2c_core.music.audio import SAMPLE_RATE
from s2c_core.music.basic_pitch_notes import transcribe_basic_pitch as transcribe
from s2c_core.music.midi import read_midi
from s2c_core.music.render import render_midi
from s2c_core.music.transcribe import TranscriptionError, note_scores
from tests.music.test_render import needs_fluidsynth, write_midi

# find_spec, not importorskip: importing basic_pitch here would log its backend warnings.
pytestmark = pytest.mark.skipif(
    not all(importlib.util.find_spec(name) for name in ("basic_pitch", "onnxruntime")),
    reason="transcription needs basic-pitch and onnxruntime (install line in docs/audio.md)",
)

# Benchmark (benchmarks/bench_transcription.py, 7 shared pieces): mean note F1 0.935
# built-in / 0.85 FluidSynth. This 32-note phrase scores 1.00 / 0.81 (FluidSynth misses a
# few soft chord notes); one miss costs ~3 points, so the bounds allow 4-5 more errors than
# measured while a broken window alignment or pitch offset (F1 near 0) still fails.
MIN_F1 = {"builtin": 0.85, "fluidsynth": 0.75}


@pytest.fixture(scope="module")
def phrase(tmp_path_factory):
    """A seeded 10 s piano phrase: a melody over two-note chords, no same-key re-strikes."""
    rng = np.random.default_rng(5)
    notes, time = [], 0.2
    while time < 9.5:
        step = rng.choice([0.25, 0.375, 0.5])
        notes.append((int(rng.integers(60, 85)), time, time + step, int(rng.integers(60, 110))))
        if rng.random() < 0.3:
            root = int(rng.integers(36, 55))
            for pitch in (root, root + 7):
                notes.append((pitch, time, time + 2 * step, int(rng.integers(50, 90))))
        time += step
    path = write_midi(tmp_path_factory.mktemp("phrase") / "phrase.mid", notes)
    return read_midi(path)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["builtin", pytest.param("fluidsynth", marks=needs_fluidsynth)])
def test_midi_to_audio_to_notes_round_trip(phrase, backend, tmp_path):
    audio, _ = render_midi(phrase, backend=backend)
    path = tmp_path / "phrase.flac"
    sf.write(path, audio, SAMPLE_RATE)

    from_array, from_file = transcribe(audio), transcribe(path)

    for estimate in (from_array, from_file):
        precision, recall, f1 = note_scores(phrase, estimate)
        assert f1 >= MIN_F1[backend], (backend, precision, recall, f1)
    assert from_file.path == path
    assert from_array.pitch.min() >= 21 and from_array.pitch.max() <= 108
    assert np.all(np.diff(from_array.onset) >= 0) and np.all(from_array.offset > from_array.onset)
    assert np.all((from_array.velocity >= 1) & (from_array.velocity <= 127))


def test_no_notes_is_one_clear_error():
    noise = 1e-3 * np.random.default_rng(0).standard_normal(2 * SAMPLE_RATE)
    with pytest.raises(TranscriptionError, match="no piano notes found"):
        transcribe(noise.astype(np.float32))
