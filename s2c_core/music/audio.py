"""Decode audio files to mono float32 at 16 kHz (libsndfile decodes, soxr resamples).

Files are read in blocks and resampled through a streaming soxr resampler, so memory stays
bounded by the block size for consumers that walk the file (`iter_audio_blocks`,
`iter_audio_windows`); `load_audio` gathers the whole signal (an hour at 16 kHz is 230 MB).

Every failure a user can cause (missing, unsupported, corrupt, empty or silent file) raises
`AudioReadError` whose message is one line starting with the file path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

SAMPLE_RATE = 16000
SUPPORTED_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
# Below -80 dBFS everywhere counts as silence: 16-bit dither noise stays under it, music never.
SILENCE_PEAK = 1e-4
# Input frames decoded per block: 1.5 s at 44.1 kHz keeps memory small and calls few.
_BLOCK_FRAMES = 1 << 16


class AudioReadError(ValueError):
    """An audio file is missing, unsupported, unreadable, empty or silent (message names it)."""


def audio_duration(path: str | os.PathLike) -> float:
    """Duration in seconds from the file header, without decoding the samples."""
    with _open(Path(path)) as handle:
        return handle.frames / handle.samplerate


def load_audio(path: str | os.PathLike, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The whole file as mono float32 at `sr` Hz."""
    return np.concatenate(list(iter_audio_blocks(path, sr)))


def iter_audio_blocks(path: str | os.PathLike, sr: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """Consecutive mono float32 blocks at `sr` Hz; together they are `load_audio(path, sr)`.

    Silence can only be known once the stream ends, so a silent file raises AudioReadError
    after its (silent) blocks have been yielded.
    """
    path = Path(path)
    peak = 0.0
    with _open(path) as handle:
        resampler = _Resampler(handle.samplerate, sr)
        for block in _read_blocks(path, handle):
            mono = block.mean(axis=1, dtype=np.float32)
            peak = max(peak, float(np.abs(mono).max()))
            out = resampler.push(mono)
            if out.size:
                yield out
        tail = resampler.flush()
        if tail.size:
            yield tail
    if peak < SILENCE_PEAK:
        raise AudioReadError(
            f"{path}: silent audio (peak below {20 * np.log10(SILENCE_PEAK):.0f} dBFS)"
        )


def iter_audio_windows(
    path: str | os.PathLike, window_s: float, hop_s: float, sr: int = SAMPLE_RATE
) -> Iterator[tuple[float, np.ndarray]]:
    """(start time in s, samples) windows of `window_s` every `hop_s`, in bounded memory.

    Every window holds round(window_s * sr) samples except possibly the last, which holds
    what remains so that every sample of the file lies in some window.
    """
    window, hop = round(window_s * sr), round(hop_s * sr)
    if not 0 < hop <= window:
        raise ValueError(f"need 0 < hop_s <= window_s, got window_s={window_s}, hop_s={hop_s}")
    buffer = np.zeros(0, dtype=np.float32)
    start = 0  # sample index of buffer[0]
    yielded = False
    for block in iter_audio_blocks(path, sr):
        buffer = np.concatenate([buffer, block])
        while buffer.size >= window:
            yield start / sr, buffer[:window].copy()
            yielded = True
            buffer, start = buffer[hop:], start + hop
    # The samples past the last full window are uncovered only if they reach beyond it.
    if buffer.size and (not yielded or buffer.size > window - hop):
        yield start / sr, buffer


def _open(path: Path) -> sf.SoundFile:
    if not path.is_file():
        raise AudioReadError(f"{path}: no such audio file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = " ".join(SUPPORTED_SUFFIXES)
        raise AudioReadError(f"{path}: unsupported audio format '{suffix}' (use {supported})")
    if path.stat().st_size == 0:
        raise AudioReadError(f"{path}: empty audio file (0 bytes)")
    try:
        with _quiet_decoder():
            handle = sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        reason = _one_line(exc).removeprefix(f"Error opening {str(path)!r}: ")
        if "does not exist" in reason:  # libsndfile's words for data it cannot recognise
            reason = "not audio that libsndfile recognises, or corrupt"
        raise AudioReadError(f"{path}: not a readable audio file ({reason})") from exc
    if handle.frames == 0:
        handle.close()
        raise AudioReadError(f"{path}: empty audio file (no samples)")
    return handle


def _read_blocks(path: Path, handle: sf.SoundFile) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks; a decode error mid-file becomes AudioReadError."""
    while True:
        try:
            with _quiet_decoder():
                block = handle.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioReadError(f"{path}: corrupt audio data ({_one_line(exc)})") from exc
        if not len(block):
            return
        yield block


@contextmanager
def _quiet_decoder() -> Iterator[None]:
    """Silence the C decoders' own stderr notes (mpg123's "Illegal Audio-MPEG-Header"...):
    what went wrong reaches the user as our one-line error instead."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class _Resampler:
    """soxr's streaming resampler, or a pass-through when the rates already match."""

    def __init__(self, in_rate: int, out_rate: int):
        self._stream = (
            None
            if in_rate == out_rate
            else soxr.ResampleStream(in_rate, out_rate, 1, dtype="float32", quality="HQ")
        )

    def push(self, mono: np.ndarray) -> np.ndarray:
        return mono if self._stream is None else self._stream.resample_chunk(mono)

    def flush(self) -> np.ndarray:
        if self._stream is None:
            return np.zeros(0, dtype=np.float32)
        return self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
