import numpy as np
import pytest

from s2c_core.music import transcription_cache as cache
from tests.music.test_midi_write import transcribed_notes


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("S2C_CACHE_DIR", str(tmp_path / "cache"))


def test_cache_dir_follows_s2c_then_xdg(tmp_path, monkeypatch):
    assert cache.cache_dir() == tmp_path / "cache" / "transcriptions"
    monkeypatch.delenv("S2C_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "s2c-hands" / "transcriptions"


def test_key_follows_content_transcriber_and_settings(tmp_path):
    first, renamed, other = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    first.write_bytes(b"same bytes")
    renamed.write_bytes(b"same bytes")
    other.write_bytes(b"other bytes")
    key = cache.cache_key(first, 0, "accurate", {"hop_s": 16})
    assert cache.cache_key(renamed, 0, "accurate", {"hop_s": 16}) == key
    assert cache.cache_key(other, 0, "accurate", {"hop_s": 16}) != key
    assert cache.cache_key(first, 0, "fast", {"hop_s": 16}) != key
    assert cache.cache_key(first, 0, "accurate", {"hop_s": 8}) != key
    samples = np.zeros(10, dtype=np.float32)
    assert cache.cache_key(samples, 16000, "fast", {}) != cache.cache_key(samples, 8000, "fast", {})


def test_store_then_load_gives_the_same_notes(tmp_path):
    notes = transcribed_notes()
    cache.store("k", notes)
    back = cache.load_cached("k", tmp_path / "moved.wav")
    for name in ("pitch", "onset", "offset", "velocity", "pedal"):
        np.testing.assert_array_equal(getattr(back, name), getattr(notes, name))
    assert back.path == tmp_path / "moved.wav"
    assert cache.load_cached("missing", tmp_path / "x.wav") is None
    (cache.cache_dir() / "broken.npz").write_bytes(b"not a zip")
    assert cache.load_cached("broken", tmp_path / "x.wav") is None
