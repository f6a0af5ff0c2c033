"""Note F1 of audio -> notes transcription on audio rendered from the shared MIDI files.

Each MIDI file is rendered with every available backend (built-in synthesiser, and
FluidSynth when installed), transcribed with Basic Pitch, and scored against its own notes
with mir_eval (onset tolerance 50 ms, offsets ignored). Prints one line per file and backend,
then the mean per backend.

    .venv/bin/python -m benchmarks.bench_transcription [--midi-dir DIR] [--max-seconds S]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from s2c_core.music.midi import MidiNotes, read_midi
from s2c_core.music.render import find_soundfont, fluidsynth_program, render_midi
from s2c_core.music.transcribe import note_scores, transcribe

DEFAULT_MIDI_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "midi"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--midi-dir", type=Path, default=DEFAULT_MIDI_DIR)
    parser.add_argument("--max-seconds", type=float, help="keep only each file's first S seconds")
    args = parser.parse_args()

    backends = ["builtin"]
    if fluidsynth_program() and find_soundfont():
        backends.append("fluidsynth")
    scores: dict[str, list[float]] = {backend: [] for backend in backends}
    print(f"{'file':<20} {'backend':<10} {'notes':>5} {'P':>6} {'R':>6} {'F1':>6} {'secs':>6}")
    for path in sorted(args.midi_dir.glob("*.mid")):
        notes = _first_seconds(read_midi(path), args.max_seconds)
        for backend in backends:
            started = time.perf_counter()
            audio, _ = render_midi(notes, backend=backend)
            precision, recall, f1 = note_scores(notes, transcribe(audio))
            elapsed = time.perf_counter() - started
            scores[backend].append(f1)
            print(
                f"{path.name:<20} {backend:<10} {len(notes):>5} "
                f"{precision:6.3f} {recall:6.3f} {f1:6.3f} {elapsed:6.1f}"
            )
    for backend, values in scores.items():
        print(f"mean note F1 ({backend}, {len(values)} files): {np.mean(values):.3f}")


def _first_seconds(notes: MidiNotes, seconds: float | None) -> MidiNotes:
    """The notes starting before `seconds`, cut there, so render and reference agree."""
    if seconds is None:
        return notes
    keep = notes.onset < seconds
    fields = ("pitch", "onset", "offset", "velocity", "track")
    kept = {name: getattr(notes, name)[keep] for name in fields}
    kept["offset"] = np.minimum(kept["offset"], seconds)
    return dataclasses.replace(notes, **kept)


if __name__ == "__main__":
    main()
