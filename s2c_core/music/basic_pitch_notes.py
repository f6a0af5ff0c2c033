"""Piano audio -> notes with Spotify's Basic Pitch model (the fast draft transcriber), run
offline through onnxruntime.

The weights (`nmp.onnx`, 230 kB) ship inside the basic-pitch package, so nothing is
downloaded at run time. basic-pitch 0.4.0 declares tensorflow as a dependency on Linux with
Python 3.11 although it can run its ONNX model without it, so it is installed with
`pip install --no-deps basic-pitch==0.4.0` next to the packages its code imports (see
docs/audio.md). Windowing and note decoding are basic-pitch's own functions, so results
match its command line with the same thresholds.
"""

from __future__ import annotations

import itertools
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np

from .audio import SAMPLE_RATE
from .midi import MidiNotes, transcribed_notes
from .transcribe import TranscriptionError, load_recording

# Tuned for piano on the first 30 s of the shared MIDI files rendered by both backends
# (mean note F1 0.87 FluidSynth / 0.94 built-in, against 0.76 / 0.78 with basic-pitch's
# defaults 0.5 / 0.3): Basic Pitch is a multi-instrument model and, with its defaults, adds
# many weak ghost onsets on piano.
ONSET_THRESHOLD = 0.75
FRAME_THRESHOLD = 0.2
MIN_NOTE_S = 0.1277  # basic-pitch's default minimum note length
# The model's input windows overlap by this many output frames; half is trimmed each side.
_OVERLAP_FRAMES = 30
_BATCH_WINDOWS = 16  # windows per model call: bounded memory, few calls


def transcribe_basic_pitch(
    audio_or_path: np.ndarray | str | os.PathLike,
    sr: int = SAMPLE_RATE,
    onset_threshold: float = ONSET_THRESHOLD,
    frame_threshold: float = FRAME_THRESHOLD,
) -> MidiNotes:
    """Notes played in a piano recording (a file, or mono samples at `sr` Hz).

    Returns MidiNotes (one track, "transcription") so the MIDI engine takes them as it takes
    a MIDI file; velocity comes from the model's note amplitude.
    """
    basic_pitch = _basic_pitch()
    rate = basic_pitch.constants.AUDIO_SAMPLE_RATE
    source, audio = load_recording(audio_or_path, sr, rate)
    frames = basic_pitch.constants.ANNOTATIONS_FPS
    _, events = basic_pitch.note_creation.model_output_to_notes(
        _model_output(basic_pitch, audio),
        onset_thresh=onset_threshold,
        frame_thresh=frame_threshold,
        min_note_len=round(MIN_NOTE_S * frames),
        include_pitch_bends=False,
        # Both add notes without a detected onset (from frame energy alone); on piano
        # every note has a hammer onset, so they only add ghosts (F1 +0.02 to +0.05).
        infer_onsets=False,
        melodia_trick=False,
    )
    if not events:
        raise TranscriptionError(f"{source}: no piano notes found in the recording")
    return _to_notes(source, events)


def _model_output(basic_pitch: ModuleType, audio: np.ndarray) -> dict[str, np.ndarray]:
    """Note/onset/contour activations (frames, bins) over the whole signal.

    Mirrors basic_pitch.inference.run_inference, which only accepts a file path and would
    decode it again with librosa; windows are batched to cut per-call overhead.
    """
    inference = basic_pitch.inference
    overlap = _OVERLAP_FRAMES * basic_pitch.constants.FFT_HOP
    hop = basic_pitch.constants.AUDIO_N_SAMPLES - overlap
    padded = np.concatenate([np.zeros(overlap // 2, dtype=np.float32), audio])
    windows = (window for window, _ in inference.window_audio_file(padded, hop))
    model = _load_model()
    outputs: dict[str, list[np.ndarray]] = {"note": [], "onset": [], "contour": []}
    while batch := list(itertools.islice(windows, _BATCH_WINDOWS)):
        for name, value in model.predict(np.stack(batch)).items():
            outputs[name].append(value)
    return {
        name: inference.unwrap_output(np.concatenate(parts), audio.size, _OVERLAP_FRAMES)
        for name, parts in outputs.items()
    }


def _to_notes(source: Path, events: list[tuple]) -> MidiNotes:
    """basic-pitch's (start s, end s, pitch, amplitude, bends) events; velocity 127 amplitude."""
    table = [(pitch, start, end, 127 * amplitude) for start, end, pitch, amplitude, *_ in events]
    return transcribed_notes(source, np.array(table))


@lru_cache(maxsize=1)
def _load_model():
    basic_pitch = _basic_pitch()
    path = basic_pitch.build_icassp_2022_model_path(basic_pitch.FilenameSuffix.onnx)
    return basic_pitch.inference.Model(path)


@lru_cache(maxsize=1)
def _basic_pitch() -> ModuleType:
    """Import basic_pitch quietly; raise TranscriptionError when it or onnxruntime is missing."""
    previous_disable = logging.root.manager.disable
    try:
        import onnxruntime  # noqa: F401  (basic-pitch silently falls back without it)

        # basic-pitch logs a warning for every optional backend it lacks (tensorflow, tflite,
        # coreml) and resampy warns about pkg_resources; neither concerns the ONNX path.
        logging.disable(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import basic_pitch
            import basic_pitch.constants
            import basic_pitch.inference
            import basic_pitch.note_creation
    except ImportError as exc:
        raise TranscriptionError(
            f"audio transcription needs basic-pitch and onnxruntime ({exc}); "
            "see docs/audio.md for the install line"
        ) from exc
    finally:
        logging.disable(previous_disable)
    return basic_pitch
