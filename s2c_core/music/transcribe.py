"""Piano recording -> notes: the front door to the two transcribers, with a content cache.

- "accurate" (default): transkun, a piano-specialised model with velocities and the sustain
  pedal (`transkun_notes.py`); note F1 0.99 on the development set (docs/audio.md).
- "fast": Spotify's Basic Pitch, a multi-instrument model, as a quick draft
  (`basic_pitch_notes.py`); about 15x faster, F1 0.54-0.89 on the same set, no pedal.

Results are cached by the audio's content and the transcriber's settings
(`transcription_cache.py`), so generating again with other settings does not transcribe again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soxr

from .audio import SAMPLE_RATE, load_audio
from .midi import MidiNotes

TRANSCRIBERS = ("accurate", "fast")
DEFAULT_TRANSCRIBER = "accurate"
ARRAY_NAME = "<audio array>"  # what messages call samples given as an array

ProgressCallback = Callable[[int, int, str], None]


class TranscriptionError(ValueError):
    """Transcription is unavailable or found no notes (message says which and where)."""


def load_recording(
    audio_or_path: np.ndarray | str | os.PathLike, sr: int, rate: int
) -> tuple[Path, np.ndarray]:
    """(the name errors give it, mono float32 samples at a model's `rate` Hz) of a file, or
    of samples at `sr` Hz; TranscriptionError when there is nothing to transcribe."""
    if isinstance(audio_or_path, np.ndarray):
        source = Path(ARRAY_NAME)
        audio = soxr.resample(np.asarray(audio_or_path, dtype=np.float32), sr, rate)
    else:
        source = Path(audio_or_path)
        audio = load_audio(source, rate)
    if not audio.size:
        raise TranscriptionError(f"{source}: empty audio, nothing to transcribe")
    return source, audio


def transcribe(
    audio_or_path: np.ndarray | str | os.PathLike,
    sr: int = SAMPLE_RATE,
    transcriber: str = DEFAULT_TRANSCRIBER,
    progress: ProgressCallback | None = None,
    use_cache: bool = True,
) -> MidiNotes:
    """Notes played in a piano recording (a file, or mono samples at `sr` Hz).

    Returns MidiNotes (one track, "transcription") so the MIDI engine takes them as it takes
    a MIDI file. `progress(done, total, message)` hears about long transcriptions.
    """
    from . import transcription_cache as cache

    if transcriber not in TRANSCRIBERS:
        raise TranscriptionError(
            f"unknown transcriber {transcriber!r} (choose from {TRANSCRIBERS})"
        )
    is_array = isinstance(audio_or_path, np.ndarray)
    source = Path(ARRAY_NAME) if is_array else Path(audio_or_path)
    if not is_array and not source.is_file():
        raise TranscriptionError(f"{source}: no such audio file")
    key = None
    if use_cache:
        key = cache.cache_key(
            audio_or_path if is_array else source, sr, transcriber, _settings(transcriber)
        )
        if (cached := cache.load_cached(key, source)) is not None:
            return cached
    notes = _run(audio_or_path, sr, transcriber, progress)
    if key is not None:
        cache.store(key, notes)
    return notes


def _settings(transcriber: str) -> dict:
    """What, besides the audio, decides the result (the cache key's second half)."""
    if transcriber == "accurate":
        from .transkun_notes import TranskunSettings

        return TranskunSettings().key()
    from . import basic_pitch_notes as bp

    return {
        "basic-pitch": "0.4.0",
        "onset": bp.ONSET_THRESHOLD,
        "frame": bp.FRAME_THRESHOLD,
        "min_note_s": bp.MIN_NOTE_S,
    }


def _run(
    audio_or_path: np.ndarray | str | os.PathLike,
    sr: int,
    transcriber: str,
    progress: ProgressCallback | None,
) -> MidiNotes:
    if transcriber == "accurate":
        from .transkun_notes import transcribe_transkun

        return transcribe_transkun(audio_or_path, sr, progress=progress)
    from .basic_pitch_notes import transcribe_basic_pitch

    return transcribe_basic_pitch(audio_or_path, sr)


def note_scores(
    reference: MidiNotes, estimate: MidiNotes, onset_tolerance: float = 0.05
) -> tuple[float, float, float]:
    """mir_eval note precision, recall and F1 on onsets and pitch (offsets ignored)."""
    import mir_eval

    def intervals_and_hz(notes: MidiNotes) -> tuple[np.ndarray, np.ndarray]:
        return np.stack([notes.onset, notes.offset], axis=1), 440.0 * 2.0 ** (
            (notes.pitch - 69) / 12
        )

    precision, recall, f1, _ = mir_eval.transcription.precision_recall_f1_overlap(
        *intervals_and_hz(reference),
        *intervals_and_hz(estimate),
        onset_tolerance=onset_tolerance,
        offset_ratio=None,
    )
    return precision, recall, f1
