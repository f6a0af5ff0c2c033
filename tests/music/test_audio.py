import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from s2c_core.music.audio import (
    SAMPLE_RATE,
    AudioReadError,
    audio_duration,
    iter_audio_blocks,
    iter_audio_windows,
    load_audio,
)


def sine(freq: float, seconds: float, sr: int, amplitude: float = 0.5) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr)


def peak_frequency(audio: np.ndarray, sr: int) -> float:
    """Strongest frequency, to 0.1 Hz thanks to 16x zero padding of a Hann-windowed FFT."""
    n = 16 * audio.size
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size), n))
    return float(np.argmax(spectrum) * sr / n)


# mp3 writing needs libsndfile >= 1.1 (soundfile's bundled build has it).
@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_each_format_decodes_to_mono_float32_16k_with_its_duration(tmp_path, suffix):
    path = tmp_path / f"tone{suffix}"
    tone = sine(440, 1.5, 44100)
    sf.write(path, np.stack([tone, 0.5 * tone], axis=1), 44100)  # stereo at 44.1 kHz

    audio = load_audio(path)

    assert audio.dtype == np.float32 and audio.ndim == 1
    # Lossy codecs may pad a few ms; 10 ms is far below a video frame (33 ms).
    assert abs(audio.size - 1.5 * SAMPLE_RATE) <= 0.01 * SAMPLE_RATE
    assert audio_duration(path) == pytest.approx(1.5, abs=0.01)
    assert peak_frequency(audio, SAMPLE_RATE) == pytest.approx(440, abs=1.0)


@pytest.mark.parametrize("source_rate", [8000, 22050, 44100, 48000])
def test_resampling_keeps_frequency_and_level(tmp_path, source_rate):
    path = tmp_path / "tone.wav"
    sf.write(path, sine(440, 2.0, source_rate), source_rate, subtype="FLOAT")

    audio = load_audio(path)

    assert peak_frequency(audio, SAMPLE_RATE) == pytest.approx(440, abs=0.2)
    middle = audio[SAMPLE_RATE // 2 : -SAMPLE_RATE // 2]  # away from the filter's edges
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_file_already_at_16k_is_passed_through_unchanged(tmp_path):
    path = tmp_path / "tone.wav"
    tone = sine(440, 1.0, SAMPLE_RATE).astype(np.float32)
    sf.write(path, tone, SAMPLE_RATE, subtype="FLOAT")
    np.testing.assert_array_equal(load_audio(path), tone)


def _write_silent(path):
    sf.write(path, np.zeros(SAMPLE_RATE), SAMPLE_RATE)


def _write_header_only(path):
    sf.write(path, np.zeros(0), SAMPLE_RATE)


def _write_garbage(path):
    path.write_bytes(np.random.default_rng(0).bytes(4096))


def _write_nothing(path):
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("name", "write", "reason"),
    [
        ("missing.wav", None, "no such audio file"),
        ("notes.txt", _write_garbage, "unsupported audio format '.txt'"),
        ("zero_bytes.mp3", _write_nothing, "empty audio file"),
        ("no_samples.wav", _write_header_only, "empty audio file"),
        ("corrupt.flac", _write_garbage, "not a readable audio file"),
        ("corrupt.mp3", _write_garbage, "not a readable audio file"),
        ("silent.wav", _write_silent, "silent audio"),
    ],
)
def test_bad_files_raise_one_line_starting_with_the_path(tmp_path, name, write, reason):
    path = tmp_path / name
    if write is not None:
        write(path)
    with pytest.raises(AudioReadError) as caught:
        load_audio(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and reason in message
    assert "\n" not in message
    assert isinstance(caught.value, ValueError)


def test_windows_cover_the_file_and_match_the_whole_decode(tmp_path):
    path = tmp_path / "ramp.wav"
    # A rising amplitude makes every sample position distinguishable.
    sf.write(path, sine(330, 20.0, 44100) * np.linspace(0.1, 1, 20 * 44100), 44100)
    whole = load_audio(path)

    windows = list(iter_audio_windows(path, window_s=8.0, hop_s=5.0))

    assert [start for start, _ in windows] == [0.0, 5.0, 10.0, 15.0]
    for start, samples in windows:
        first = int(start * SAMPLE_RATE)
        np.testing.assert_array_equal(samples, whole[first : first + 8 * SAMPLE_RATE])
    # The last window holds the 5 s left after 15 s; nothing is dropped.
    assert windows[-1][1].size == whole.size - 15 * SAMPLE_RATE


def test_streaming_memory_stays_bounded(tmp_path):
    path = tmp_path / "long.wav"
    seconds, rate = 120, 48000
    sf.write(path, sine(220, seconds, rate), rate, subtype="PCM_16")
    whole_bytes = seconds * SAMPLE_RATE * 4

    tracemalloc.start()
    try:
        windows = sum(1 for _ in iter_audio_windows(path, window_s=8.0, hop_s=6.0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert windows == 20
    # Buffers are a few 8 s windows (0.5 MB each), never the whole signal (7.7 MB).
    assert peak < whole_bytes / 3


def test_silence_is_reported_when_the_stream_ends(tmp_path):
    path = tmp_path / "silent.flac"
    sf.write(path, np.zeros(3 * SAMPLE_RATE), SAMPLE_RATE)
    with pytest.raises(AudioReadError, match="silent audio"):
        list(iter_audio_blocks(path))


@pytest.mark.parametrize(("window_s", "hop_s"), [(8.0, 0.0), (4.0, 8.0)])
def test_window_arguments_are_checked(tmp_path, window_s, hop_s):
    with pytest.raises(ValueError, match="hop_s"):
        next(iter_audio_windows(tmp_path / "any.wav", window_s, hop_s))
