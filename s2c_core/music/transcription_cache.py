"""Transcriptions stored by the content of the audio, so generating again does not transcribe.

The key is a SHA-256 of the audio file's bytes (or of the samples and their rate) together
with the transcriber's name and settings (model version, segmenting, precision): renaming or
moving a recording still hits the cache, re-encoding it or changing a setting does not.
Entries are small .npz files (no pickles) in `$S2C_CACHE_DIR/transcriptions`, else
`$XDG_CACHE_HOME/s2c-hands/transcriptions`, else `~/.cache/s2c-hands/transcriptions`;
deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ..outputs import atomic_file
from .midi import MidiNotes, transcribed_notes

_FORMAT = 1  # bump when the entry layout changes
_CHUNK = 1 << 20


def cache_dir() -> Path:
    if override := os.environ.get("S2C_CACHE_DIR"):
        return Path(override) / "transcriptions"
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg) / "s2c-hands" / "transcriptions"


def cache_key(source: Path | np.ndarray, sr: int, transcriber: str, settings: dict) -> str:
    """Hex digest of the audio content plus everything that changes the transcription."""
    digest = hashlib.sha256()
    digest.update(json.dumps([_FORMAT, transcriber, settings], sort_keys=True).encode())
    if isinstance(source, np.ndarray):
        digest.update(f"samples@{sr}".encode())
        digest.update(np.ascontiguousarray(source, dtype=np.float32).tobytes())
    else:
        with open(source, "rb") as file:
            while block := file.read(_CHUNK):
                digest.update(block)
    return digest.hexdigest()


def load_cached(key: str, source: Path) -> MidiNotes | None:
    """The notes stored under `key`, reported as coming from `source`; None on a miss."""
    path = cache_dir() / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as entry:
            table, pedal = entry["notes"], entry["pedal"]
    except (OSError, KeyError, ValueError):  # missing, or a damaged entry: transcribe again
        return None
    return transcribed_notes(source, table, pedal)


def store(key: str, notes: MidiNotes) -> None:
    """Write the entry atomically (a reader never sees half a file); errors only warn."""
    import warnings

    folder = cache_dir()
    table = np.stack([notes.pitch, notes.onset, notes.offset, notes.velocity], axis=1)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_file(folder / f"{key}.npz") as staging, open(staging, "wb") as file:
            np.savez(file, notes=table.astype(np.float64), pedal=notes.pedal)
    except OSError as exc:
        warnings.warn(f"transcription not cached in {folder} ({exc})", stacklevel=2)
