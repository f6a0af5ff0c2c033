"""Write small, real MIDI files for the tests (pretty_midi does the encoding)."""

from __future__ import annotations

from pathlib import Path

import pretty_midi

SHARED_MIDI = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "midi"

Note = tuple[int, float, float]  # pitch, onset s, offset s


def write_midi(path: Path, tracks: dict[str, list[Note]], drums: list[Note] = ()) -> Path:
    """One piano instrument per named track (velocity 80), plus an optional drum track."""
    midi = pretty_midi.PrettyMIDI()
    for name, notes in tracks.items():
        instrument = pretty_midi.Instrument(program=0, name=name)
        instrument.notes = [pretty_midi.Note(80, p, s, e) for p, s, e in notes]
        midi.instruments.append(instrument)
    if drums:
        kit = pretty_midi.Instrument(program=0, is_drum=True, name="drums")
        kit.notes = [pretty_midi.Note(100, p, s, e) for p, s, e in drums]
        midi.instruments.append(kit)
    midi.write(str(path))
    return path


def run(pitches: list[int], start: float = 0.5, step: float = 0.25) -> list[Note]:
    """One note after another, each lasting 90 % of the step."""
    return [(p, start + i * step, start + i * step + 0.9 * step) for i, p in enumerate(pitches)]


C_MAJOR = [0, 2, 4, 5, 7, 9, 11, 12]


def c_major_triad(bass: int, count: int) -> list[int]:
    """C major's triad keys from `bass` (a C) up, `count` of them: C, E, G, C, ..."""
    return [bass + 12 * (i // 3) + (0, 4, 7)[i % 3] for i in range(count)]
