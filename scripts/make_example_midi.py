"""Write assets/example.mid: a short original two-hand piece (our own, free to ship).

Eight bars in C major at 96 bpm: a right-hand melody over a left-hand Alberti bass, with
a closing chord in each hand. Tracks are named "Piano right"/"Piano left" like the test
files, so hand-split agreement can be checked on it too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pretty_midi

BPM = 96
BEAT = 60.0 / BPM
# (pitch, beats) per bar; 0 is a rest.
MELODY = [
    [(64, 1), (65, 0.5), (67, 0.5), (72, 1), (71, 0.5), (69, 0.5)],
    [(67, 1.5), (65, 0.5), (64, 1), (62, 1)],
    [(60, 0.5), (62, 0.5), (64, 0.5), (65, 0.5), (67, 1), (69, 1)],
    [(67, 2), (0, 1), (71, 1)],
    [(72, 1), (71, 0.5), (69, 0.5), (67, 1), (65, 0.5), (64, 0.5)],
    [(62, 0.5), (64, 0.5), (65, 0.5), (67, 0.5), (69, 1), (74, 1)],
    [(72, 0.5), (71, 0.5), (69, 0.5), (67, 0.5), (65, 1), (62, 1)],
]
BASS_CHORDS = [(48, 55, 52), (41, 48, 45), (43, 50, 47), (48, 55, 52),
               (45, 52, 48), (41, 48, 45), (43, 50, 47)]  # fmt: skip
FINAL_RIGHT = (64, 67, 72)
FINAL_LEFT = (36, 48)


def build() -> pretty_midi.PrettyMIDI:
    midi = pretty_midi.PrettyMIDI(initial_tempo=BPM)
    right = pretty_midi.Instrument(program=0, name="Piano right")
    left = pretty_midi.Instrument(program=0, name="Piano left")
    for bar, (notes, chord) in enumerate(zip(MELODY, BASS_CHORDS, strict=True)):
        start = bar * 4 * BEAT
        for pitch, beats in notes:
            if pitch:
                right.notes.append(_note(pitch, start, beats * BEAT * 0.95, 84))
            start += beats * BEAT
        low, high, mid = chord  # Alberti pattern: low-high-mid-high in eighths
        for i, pitch in enumerate((low, high, mid, high) * 2):
            left.notes.append(_note(pitch, bar * 4 * BEAT + i * BEAT / 2, BEAT / 2 * 0.9, 62))
    end = len(MELODY) * 4 * BEAT
    right.notes += [_note(p, end, 3 * BEAT, 80) for p in FINAL_RIGHT]
    left.notes += [_note(p, end, 3 * BEAT, 70) for p in FINAL_LEFT]
    midi.instruments += [right, left]
    return midi


def _note(pitch: int, start: float, duration: float, velocity: int) -> pretty_midi.Note:
    return pretty_midi.Note(velocity=velocity, pitch=pitch, start=start, end=start + duration)


def main() -> None:
    default = Path(__file__).resolve().parents[1] / "assets" / "example.mid"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default)
    build().write(str(parser.parse_args().out))


if __name__ == "__main__":
    main()
