"""Fresh piano textures for the MIDI engine, drawn at random: music nobody tuned on.

The stress corpus (stress_corpus.py) is fixed, so every change to the engine is, in the end,
chosen on it. These pieces are drawn from a seed instead: each seed gives one piece per
family, never heard before, in the textures where the engine is weakest (leaps, big chords,
both hands close together):

  stride         bass note, octave or tenth on the beat, a mid-range chord off it, at
                 150-210 bpm, under syncopated right-hand chords
  big_chords     tertian chords (triads, sevenths; 3-5 notes within a minor tenth) in
                 both hands, leaping anywhere in each hand's half of the keyboard
  lh_melody      a left-hand melody under right-hand off-beat chords
  octave_runs    scales in octaves, both hands two octaves apart
  waltz          bass + two chords in the left hand, a right-hand melody with added
                 thirds and sixths below it
  wide_arpeggio  a right-hand broken chord over three octaves above held bass octaves,
                 with the pedal
  counterpoint   two random-walk voices, one per hand
  shared_arpeggio  broken triads swept over about three octaves, rising from a bass note
                 held under the pedal or falling to it, handed from one hand to the other
                 midway (the lower half of each sweep is the left hand's), as the
                 tracks of Clair de lune (../shared/data/midi) hand theirs over
  tenor_melody   a melody around middle C, the right hand's broken chords above it and the
                 left hand's bass and broken chord below (Liszt's Liebestraum No. 3): the
                 right hand takes the melody on its thumb side

Notes sit in the tracks "Piano right" and "Piano left" for the hand that plays them, as in
the stress corpus. Seeds 1-3 informed the press correction's passes and per-strike shifts
(engines/midi/press_correction.py), seeds 1-12 but 7 the split's cost of a rolled span
(engines/midi/split.py); seed 7 is the engine test's, and the benchmark reports seeds
(100-109) that nobody looked at.

Write the pieces of a seed to a folder: python -m s2c_core.evaluate.fresh_patterns OUT SEED
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from .stress_corpus import Score, StressPiece
from .textbook_fingering import major_degree_pitch

FAMILIES = (
    "stride",
    "big_chords",
    "lh_melody",
    "octave_runs",
    "waltz",
    "wide_arpeggio",
    "counterpoint",
    "shared_arpeggio",
    "tenor_melody",
)
_TRIAD, _SEVENTH = (0, 4, 7), (0, 4, 7, 10)
_MINOR_TRIAD = (0, 3, 7)


def seed_range(text: str) -> range:
    """Seeds from the command line: FIRST-LAST, one seed, or "none" (no seeds)."""
    if text == "none":
        return range(0)
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def fresh_pieces(seed: int) -> list[StressPiece]:
    """One piece per family (in FAMILIES order), drawn from `seed`."""
    rng = np.random.default_rng(seed)
    makers = (_stride, _big_chords, _lh_melody, _octave_runs, _waltz, _wide_arpeggio,
              _counterpoint, _shared_arpeggio, _tenor_melody)  # fmt: skip
    return [make(rng).piece(f"fresh{seed}_{family}", family) for family, make in
            zip(FAMILIES, makers, strict=True)]  # fmt: skip


def _stride(rng: np.random.Generator) -> Score:
    score, beat = Score(), 60.0 / rng.uniform(150.0, 210.0)
    for bar in range(16):
        key = int(rng.integers(12))
        root = 36 + key - (12 if key > 7 else 0)  # E1..G2
        chord = 48 + key - (12 if key > 7 else 0)  # the chord's root, E2..G3
        for b in range(4):
            start = (4 * bar + b) * beat
            if b % 2 == 0:
                bass = ([root], [root, root + 12], [root, root + 16])[int(rng.integers(3))]
                score.chord("left", bass, start, 0.8 * beat)
            else:
                extra = [chord + 12] if rng.random() < 0.4 else []
                score.chord("left", [chord, chord + 4, chord + 7] + extra, start, 0.8 * beat)
            if rng.random() < 0.7:  # a right-hand chord on the beat or syncopated after it
                top = 67 + key
                size = int(rng.integers(2, 5))
                late = beat / 2 if rng.random() < 0.5 else 0.0
                score.chord("right", [top, top + 4, top + 7, top + 12][:size], start + late,
                            0.45 * beat)  # fmt: skip
    return score


def _big_chords(rng: np.random.Generator) -> Score:
    score, start = Score(), 0.0
    for _ in range(40):
        length = float(rng.choice([0.25, 0.4, 0.6, 1.0]))
        root = int(rng.integers(12))
        quality = _SEVENTH if rng.random() < 0.5 else _TRIAD
        for hand, low, high in (("left", 28, 45), ("right", 60, 88)):
            score.chord(hand, _voicing(rng, root, quality, int(rng.integers(low, high))), start,
                        0.9 * length)  # fmt: skip
        start += length
    return score


def _voicing(
    rng: np.random.Generator, root: int, quality: tuple[int, ...], bottom: int
) -> list[int]:
    """3-5 chord tones from the lowest one at or above `bottom`, none above bottom + 15 and
    none more than a minor tenth (15 semitones) above the lowest."""
    tones = _chord_tones(root, quality, bottom, bottom + 15)
    size = min(int(rng.integers(3, 6)) - 1, len(tones) - 1)
    upper = sorted(int(p) for p in rng.choice(tones[1:], size, replace=False))
    return [tones[0]] + [p for p in upper if p - tones[0] <= 15]


def _lh_melody(rng: np.random.Generator) -> Score:
    score, start, pitch = Score(), 0.0, 50
    for _ in range(64):
        length = float(rng.choice([0.25, 0.5, 0.75]))
        pitch = int(np.clip(pitch + rng.integers(-4, 5), 43, 60))
        score.add("left", pitch, start, length)
        for k in range(round(length / 0.25)):  # off-beat chords above
            low = 64 + int(rng.integers(3))
            score.chord("right", [low, low + 3, low + 7], start + 0.25 * k + 0.125, 0.1)
        start += length
    return score


def _octave_runs(rng: np.random.Generator) -> Score:
    score, start = Score(), 0.0
    for _ in range(8):
        key, degree = int(rng.integers(12)), int(rng.integers(7))
        tonic = 60 + key if key < 6 else 48 + key  # F#3..F4, as the stress corpus's scales
        degrees = range(degree, degree + 12)
        for d in degrees if rng.random() < 0.5 else reversed(degrees):
            top = major_degree_pitch(tonic, d)
            for hand, low in (("right", top), ("left", top - 24)):
                score.chord(hand, [low, low + 12], start, 0.14)
            start += 0.16
        start += 0.3
    return score


def _waltz(rng: np.random.Generator) -> Score:
    score, beat, pitch = Score(), 0.33, 79
    for bar in range(24):
        key, start = (0, 5, 7, 0)[bar % 4], 3 * bar * beat
        score.add("left", 36 + key, start, 0.9 * beat)
        for b in (1, 2):
            score.chord("left", [48 + key, 52 + key, 55 + key], start + b * beat, 0.8 * beat)
        position = 0.0
        while position < 3 * beat - 1e-6:
            length = min(float(rng.choice([beat / 2, beat, 2 * beat])), 3 * beat - position)
            pitch = int(np.clip(pitch + rng.integers(-5, 6), 72, 91))
            notes = [pitch]
            if rng.random() < 0.3:  # a third or sixth below the melody
                notes.append(pitch - int(rng.choice([3, 4, 8, 9])))
            score.chord("right", notes, start + position, 0.95 * length)
            position += length
    return score


def _wide_arpeggio(rng: np.random.Generator) -> Score:
    score, start = Score(), 0.0
    for _ in range(12):
        key = int(rng.choice([0, 2, 5, 7, 9]))
        score.chord("left", [36 + key, 48 + key], start, 2.3)
        rising = [p for p in (48 + key + 12 * k + o for k in range(4) for o in _TRIAD) if p >= 60]
        for i, pitch in enumerate(rising + rising[-2::-1]):
            score.add("right", pitch, start + 0.1 * i, 0.09)
        score.pedal.append((start + 0.01, start + 2.35))
        start += 2.4
    return score


def _counterpoint(rng: np.random.Generator) -> Score:
    score, upper, lower = Score(), 72, 48
    for i in range(96):
        upper = int(np.clip(upper + rng.integers(-3, 4), 62, 86))
        lower = int(np.clip(lower + rng.integers(-3, 4), 38, 60))
        for hand, pitch in (("right", upper), ("left", lower)):
            if rng.random() < 0.8:
                score.add(hand, pitch, 0.2 * i, 0.18)
    return score


def _shared_arpeggio(rng: np.random.Generator) -> Score:
    score, start = Score(), 0.0
    for _ in range(12):
        root = int(rng.integers(12))
        quality = _TRIAD if rng.random() < 0.6 else _MINOR_TRIAD
        step = float(rng.uniform(0.11, 0.17))
        bass = 36 + root
        tones = _chord_tones(root, quality, bass, bass + 40)[: int(rng.integers(10, 15))]
        lower = set(tones[: len(tones) // 2])
        sweep = tones if rng.random() < 0.6 else tones[::-1]
        for i, pitch in enumerate(sweep):
            held = i == 0 and pitch == bass  # a rising sweep's bass, written for the sweep
            length = len(sweep) * step if held else 0.95 * step
            score.add("left" if pitch in lower else "right", pitch, start + i * step, length)
        score.pedal.append((start + 0.01, start + len(sweep) * step + 0.3))
        start += len(sweep) * step + 0.35
    return score


def _tenor_melody(rng: np.random.Generator) -> Score:
    score, start, melody = Score(), 0.0, 67
    beat = float(rng.uniform(0.18, 0.25))
    for bar in range(16):
        root = 48 + (0, 5, 7, 9)[bar % 4]
        quality = _MINOR_TRIAD if root % 12 == 9 else _TRIAD
        below = _chord_tones(root, quality, root - 12, root + 12)
        score.add("left", below[0], start, 6 * beat)
        for i in (1, 2):
            score.add("left", below[i], start + i * beat, 0.9 * beat)
        for half in (0, 3):
            melody = int(np.clip(melody + rng.integers(-3, 4), 62, 72))
            score.add("right", melody, start + half * beat, 2.85 * beat)
            above = _chord_tones(root, quality, melody + 3, melody + 14)
            for k in (1, 2):
                score.add("right", above[k - 1], start + (half + k) * beat, 0.9 * beat)
        score.pedal.append((start + 0.01, start + 6 * beat - 0.02))
        start += 6 * beat
    return score


def _chord_tones(root: int, quality: tuple[int, ...], low: int, high: int) -> list[int]:
    """The keys from low to high (inclusive) whose pitch class is in the chord on root."""
    return [p for p in range(low, high + 1) if (p - root) % 12 in quality]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("seed", type=int)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for piece in fresh_pieces(args.seed):
        print(piece.write(args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
