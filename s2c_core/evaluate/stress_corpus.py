"""A stress corpus for the MIDI engine: short pieces the project generates itself.

Deterministic (no randomness), one piece per situation a pianist's hands meet: scales and
arpeggios in all 24 keys (each hand alone, then together an octave apart), Alberti bass,
stride left hand, octave passages, 4-5-note chords across the range, repeated notes, trills,
chromatic runs, hand crossings, a melody in the left hand under right-hand accompaniment,
two voices in one hand, notes held by the sustain pedal, the keyboard's extreme registers,
a left hand's wide broken chords reaching up under a right-hand melody (nocturne), the
five-finger positions and broken root-position triads of all 24 keys, Hanon's first
exercise (each hand alone, then together) and glissandi. Each note sits in the track "Piano
right" or "Piano left" for the hand that should play it (the convention of
../shared/data/midi, read by `MidiNotes.named_hands`), so the hand split can be scored;
scales, arpeggios, chromatic runs, five-finger positions, broken triads, Hanon's exercise,
the glissandi and the Alberti bass's left hand also carry their textbook fingering
(`textbook_fingering`).

Write the corpus to a folder: python -m s2c_core.evaluate.stress_corpus OUT_DIR
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pretty_midi

from .textbook_fingering import (
    KEYS,
    Fingers,
    Run,
    arpeggio_run,
    broken_chord_run,
    broken_triad_run,
    chromatic_run,
    five_finger_run,
    glissando_run,
    hanon_exercise_one_run,
    scale_run,
)

TRACK_NAMES = {"left": "Piano left", "right": "Piano right"}
_RESOLUTION, _TEMPO = 480, 120.0  # 960 ticks a second: note times below fall on ticks
_VELOCITY = 80
_NO_CLAIM: Fingers = frozenset()

FAMILIES = (
    "scale",
    "arpeggio",
    "alberti",
    "stride",
    "octaves",
    "chords",
    "repeated",
    "trill",
    "chromatic",
    "crossing",
    "lh_melody",
    "two_voices",
    "pedal",
    "extreme",
    "nocturne",
    "five_finger",
    "broken_triad",
    "broken_chord",
    "hanon",
    "glissando",
)


@dataclass(frozen=True)
class StressPiece:
    """One generated piece. `fingering` is None when the piece makes no fingering claim, or
    per note in `read_midi` order (onset, then pitch) the fingers textbooks accept (empty
    set: no claim for that note)."""

    name: str
    family: str
    midi: pretty_midi.PrettyMIDI
    fingering: tuple[Fingers, ...] | None

    def write(self, folder: Path) -> Path:
        path = Path(folder) / f"{self.name}.mid"
        self.midi.write(str(path))
        return path


@dataclass
class Score:
    """Notes being written: (hand, pitch, start, end, fingers), plus sustain-pedal spans."""

    notes: list[tuple[str, int, float, float, Fingers]] = field(default_factory=list)
    pedal: list[tuple[float, float]] = field(default_factory=list)

    def add(self, hand: str, pitch: int, start: float, length: float, fingers=_NO_CLAIM):
        self.notes.append((hand, int(pitch), _tick(start), _tick(start + length), fingers))

    def chord(self, hand: str, pitches, start: float, length: float) -> None:
        for pitch in pitches:
            self.add(hand, pitch, start, length)

    def run(self, hand: str, run: Run, start: float, step: float) -> float:
        """Play a run legato (each note 95 % of the step); return when it ends."""
        for i, (pitch, fingers) in enumerate(run):
            self.add(hand, pitch, start + i * step, 0.95 * step, fingers)
        return start + len(run) * step

    def piece(self, name: str, family: str) -> StressPiece:
        midi = pretty_midi.PrettyMIDI(resolution=_RESOLUTION, initial_tempo=_TEMPO)
        tracks = {}
        for hand in ("right", "left"):
            tracks[hand] = pretty_midi.Instrument(program=0, name=TRACK_NAMES[hand])
            midi.instruments.append(tracks[hand])
        ordered = sorted(self.notes, key=lambda n: (n[2], n[1]))
        keys = [(n[2], n[1]) for n in ordered]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{name}: two notes share an onset and a key")
        for hand, pitch, start, end, _ in ordered:
            tracks[hand].notes.append(pretty_midi.Note(_VELOCITY, pitch, start, end))
        for down, up in self.pedal:
            tracks["left"].control_changes += [
                pretty_midi.ControlChange(64, 127, _tick(down)),
                pretty_midi.ControlChange(64, 0, _tick(up)),
            ]
        fingering = tuple(n[4] for n in ordered)
        return StressPiece(name, family, midi, fingering if any(fingering) else None)


def _tick(seconds: float) -> float:
    return round(seconds * _RESOLUTION * _TEMPO / 60.0) / (_RESOLUTION * _TEMPO / 60.0)


def stress_pieces() -> list[StressPiece]:
    """Every piece of the corpus, in a fixed order (families as in FAMILIES)."""
    pieces = [_hands_apart_then_together(key, "scale", scale_run, 0.15) for key in KEYS]
    pieces += [_hands_apart_then_together(key, "arpeggio", arpeggio_run, 0.2) for key in KEYS]
    pieces += [_alberti(), _stride(), _octaves(), _chords(), _repeated(), _trill()]
    pieces += [_chromatic(), _crossing(), _lh_melody(), _two_voices(), _pedal(), _extreme()]
    pieces.append(_nocturne())
    for family, run in (("five_finger", five_finger_run), ("broken_triad", broken_triad_run)):
        pieces += [_hands_apart_then_together(k, family, run, 0.2, _position_tonics) for k in KEYS]
    pieces += [_broken_chords(key) for key in KEYS]
    pieces += [_hanon(), _glissando()]
    return pieces


def _tonics(tonic: int) -> tuple[int, int]:
    """Right- and left-hand tonic pitches for a key: RH between F#3 and F4, LH an octave below."""
    right = 60 + tonic if tonic < 6 else 48 + tonic
    return right, right - 12


def _position_tonics(tonic: int) -> tuple[int, int]:
    """Right- and left-hand tonic pitches for a figure within one hand position: RH from
    C4 to B4, LH two octaves below, where no one would give the figure to the other hand
    (a figure just under middle C, alone, is either hand's)."""
    return 60 + tonic, 36 + tonic


def _broken_chord_tonics(tonic: int) -> tuple[int, int]:
    """Right- and left-hand tonic pitches for broken chords through their inversions (a
    twelfth and more above the tonic): RH from C4 to B4, LH from F#1 to F2, its figure
    below middle C."""
    return 60 + tonic, (24 if tonic >= 6 else 36) + tonic


def _hands_apart_then_together(
    key, family: str, make_run, step: float, tonics=_tonics
) -> StressPiece:
    """The key's run (`make_run(key, side, tonic pitch)`, `step` s a note) for the right
    hand alone, the left hand alone, then both together (`tonics(pitch class)`: the right
    and left hands' tonic pitches; by default an octave apart)."""
    return _figures_apart_then_together(
        key, family, lambda *args: [make_run(*args)], step, 0.0, tonics
    )


def _figures_apart_then_together(
    key, family: str, make_figures, step: float, rest: float, tonics=_tonics
) -> StressPiece:
    """As _hands_apart_then_together, for runs made of figures (`make_figures(key, side,
    tonic pitch)`: a list of runs) with `rest` s of silence after each."""
    right, left = tonics(key.tonic)
    figures = {"right": make_figures(key, "right", right), "left": make_figures(key, "left", left)}
    score = Score()

    def play(hand: str, start: float) -> float:
        for figure in figures[hand]:
            start = score.run(hand, figure, start, step) + rest
        return start

    time = play("right", 0.0) + 0.5
    time = play("left", time) + 0.5
    play("right", time)
    play("left", time)
    return score.piece(f"{family}_{key.slug}", family)


def _broken_chords(key) -> StressPiece:
    """The key's broken octave chords, root position and both inversions, each its own
    figure up and back down with a bar's rest after it (a position per bar, as the books
    print them; run on, the move between positions is no textbook's fingering)."""

    def figures(key, side: str, tonic: int) -> list[Run]:
        return [broken_chord_run(key, side, tonic, inversion) for inversion in range(3)]

    return _figures_apart_then_together(
        key, "broken_chord", figures, 0.2, 0.8, _broken_chord_tonics
    )


def _hanon() -> StressPiece:
    """Hanon's Exercise 1 in sixteenths at his top tempo (crotchet = 108), in his registers:
    the right hand from C3, the left an octave below."""
    return _hands_apart_then_together(
        KEYS[0],
        "hanon",
        lambda key, side, c: hanon_exercise_one_run(side, c),
        60 / 108 / 4,
        lambda tonic: (48, 36),
    )


def _glissando() -> StressPiece:
    """Glissandi at 25 notes a second: the right hand up two octaves of white keys from C4
    and back down, the left hand down two octaves from C3 and back up, the right hand over
    two octaves of black keys from C#5 (the pentatonic glissando) and back, then both hands
    apart in contrary motion, from G4 and F3."""
    score, step = Score(), 0.04
    time = 0.0
    for side, start, keys, rising in (  # two octaves: 15 white keys, or 11 black keys
        ("right", 60, 15, True), ("right", 84, 15, False), ("left", 48, 15, False),
        ("left", 24, 15, True), ("right", 73, 11, True), ("right", 97, 11, False),
    ):  # fmt: skip
        time = score.run(side, glissando_run(side, start, keys, rising), time, step) + 0.5
    score.run("right", glissando_run("right", 67, 15, True), time, step)
    score.run("left", glissando_run("left", 53, 15, False), time, step)
    return score.piece("glissando", "glissando")


# Chord progressions as (root pitch class, minor) per bar.
_PROGRESSION = ((0, False), (5, False), (7, False), (0, False), (9, True), (2, True), (7, False))


def _triad(root: int, minor: bool) -> tuple[int, int, int]:
    return root, root + (3 if minor else 4), root + 7


def _alberti() -> StressPiece:
    """LH Alberti bass (low-high-middle-high in 16ths) under a RH melody in quarters; the
    bass takes 5-1-3-1, the fingers of its root-position triad (all roots and fifths are
    white keys: textbook_fingering's triads, the hand staying in place)."""
    score, step = Score(), 0.125
    for bar, (root, minor) in enumerate(_PROGRESSION * 2):
        low, mid, high = _triad(48 + root if root < 5 else 36 + root, minor)
        start = bar * 8 * step
        for i, (pitch, finger) in enumerate(((low, 5), (high, 1), (mid, 3), (high, 1)) * 2):
            score.add("left", pitch, start + i * step, 0.9 * step, frozenset({finger}))
        for i in range(4):
            melody = 72 + (root + (0, 4, 7, 12)[(bar + i) % 4]) % 12
            score.add("right", melody, start + 2 * i * step, 1.9 * step)
    return score.piece("alberti", "alberti")


def _stride() -> StressPiece:
    """Stride LH at 132 bpm: a bass note (or octave) in octave 1-2, then a chord 1.5-2
    octaves higher, every beat; RH melody and chords above."""
    score, beat = Score(), 60.0 / 132.0
    for bar, (root, minor) in enumerate(_PROGRESSION * 2):
        start = bar * 4 * beat
        bass = 28 + (root + 5) % 12  # E1..D#2
        chord = [p + 12 * ((58 - p) // 12 + 1) for p in _triad(root, minor)]  # B3..A#4
        for i in range(4):
            t = start + i * beat
            if i % 2 == 0:
                low = bass if i == 0 else bass - 7  # root, then the fifth below
                score.chord("left", [low, low + 12] if bar % 2 else [low], t, 0.4 * beat)
            else:
                score.chord("left", sorted(chord), t, 0.6 * beat)
            top = 76 + (root + (0, 4, 7, 4)[i]) % 12
            score.chord("right", [top - 5, top] if i % 2 else [top], t + 0.5 * beat, 0.45 * beat)
    return score.piece("stride", "stride")


def _octaves() -> StressPiece:
    """Octave scales in each hand, then both hands in contrary motion."""
    score, step = Score(), 0.2
    up = [0, 2, 4, 5, 7, 9, 11, 12, 14, 16]
    for i, s in enumerate(up + up[-2::-1]):
        score.chord("right", [67 + s, 79 + s], i * step, 0.9 * step)
    start = (2 * len(up)) * step
    for i, s in enumerate(up + up[-2::-1]):
        score.chord("left", [43 - s, 55 - s], start + i * step, 0.9 * step)
    start += (2 * len(up)) * step
    for i, s in enumerate(up):
        score.chord("right", [64 + s, 76 + s], start + i * step, 0.9 * step)
        score.chord("left", [48 - s, 60 - s], start + i * step, 0.9 * step)
    return score.piece("octaves", "octaves")


def _chords() -> StressPiece:
    """4- and 5-note chords in both hands, walking from the bass to the treble."""
    score, length = Score(), 0.5
    shapes = ((0, 4, 7, 12), (0, 3, 7, 10, 12), (0, 4, 7, 11), (0, 5, 9, 12), (0, 4, 7, 10, 14))
    for i in range(12):
        left_root = 24 + 3 * i  # C1 .. A3
        right_root = 55 + 3 * i  # G3 .. E6 (the 5-note shapes reach 14 above)
        left_shape, right_shape = shapes[i % len(shapes)], shapes[(i + 2) % len(shapes)]
        score.chord("left", [left_root + s for s in left_shape], i * length, 0.9 * length)
        score.chord("right", [right_root + s for s in right_shape], i * length, 0.9 * length)
    return score.piece("chords", "chords")


def _repeated() -> StressPiece:
    """Fast repeated notes: one key per hand in turn, then both together."""
    score, step = Score(), 0.1
    time = 0.0
    for hand, pitches in (("right", (67, 72, 69)), ("left", (48, 43, 45))):
        for pitch in pitches:
            for i in range(8):
                score.add(hand, pitch, time + i * step, 0.8 * step)
            time += 8 * step + 0.2
    for i in range(16):
        score.add("right", 76 if i < 8 else 74, time + i * step, 0.8 * step)
        score.add("left", 52 if i < 8 else 50, time + i * step, 0.8 * step)
    return score.piece("repeated", "repeated")


def _trill() -> StressPiece:
    """Trills: RH whole and half steps (one over a held note), LH in the bass, both."""
    score, step = Score(), 0.07
    time = 0.0
    for hand, pair in (("right", (72, 74)), ("right", (76, 77)), ("left", (43, 45))):
        for i in range(20):
            score.add(hand, pair[i % 2], time + i * step, 0.9 * step)
        time += 20 * step + 0.3
    score.add("right", 67, time, 20 * step)  # a held lower voice under the trill
    for i in range(20):
        score.add("right", (74, 76)[i % 2], time + i * step, 0.9 * step)
        score.add("left", (36, 38)[i % 2], time + i * step, 0.9 * step)
    return score.piece("trill", "trill")


def _chromatic() -> StressPiece:
    """Chromatic runs with their textbook fingering: each hand alone from C and from E,
    then both hands together an octave apart."""
    score, step = Score(), 0.1
    time = 0.0
    for hand, start in (("right", 60), ("right", 64), ("left", 48), ("left", 40)):
        time = score.run(hand, chromatic_run(hand, start, 24), time, step) + 0.4
    score.run("right", chromatic_run("right", 62, 12), time, step)
    score.run("left", chromatic_run("left", 50, 12), time, step)
    return score.piece("chromatic", "chromatic")


def _crossing() -> StressPiece:
    """The LH crosses over a RH broken-chord figure to answer it an octave or two higher."""
    score, step = Score(), 0.15
    for bar, (root, minor) in enumerate(_PROGRESSION):
        low, mid, high = _triad(60 + root if root < 5 else 48 + root, minor)
        start = bar * 8 * step
        for i, pitch in enumerate((low, mid, high, mid) * 2):
            score.add("right", pitch, start + i * step, 0.9 * step)
        score.add("left", 36 + root, start, 1.8 * step)
        score.add("left", 84 + root if root < 5 else 72 + root, start + 4 * step, 1.8 * step)
        score.add("left", 48 + root if root < 5 else 36 + root, start + 6 * step, 1.8 * step)
    return score.piece("crossing", "crossing")


def _lh_melody() -> StressPiece:
    """A singing LH melody in the tenor under RH off-beat chords (thumbs close together)."""
    score, beat = Score(), 0.4
    melody = (55, 57, 59, 60, 62, 60, 59, 57, 55, 53, 52, 53, 55, 57, 55, 52)
    chords = ((64, 67, 72), (65, 69, 72), (62, 67, 71), (64, 67, 72))
    for i, pitch in enumerate(melody):
        t = i * beat
        score.add("left", pitch, t, 0.95 * beat)
        score.chord("right", chords[(i // 4) % len(chords)], t + 0.5 * beat, 0.4 * beat)
    return score.piece("lh_melody", "lh_melody")


def _two_voices() -> StressPiece:
    """RH: a held soprano over a moving alto; LH: a held bass under a moving tenor."""
    score, step = Score(), 0.2
    soprano = (76, 77, 79, 77, 76, 74)
    alto = (67, 69, 71, 72, 71, 69, 67, 65)
    bass = (36, 41, 43, 41, 36, 43)
    tenor = (48, 52, 55, 52, 53, 57, 55, 53)
    for bar in range(6):
        start = bar * 8 * step
        score.add("right", soprano[bar], start, 8 * step * 0.97)
        score.add("left", bass[bar], start, 8 * step * 0.97)
        for i in range(8):
            score.add("right", alto[(i + bar) % 8], start + i * step, 0.9 * step)
            score.add("left", tenor[(i + bar) % 8], start + i * step + step / 2, 0.9 * step / 2)
    return score.piece("two_voices", "two_voices")


def _pedal() -> StressPiece:
    """Bass notes struck short and held by the sustain pedal while the LH jumps to a chord
    and the RH sweeps a broken chord over two octaves."""
    score, step = Score(), 0.15
    for bar, (root, minor) in enumerate(_PROGRESSION):
        start = bar * 12 * step
        triad = _triad(root, minor)
        score.add("left", 24 + (root + 4) % 12, start, 0.2)  # short, held by the pedal
        score.chord("left", [48 + (p - 48) % 12 for p in triad], start + 2 * step, 0.3)
        sweep = [60 + root + s for s in (0, 4 - minor, 7, 12, 16 - minor, 19, 24)]
        for i, pitch in enumerate(sweep):
            score.add("right", pitch, start + (4 + i) * step, 0.9 * step)
        score.pedal.append((start + 0.01, start + 12 * step - 0.02))
    return score.piece("pedal", "pedal")


def _extreme() -> StressPiece:
    """Runs and chords in the top and bottom octaves of the keyboard."""
    score, step = Score(), 0.12
    top = [96, 98, 100, 101, 103, 105, 107, 108]
    bottom = [21, 23, 24, 26, 28, 29, 31, 33]
    time = score.run("right", [(p, _NO_CLAIM) for p in top + top[-2::-1]], 0.0, step) + 0.3
    time = score.run("left", [(p, _NO_CLAIM) for p in bottom[::-1] + bottom[1:]], time, step)
    time += 0.3
    score.run("right", [(p, _NO_CLAIM) for p in top], time, step)
    score.run("left", [(p, _NO_CLAIM) for p in bottom[::-1]], time, step)
    time += len(top) * step + 0.3
    score.chord("right", (96, 100, 103, 108), time, 0.5)
    score.chord("left", (21, 24, 28, 33), time, 0.5)
    return score.piece("extreme", "extreme")


def _nocturne() -> StressPiece:
    """A LH broken chord over two octaves (bass, fifth, tenth, octave, ... in 16ths, the
    figure of Chopin's nocturnes, e.g. Op. 27 No. 2) reaching up to a third under a RH melody
    in quarters, with the pedal down through each bar."""
    score, step = Score(), 0.12
    for bar, (root, minor) in enumerate(_PROGRESSION * 2):
        start = bar * 12 * step
        bass = 36 + (root + 3) % 12 - 3  # A1..G#2
        third = 4 - minor
        figure = (0, 7, 12 + third, 19, 24, 19, 12 + third, 7, 0, 7, 12 + third, 19)
        for i, interval in enumerate(figure):
            score.add("left", bass + interval, start + i * step, 0.9 * step)
        for i, interval in enumerate((24 + third, 28, 31, 27 + third)):  # a third+ above the LH
            score.add("right", bass + interval + (i % 2) * 5, start + 3 * i * step, 2.9 * step)
        score.pedal.append((start + 0.01, start + 12 * step - 0.02))
    return score.piece("nocturne", "nocturne")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the MIDI engine's stress corpus.")
    parser.add_argument("out_dir", type=Path, help="folder for the .mid files (created)")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    pieces = stress_pieces()
    for piece in pieces:
        piece.write(args.out_dir)
    print(f"wrote {len(pieces)} pieces to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
