import numpy as np
import pytest

from benchmarks import transcription_devset as devset
from tests.music.test_midi_write import transcribed_notes


def tone(seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * devset.RATE)) / devset.RATE
    return (0.5 * np.sin(2 * np.pi * 440 * t) * np.exp(-2 * t)).astype(np.float32)


def test_impulse_response_has_its_delay_direct_to_reverberant_ratio_and_decay():
    rng = np.random.default_rng(0)
    ir = devset.room_impulse_response(rt60_s=0.5, drr_db=-4.0, delay_s=0.03, rng=rng)
    start = int(0.03 * devset.RATE)
    assert np.all(ir[:start] == 0) and ir[start] == 1.0
    reverb = ir[start + 1 :]
    assert 10 * np.log10(1.0 / np.sum(reverb**2)) == pytest.approx(-4.0, abs=1e-6)
    window = int(0.05 * devset.RATE)
    early, late = np.sum(reverb[:window] ** 2), np.sum(reverb[-window:] ** 2)
    assert 10 * np.log10(late / early) < -45  # about 60 dB down by RT60


def test_noise_sits_at_the_asked_signal_to_noise_ratio():
    clean = tone().astype(np.float64)
    noisy = devset.add_noise(clean, 30.0, np.random.default_rng(1))
    snr = 10 * np.log10(np.mean(clean**2) / np.mean((noisy - clean) ** 2))
    assert snr == pytest.approx(30.0, abs=1e-6)


def test_flat_microphone_changes_nothing():
    audio = tone()
    flat = devset.microphone_eq(audio, 0.0, np.random.default_rng(2))
    np.testing.assert_allclose(flat, audio, atol=1e-6)


@pytest.mark.parametrize("codec", ["ogg", "mp3"])
def test_lossy_codecs_keep_length_and_sound(codec):
    audio = tone()
    decoded = devset.lossy(audio, codec)
    assert decoded.shape == audio.shape and decoded.dtype == np.float32
    # the codec's own delay is under a few ms; the tone survives
    assert np.max(np.correlate(decoded[:4000], audio[:4000], "full")) > 0.9 * np.sum(
        audio[:4000] ** 2
    )


def test_degrade_is_deterministic_per_seed():
    audio = tone()
    ambient = devset.CONDITIONS[2]
    first, again = devset.degrade(audio, ambient, 7), devset.degrade(audio, ambient, 7)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, devset.degrade(audio, ambient, 8))
    assert np.abs(first).max() == pytest.approx(0.9)


def test_excerpt_shifts_and_cuts_notes_and_pedal():
    notes = transcribed_notes()  # onsets 0, 0.5, 0.5, 1.25; pedal [0.25, 1], [1.5, 2.5]
    cut = devset.excerpt(notes, start=0.4, seconds=1.5)
    np.testing.assert_allclose(cut.onset, [0.1, 0.1, 0.85])
    np.testing.assert_allclose(cut.offset, [0.35, 0.6, 1.1])
    np.testing.assert_allclose(cut.pedal, [[0.0, 0.6], [1.1, 1.5]])
