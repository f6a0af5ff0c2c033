"""Textbook piano fingerings: scales, root-position arpeggios, five-finger positions, broken
triads and broken octave chords in all 24 keys, chromatic runs, Hanon's first exercise and
glissandi.

Sources (standard public pedagogy; the tables below are written out from them):
  - W. A. Palmer, M. Manus & A. V. Lethco, "The Complete Book of Scales, Chords, Arpeggios &
    Cadences", Alfred, 1994 (major and harmonic minor scales, root-position arpeggios).
  - ABRSM, "Manual of Scales, Broken Chords and Arpeggios", 1958/2011 (same fingerings; its
    arpeggio rule: a white-key root takes RH 1-2-3-5, LH 5-4-2-1 or 5-3-2-1 by the spacing of
    the first third; black-key roots use the 2-4 "black-note fourth" shape).
  - The chromatic scale's standard fingering (both books): 3 on every black key, 1 on the
    white keys, 2 on the upper of the white pairs E-F and B-C in the right hand and on the
    lower (E, B) in the left.
  - Root-position triads, RH 1-3-5 and LH 5-3-1 in every key, black keys under the thumb
    included (Palmer, Manus & Lethco, the triads of each key); broken (root, third, fifth,
    third, root) they keep the block chord's fingers, the hand staying in place.
  - Broken chords with the octave (the triad and its octave in root position and both
    inversions, up and back down), the hand keeping the four-note chord's position: 1-2 on
    the two notes at the thumb's side, then 4-5 where the top interval (hand order) is a
    third and 3-5 where it is a fourth: RH 1-2-3-5 / 1-2-4-5 / 1-2-4-5, LH 5-4-2-1 /
    5-4-2-1 / 5-3-2-1 (the broken-chord rule of scale manuals, "finger a third with 4-5 and
    a fourth with 3-5", e.g. the broken chord example of musicandhealth.co.uk's scales
    manual, which also prefers RH 1-2-4 to 1-2-3 in the second inversion and LH 5-4-2-1 to
    5-3-2-1 in root position; the LH root position is accepted as 5-3-2-1 too, as the
    ABRSM arpeggio rule above allows).
  - The five-finger positions (degrees 1-5 of the major or minor scale, the hand over five
    neighbouring keys): 1-2-3-4-5 from the thumb in every key, black keys included, as
    piano method books teach them (e.g. N. & R. Faber, "Piano Adventures", the major and
    minor "pentascales" in all keys).
  - C.-L. Hanon, "Le Pianiste virtuose" (1873; "The Virtuoso Pianist", Schirmer 1900),
    Exercise 1: the figure C-E-F-G-A-G-F-E repeated a step higher each time, then its
    mirror G-E-D-C-B-C-D-E a step lower each time, one fingering printed for every
    repetition (the hand shifts, it never passes the thumb): RH 1-2-3-4-5-4-3-2 up and
    5-4-3-2-1-2-3-4 down, LH the reverse; Hanon's note asks for the stretch between the
    fourth and fifth fingers, of the left hand going up and of the right hand coming down.
  - J. Hofmann, "Piano Playing, with Piano Questions Answered" (1909), "To play a glissando
    passage": in the right hand the index finger going up and the thumb going down, in the
    left hand the middle finger either way (its nail drawn over the keys by the arm).

Each note carries the set of fingers the textbooks give it; where the sources offer two
(the LH 3-or-4 in arpeggios, the first note of B-flat scales) both are accepted. A two-octave
run goes up and back down, with the same finger on a key both ways, as the books teach.
"""

from __future__ import annotations

from dataclasses import dataclass

Fingers = frozenset[int]
Run = list[tuple[int, Fingers]]  # (pitch, accepted fingers) in playing order

MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
HARMONIC_MINOR_STEPS = (0, 2, 3, 5, 7, 8, 11)
_BLACK_PCS = frozenset((1, 3, 6, 8, 10))


@dataclass(frozen=True)
class Key:
    name: str  # "C major", "f# minor" (minor keys in lower case, the books' habit)
    tonic: int  # pitch class 0..11
    minor: bool

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "_").replace("#", "s")


_MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR_NAMES = ("c", "c#", "d", "eb", "e", "f", "f#", "g", "g#", "a", "bb", "b")
KEYS: tuple[Key, ...] = tuple(
    Key(f"{name} major", pc, False) for pc, name in enumerate(_MAJOR_NAMES)
) + tuple(Key(f"{name} minor", pc, True) for pc, name in enumerate(_MINOR_NAMES))


@dataclass(frozen=True)
class Pattern:
    """Fingers per degree of the repeating middle octave (tonic first), the bottom tonic's
    and the top tonic's fingers (the run's ends differ from the cycle)."""

    cycle: tuple[Fingers, ...]
    bottom: Fingers
    top: Fingers


def _pattern(cycle: str, bottom: str, top: str) -> Pattern:
    """'1231234', '1', '5' -> Pattern; a '/' joins alternatives: '3/4'."""
    cells = cycle.split() if " " in cycle else list(cycle)
    return Pattern(tuple(_fingers(c) for c in cells), _fingers(bottom), _fingers(top))


def _fingers(cell: str) -> Fingers:
    return frozenset(int(f) for f in cell.split("/"))


# Scales, 2 octaves: {(tonic pc, minor): (RH, LH)}; cycles list the ascending degrees.
_C_RH, _C_LH = _pattern("1231234", "1", "5"), _pattern("1432132", "5", "1")
_SCALES: dict[tuple[int, bool], tuple[Pattern, Pattern]] = {
    (0, False): (_C_RH, _C_LH),  # C
    (7, False): (_C_RH, _C_LH),  # G
    (2, False): (_C_RH, _C_LH),  # D
    (9, False): (_C_RH, _C_LH),  # A
    (4, False): (_C_RH, _C_LH),  # E
    (11, False): (_C_RH, _pattern("1321432", "4", "1")),  # B
    (6, False): (_pattern("2341231", "2", "2"), _pattern("4321321", "4", "4")),  # F#
    (1, False): (_pattern("2312341", "2", "2"), _pattern("3214321", "3", "3")),  # Db
    (8, False): (_pattern("3412312", "3", "3"), _pattern("3214321", "3", "3")),  # Ab
    (3, False): (_pattern("3123412", "3", "3"), _pattern("3214321", "3", "3")),  # Eb
    (10, False): (_pattern("4123123", "2/4", "4"), _pattern("3214321", "3", "3")),  # Bb
    (5, False): (_pattern("1234123", "1", "4"), _C_LH),  # F
    (9, True): (_C_RH, _C_LH),  # a
    (4, True): (_C_RH, _C_LH),  # e
    (11, True): (_C_RH, _pattern("1321432", "4", "1")),  # b
    (6, True): (_pattern("3412312", "3", "3"), _pattern("4321321", "4", "4")),  # f#
    (1, True): (_pattern("3412312", "3", "3"), _pattern("3214321", "3", "3")),  # c#
    (8, True): (_pattern("3412312", "3", "3"), _pattern("3214321", "3", "3")),  # g#
    (3, True): (_pattern("3123412", "3", "3"), _pattern("2143213", "2", "2")),  # eb
    (10, True): (_pattern("4123123", "2/4", "4"), _pattern("2132143", "2", "2")),  # bb
    (5, True): (_pattern("1234123", "1", "4"), _C_LH),  # f
    (0, True): (_C_RH, _C_LH),  # c
    (7, True): (_C_RH, _C_LH),  # g
    (2, True): (_C_RH, _C_LH),  # d
}

# Root-position arpeggios, 2 octaves: cycles are root, third, fifth.
_WHITE_ARP_RH = _pattern("123", "1", "5")
_WHITE_ARP_LH = _pattern("1 3/4 2", "5", "1")
_BLACK_FOURTH_RH = _pattern("412", "2", "4")  # the 2-4 shape on the fifth and the root
_BLACK_FOURTH_LH = _pattern("214", "2", "2")
_ARPEGGIOS: dict[tuple[int, bool], tuple[Pattern, Pattern]] = {
    **{(pc, False): (_WHITE_ARP_RH, _WHITE_ARP_LH) for pc in (0, 2, 4, 5, 7, 9, 11, 6)},
    **{(pc, True): (_WHITE_ARP_RH, _WHITE_ARP_LH) for pc in (0, 2, 4, 7, 9, 11, 5, 3)},
    **{(pc, False): (_BLACK_FOURTH_RH, _BLACK_FOURTH_LH) for pc in (1, 3, 8, 10)},
    **{(pc, True): (_BLACK_FOURTH_RH, _BLACK_FOURTH_LH) for pc in (1, 6, 8)},
    (10, True): (_pattern("231", "2", "2/4"), _pattern("321", "3", "3")),  # bb minor
}


def scale_run(key: Key, side: str, tonic_pitch: int, octaves: int = 2) -> Run:
    """The scale from tonic_pitch up `octaves` octaves and back down, with its fingering."""
    steps = HARMONIC_MINOR_STEPS if key.minor else MAJOR_STEPS
    return _run(steps, _SCALES[key.tonic, key.minor], side, tonic_pitch, octaves)


def arpeggio_run(key: Key, side: str, tonic_pitch: int, octaves: int = 2) -> Run:
    """The root-position arpeggio from tonic_pitch up `octaves` octaves and back down."""
    steps = (0, 3, 7) if key.minor else (0, 4, 7)
    return _run(steps, _ARPEGGIOS[key.tonic, key.minor], side, tonic_pitch, octaves)


def _run(
    steps: tuple[int, ...],
    patterns: tuple[Pattern, Pattern],
    side: str,
    tonic_pitch: int,
    octaves: int,
) -> Run:
    pattern = patterns[0] if side == "right" else patterns[1]
    count = len(steps) * octaves
    up = []
    for i in range(count + 1):
        octave, degree = divmod(i, len(steps))
        fingers = pattern.bottom if i == 0 else pattern.top if i == count else pattern.cycle[degree]
        up.append((tonic_pitch + 12 * octave + steps[degree], fingers))
    return up + up[-2::-1]


def five_finger_run(key: Key, side: str, tonic_pitch: int) -> Run:
    """The five-finger position on the tonic, up to the fifth and back: RH 1-2-3-4-5,
    LH 5-4-3-2-1 (the thumb on the fifth)."""
    steps = (HARMONIC_MINOR_STEPS if key.minor else MAJOR_STEPS)[:5]
    fingers = range(1, 6) if side == "right" else range(5, 0, -1)
    up = [(tonic_pitch + step, frozenset({f})) for step, f in zip(steps, fingers, strict=True)]
    return up + up[-2::-1]


def hanon_exercise_one_run(side: str, start_pitch: int) -> Run:
    """Hanon's Exercise 1 from `start_pitch` (a C; he writes C3 for the RH, C2 for the LH):
    the figure climbs a white key at a time through 14 positions (two octaves), comes down
    from the top G through 15 and ends on the first C, whose finger the exercise leaves
    open (the hand still in the last position, or back on the thumb side: no claim)."""
    right = side == "right"
    up_figure, down_figure = (0, 2, 3, 4, 5, 4, 3, 2), (0, -2, -3, -4, -5, -4, -3, -2)
    thumb_first = (1, 2, 3, 4, 5, 4, 3, 2)
    little_first = tuple(6 - f for f in thumb_first)
    top = 14 + 4  # the last position's top note, the G the descent starts from
    run = []
    for shift in range(14):
        for degree, finger in zip(up_figure, thumb_first if right else little_first, strict=True):
            run.append((major_degree_pitch(start_pitch, shift + degree), frozenset({finger})))
    for shift in range(15):
        for degree, finger in zip(down_figure, little_first if right else thumb_first, strict=True):
            run.append((major_degree_pitch(start_pitch, top - shift + degree), frozenset({finger})))
    return run + [(start_pitch, frozenset())]


def glissando_run(side: str, start: int, keys: int, rising: bool) -> Run:
    """A glissando over `keys` keys of `start`'s colour (every white key, or every black
    key) from `start`, up or down, each key with the one finger Hofmann draws it with."""
    finger = frozenset({(2 if rising else 1) if side == "right" else 3})
    colour = [p for p in range(21, 109) if (p % 12 in _BLACK_PCS) == (start % 12 in _BLACK_PCS)]
    first = colour.index(start)
    chosen = colour[first : first + keys] if rising else colour[first - keys + 1 : first + 1][::-1]
    return [(pitch, finger) for pitch in chosen]


def major_degree_pitch(tonic_pitch: int, degree: int) -> int:
    """The key `degree` steps of the major scale above (or below) `tonic_pitch`."""
    octave, step = divmod(degree, len(MAJOR_STEPS))
    return tonic_pitch + 12 * octave + MAJOR_STEPS[step]


def broken_triad_run(key: Key, side: str, tonic_pitch: int) -> Run:
    """The root-position tonic triad broken up and down twice: RH 1-3-5, LH 5-3-1."""
    steps = (0, 3, 7) if key.minor else (0, 4, 7)
    fingers = (1, 3, 5) if side == "right" else (5, 3, 1)
    up = [(tonic_pitch + step, frozenset({f})) for step, f in zip(steps, fingers, strict=True)]
    cycle = up + up[-2:0:-1]  # root third fifth third
    return cycle * 2 + up[:1]


def broken_chord_run(key: Key, side: str, tonic_pitch: int, inversion: int) -> Run:
    """The tonic triad with its octave, in root position (inversion 0) or an inversion
    (the chord's lowest note a chord note higher each), broken up and back down: RH
    1-2-3-5 / 1-2-4-5 / 1-2-4-5, LH 5-4-2-1 (or 5-3-2-1) / 5-4-2-1 / 5-3-2-1."""
    triad = (0, 3, 7) if key.minor else (0, 4, 7)
    steps = triad[inversion:] + tuple(step + 12 for step in triad[:inversion])
    chord = [tonic_pitch + step for step in steps] + [tonic_pitch + steps[0] + 12]
    hand_order = chord if side == "right" else chord[::-1]
    third = "3" if abs(hand_order[3] - hand_order[2]) == 5 else "4"
    if side == "left" and inversion == 0:
        third = "3/4"
    fingers = dict(zip(hand_order, map(_fingers, ("1", "2", third, "5")), strict=True))
    up = [(pitch, fingers[pitch]) for pitch in chord]
    return up + up[-2::-1]


def chromatic_run(side: str, start: int, semitones: int) -> Run:
    """Chromatic scale from `start` up `semitones` and back down; a run may start or turn
    on F or C (RH), E or B (LH) with the thumb as well as with 2."""
    pitches = list(range(start, start + semitones + 1))
    up = [(p, _chromatic_finger(p, side, i in (0, semitones))) for i, p in enumerate(pitches)]
    return up + up[-2::-1]


def _chromatic_finger(pitch: int, side: str, end: bool) -> Fingers:
    pc = pitch % 12
    if pc in _BLACK_PCS:
        return frozenset({3})
    second = (5, 0) if side == "right" else (4, 11)  # F, C (RH); E, B (LH)
    if pc in second:
        return frozenset({1, 2}) if end else frozenset({2})
    return frozenset({1})
