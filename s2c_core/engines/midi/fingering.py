"""Fingering: Viterbi over one hand's chords, with ergonomic costs from the literature.

The hand's notes are grouped into chords; a chord of m notes sorted low to high (in hand
coordinates: pitch for the right hand, -pitch for the left, so finger numbers rise with
the coordinate for both hands) may take any rising set of m fingers, at most 10 states.

The costs follow the rules of Parncutt, Sloboda, Clarke, Raekallio & Desain, "An ergonomic
model of keyboard fingering for melodic fragments", Music Perception 14(4), 1997, written
here in our own terms (rule numbers as in the paper):
  1-3  a finger pair's interval against its comfortable/relaxed/practical ranges (their table);
  6    weak fingers (4, 5);  8  3 followed by 4;
  10   the thumb on a black key, worse between white keys;  11  the little finger likewise;
  12   thumb passes: cheap from a black finger key to a white thumb key, dearer on one level,
       dearest onto a black thumb key.
Refinements of ours: a thumb pass or crossing is a change of hand position and costs a
fixed amount (the count of position changes in Parncutt's rules 4-5), which with rule 12
yields the textbook scale groups (thumb under 3 or 4, onto a white key after a black one or
a semitone), and the thumb passing straight back under a finger that has just crossed over
it, stepwise towards the thumb's side, is a second such change (`_thumb_returns`); a thumb
on a white key with a longer finger on a black key needs no small-span penalty, since the
black key lies further in (Jacobs 2001, Music Perception 18(4), measured
distances on the two-row keyboard instead of semitones; Nakamura, Saito & Yoshii 2020,
Information Sciences 517, model finger transitions on the same two-row lattice); a leap
beyond any finger pair's reach costs one hand repositioning, if the hand has time to move
between the notes (faster notes within a pair's reach must be spanned from one position),
plus the distance the hand travels: how far the new key lies from where the finger pair
would put it (Nakamura et al. model a transition's pitch step per finger pair, likeliest
near the pair's usual spacing), so the finger on the side the hand leaps to leads and the
little finger takes the bass of a stride or waltz accompaniment; the same finger on a new
key breaks the legato (except in a leap, which breaks it anyway), more so faster than one
finger taps (Aoki, Furuya & Kinoshita 2005), and a finger still holding its key cannot
strike another, unless there is time for a neighbour to take the key over
first (finger substitution, substitution.py). A key held beyond the next chord
constrains the notes struck meanwhile like a chord's note: span, finger order (only the
thumb passes), and its finger busy. Transitions weigh less when there is time to reposition
the hand. Figures: lines start and turn on the hand's edge fingers, chromatic runs take
1-2-3 with 3 on the black keys; a figure that turns within one hand position (five-finger
figures, broken chords, Alberti basses, melodies) turns on the edge fingers only at its
extremes, and only where the figure reaches a fifth from them (a melody inside a
five-finger position is played from it, as beginner method books print it; a key struck
again is no turn), keeps rules 1-3 between notes two apart, takes a close triad's fingers
where it breaks one, weighs the thumb on a black key as Parncutt et al. do (without rules
10-11's neighbours: the hand is placed) and the weak fingers as any other; a chord broken
through its octave and back (four keys a third or a fourth apart, the line turning back at
both ends) takes the four-note chord's fingers, 4-5 on a third and 3-5 on a fourth at the
little finger's end, its thumb on a black key weighed as in a position; and a figure
that repeats (the same pitch class again within a few notes of a line, as in scales over
several octaves or up and back down) takes the same fingers each time: the cost counts the
disagreeing pairs, and further Viterbi passes, each holding the other note of a pair at the
last pass's fingers, lower it (a figure is fingered as a whole, the way textbooks give a
scale's fingering per octave rather than note by note); the held keys' costs join those
pairs. A chord's finger pairs also keep within what the built-in hand grips where that is
less than the table's practical range (`_GRIP`, measured on the engine). A key struck three
times or more, each strike quicker than one finger taps, changes fingers towards the thumb
(3-2-1; 3-2 on a black key) and takes no edge finger. Fingers a file prescribes are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations

import numpy as np

from .groups import group_bounds

# Finger-pair ranges in semitones (right hand, lower finger to higher finger), Parncutt et
# al. 1997 Table 1: MinPrac, MinComf, MinRel, MaxRel, MaxComf, MaxPrac.
_PAIRS = {
    (1, 2): (-5, -3, 1, 5, 8, 10),
    (1, 3): (-4, -2, 3, 7, 10, 12),
    (1, 4): (-3, -1, 5, 9, 12, 14),
    (1, 5): (-1, 1, 7, 10, 13, 15),
    (2, 3): (1, 1, 1, 2, 3, 5),
    (2, 4): (1, 1, 3, 4, 5, 7),
    (2, 5): (2, 2, 5, 6, 8, 10),
    (3, 4): (1, 1, 1, 2, 2, 4),
    (3, 5): (1, 1, 3, 4, 5, 7),
    (4, 5): (1, 1, 1, 2, 3, 5),
}
_RANGES = np.zeros((6, 5, 5))
for (_a, _b), _values in _PAIRS.items():
    _RANGES[:, _a - 1, _b - 1] = _values
# The widest chord interval (semitones) per finger pair the built-in hand grips, where it
# is narrower than the practical range above: right-hand dyads with prescribed fingers on
# all 12 roots of C3-B3 and C4-B4 (engine's key contact), 1-3 beyond a minor seventh hit
# 79 % / 8 % of the keys, a 1-4 octave 100 % / 50 % against a 1-5 octave's 100 % / 75 %.
_WIDEST_REACH = _RANGES[5].max()  # semitones: no finger pair spans more (1-5's MaxPrac)
_GRIP = np.full((5, 5), np.inf)
_GRIP[0, 2], _GRIP[0, 3] = 10, 11
BLACK = np.isin(np.arange(128) % 12, (1, 3, 6, 8, 10))
# A line that opens with a scale run falling towards the thumb (steps of at most an
# augmented second, the harmonic minor's), or closes with one rising towards the little
# finger, takes the little finger at that end only where that spares it a crossing (five
# keys or fewer: 5-4-3-2-1 into the turn) or where the run is a scale's octave or more
# (the 5 at a scale's top in the manuals: ABRSM; Palmer, Manus & Lethco 1994). A run of
# six or seven keys crosses once whatever finger it starts on, and the manuals group it
# 3+3 or 4+3 (3-2-1-3-2-1, 4-3-2-1-3-2-1, a scale entered part-way); with the edge
# forced, E5-D5-C5-B4-A4-G4 took 5-2-1-3-2-1 (the little and index fingers on neighbouring
# keys) and C4-D4-E4-F4-G4-A4 1-2-1-2-3-5.
# Arpeggios keep the edge: their books start on 5 (5-4-2-1-4-2-1).
_CROSSING_RUN_KEYS = range(6, 8)
_SCALE_STEP = 3  # semitones
_HELD_MARGIN = 1e-3  # s: a note released this close to the next onset counts as released
# s: a key let go this soon after its finger strikes again is a legato overlap, which the
# finger leaves early, not a held key (performed legato overlaps keys by up to about 0.1 s:
# B. H. Repp, "Acoustics, perception, and production of legato articulation on a
# computer-controlled grand piano", JASA 102(3), 1997)
LEGATO_OVERLAP = 0.1


def finger_pair_interval(f: int, u: float, g: int, v: float) -> tuple[int, int, float]:
    """For fingers f on u and g on v (hand coordinates, semitones; f != g): the lower and
    the higher finger and the interval from the lower finger's key to the higher's
    (negative where they cross, as when the thumb passes under)."""
    return (f, g, v - u) if f < g else (g, f, u - v)


def within_practical_range(f: int, u: float, g: int, v: float) -> bool:
    """Whether fingers f on u and g on v (hand coordinates, semitones) can be down at once:
    their interval within the pair's practical range (Parncutt et al. 1997, Table 1)."""
    return _within(f, u, g, v, 0, 5)


def within_comfortable_range(f: int, u: float, g: int, v: float) -> bool:
    """Whether fingers f on u and g on v (hand coordinates, semitones; f != g) lie within
    the pair's comfortable range (Parncutt et al. 1997, Table 1)."""
    return _within(f, u, g, v, 1, 4)


def _within(f: int, u: float, g: int, v: float, least: int, most: int) -> bool:
    """Whether the pair's interval lies between rows `least` and `most` of _RANGES."""
    low, high, d = finger_pair_interval(f, u, g, v)
    return bool(_RANGES[least, low - 1, high - 1] <= d <= _RANGES[most, low - 1, high - 1])


@dataclass(frozen=True)
class FingeringCosts:
    """Weights of the fingering costs (Parncutt et al. 1997 rule numbers in comments).

    The rules come from the literature; their weights were chosen by a local search for the
    textbook fingerings of the stress corpus (s2c_core.evaluate.stress_corpus: scales and
    arpeggios in 24 keys, chromatic runs), never on the shared pieces."""

    stretch: float = 0.6  # 1: per semitone outside the comfortable range
    thumb_span: float = 2.0  # 2-3: per semitone outside the relaxed range, pairs with 1
    finger_span: float = 0.5  # 2-3: the same for pairs without the thumb
    practical: float = 10.0  # per semitone beyond the practical range
    weak_finger: float = 0.9  # 6
    three_four: float = 0.25  # 8
    thumb_on_black: float = 5.5  # 10, plus per white neighbour:
    thumb_black_neighbour: float = 2.7
    five_black_neighbour: float = 3.0  # 11, per white neighbour
    pass_same_level: float = 1.2  # 12
    pass_onto_black: float = 0.2  # 12: the thumb passes onto a black key
    crossing: float = 6.7  # ours: a thumb pass moves the hand (rules 4-5's position change)
    crossing_far: float = 0.65  # per semitone a pass reaches beyond the comfortable range
    black_relief: float = 4.0  # semitones off MinRel for white thumb, black finger
    leap: float = 4.9  # a leap beyond `leap_interval` costs at most this, plus
    leap_interval: int = 7
    # ... per semitone the hand travels: the distance of the new key from the middle of the
    # finger pair's relaxed range (from the old key, for the same finger). With any fingers
    # costing the same, the bass notes of the fresh waltzes and strides (tuning seeds 1-6)
    # took 2 or 3, 3 in 148 the fifth finger; 0.2 gives 127 fifth fingers (0.1: 5, 0.3:
    # 127), and the textbook fingerings are unchanged.
    leap_travel: float = 0.2
    # ... when there is time for the hand to move between the notes: faster, the fingers
    # must span the interval from one hand position where a pair can (broken octaves 1-5,
    # 1-4 on a black key, not an octave jump to and fro per note). Chosen on the tuning
    # set among 0.15, 0.2 and 0.3 s (0.3 s cost fresh stride basses their contact; see
    # docs/performance.md).
    leap_time: float = 0.2
    same_finger_new_key: float = 8.0  # plus same_finger_per_semitone per semitone
    same_finger_per_semitone: float = 0.5
    finger_busy: float = 20.0  # the finger still holds another key
    reposition_time: float = 1.1  # s: a transition's weight is 1 / (1 + dt / this)
    # Our rig's fingertips cannot bunch up like a human hand's: fingers struck together stay
    # at least this many semitones apart per finger between them, or pay per semitone short.
    chord_spacing: float = 1.5
    bunched: float = 3.0
    # Notes struck together: rules 1-3, 6, 10-11 with the weights that keep our rig's
    # fingertips on their keys in wide chords (stretch, span, thumb and little finger on
    # black, weak finger); the melodic weights above let a line stretch where a chord cannot.
    chord_stretch: float = 2.0
    chord_span: float = 1.0
    chord_thumb_on_black: float = 2.0
    chord_five_on_black: float = 1.0
    chord_weak_finger: float = 0.3
    # A close triad (stacked thirds, or a third and a fourth, within a sixth) takes the
    # textbook fingers: 1-3-5, or 1-2-5 where its upper interval in hand coordinates is the
    # fourth (right-hand first inversion, left-hand second: RH 1-3-5 / 1-2-5 / 1-3-5 and LH
    # 5-3-1 / 5-3-1 / 5-2-1 for root position and the two inversions, Palmer, Manus &
    # Lethco 1994), unless another rule outweighs it (a finger holding a key, a black key
    # under the little finger). Without it 22 % of the close triads of the fresh textures
    # (tuning seeds 1-6) and 37 % of the tuning scores' got them (1-2-4 and 2-3-5 shapes, an
    # idle finger inside the chord); 1, 2, 3 and 4 give 57, 75, 83 and 90 % and 58, 68,
    # 77 and 82 %, with the tuning set's key contact unchanged; 3 was taken. The same
    # weight holds a chord broken through its octave to the four-note chord's fingers, per
    # note on another finger (_broken_octave_chords; set once, not tuned).
    triad: float = 3.0
    given: float = 1000.0  # a finger other than the one the file prescribes
    # Figures (single-note lines): a line starts and turns on the finger at the hand's edge
    # in its direction (thumb below, little finger above in hand coordinates), so no
    # crossing falls on the turn ("start with the lowest available finger", ABRSM manual);
    # chromatic runs use 1, 2 and 3 only, with 3 on the black keys (ABRSM; Palmer et al.).
    line_edge: float = 3.0
    chromatic: float = 6.0
    phrase_gap: float = 0.6  # s between notes that ends a line
    # Consistent fingering for repeated figures: a note a line played before (same pitch
    # class within repeat_window notes) and that earlier note pay this when their fingers
    # differ (re-chosen for the two-way pairs on the stress corpus's textbook fingerings:
    # 0.9 gives 98.1 %, 0.5 97.0 %, 0.7 97.8 %, 1.2 97.6 %).
    consistency: float = 0.9
    repeat_window: int = 8
    # A held key and a note struck meanwhile (beyond the next chord): a finger still holding
    # a key may strike again only after another finger takes the key over (finger
    # substitution, which needs substitution_time from the key's onset to the strike).
    substitution: float = 3.0
    substitution_time: float = 0.25
    # A line that turns within one hand position (five-finger figures, broken chords,
    # Alberti basses: each rising or falling run within position_range semitones, see
    # _in_position) is played from that position, not run through as a scale: its turns
    # take the edge fingers only at the figure's extremes (position_window notes either
    # side), rules 1-3 also hold between notes two apart struck within position_time (the
    # hand keeps both under its fingers: C-G-E-G takes 5-1-3-1, not 5-1-2-1), and rule 10
    # weighs a thumb on a black key as Parncutt et al. do (1 point; the black-key major
    # five-finger positions take 1-2-3-4-5 as method books teach them in every key, and
    # the heavier scale weight above keeps the thumb off the black keys in runs). Three
    # consecutive notes of it that break a close triad take the block triad's fingers:
    # `triad` per note and triad on another finger (textbook broken triads of the stress
    # corpus 76.6 % without, 88.9 % at 1, 100 % at 3). The pairs' weight, 1, was chosen on
    # the tuning set between 1 and 2 (2: the Alberti bass 93.8 -> 95.5 %, one key more
    # missed in mz_331_3); range, window and time were set once and left (7-9 semitones,
    # 0.35-0.8 s change no textbook note).
    position_range: int = 8
    position_window: int = 3
    position_pair: float = 1.0
    position_time: float = 0.5
    position_thumb_on_black: float = 1.0
    # Within a position, an extreme takes its edge finger only where the figure reaches a
    # whole position (position_fill semitones, a fifth: the five-finger position of method
    # books) away from it within fill_window keys; a narrower figure leaves the hand room
    # on both sides (Ode to Joy opens on 3, not on the thumb). And the weak fingers cost
    # nothing there (rule 6 is about passage work, where the hand may choose its fingers;
    # over a position each finger has its key, and 3-5 on a second in place of 3-4-5 broke
    # the position). A key struck again at once is no turn of its line (_new_keys). Chosen
    # on 200 folk melodies of the Essen collection (music21's corpus, every 20th tune from
    # the first, each hand), beginner melodies in C position and the textbook families:
    # a fill of 5-9 semitones and windows of 3-12 keys, weak-finger cost 0-0.9 in position
    # (0 kept the folk melodies' position breaks lowest and left every textbook note).
    # Rules 10-11's neighbour terms (the hand moving in and out between white and black
    # keys) are weighed by position_neighbours between two notes of one position, where
    # the hand is placed already (the black-key pentascales of method books put the thumb
    # on the black tonic): 0, 0.5 and 1 tried on the same melodies, 0 taken (the Alberti
    # bass in C#, Eb, Ab and Bb then keeps 5-1-3-1 too); the thumb's own point stays.
    position_fill: float = 7.0
    fill_window: int = 8
    position_weak_finger: float = 0.0
    position_neighbours: float = 0.0
    # Fast repeated notes (a key struck repeat_run times or more, each within repeat_time
    # of the last: quicker than one finger taps) change fingers towards the thumb: the
    # same finger pays fast_repeat, any change but 3-2 or 2-1 repeat_restart (groups of
    # 3-2-1; 3-2 on a black key, where the thumb would cost more). Set once on the stress
    # corpus's repeated notes. A finger moving to a new key within repeat_time pays
    # fast_repeat as well, on top of same_finger_new_key (lindenbaum's B3-A3 80 ms apart
    # took the thumb on both).
    repeat_time: float = 0.15
    repeat_run: int = 3
    fast_repeat: float = 3.0
    repeat_restart: float = 1.0
    pair_passes: int = 4  # Viterbi passes after the first (the cheapest path is kept)
    # The other hand's keys: two hands cannot cover the same keys, so a finger that puts
    # this hand's thumb (about finger_step semitones per finger from the struck key) within
    # a semitone of a key the other hand holds on the thumb side pays per semitone inside.
    territory: float = 1.0
    finger_step: float = 2.0


@cache
def _states(m: int) -> np.ndarray:
    """(S, m) rising finger numbers for an m-note chord."""
    return np.array(list(combinations(range(1, 6), m)), dtype=np.int64).reshape(-1, m)


def assign_fingers(
    pitch: np.ndarray,
    onset: np.ndarray,
    offset: np.ndarray,
    group: np.ndarray,
    side: str,
    given: np.ndarray | None = None,
    reach: float = 1.0,
    costs: FingeringCosts = FingeringCosts(),
    neighbour: np.ndarray | None = None,
) -> np.ndarray:
    """(n,) piano finger 1..5 for one hand's notes (sorted by group; at most 5 per group).

    `given` (n,) holds fingers the file prescribes (0 where none); they are kept. `reach` is
    the hand's size relative to the adult hand the ranges are written for: a smaller hand
    feels every interval as 1 / reach times wider. `neighbour` (n,) is the nearest key the
    other hand holds on this hand's thumb side when each note is struck (NaN where none).
    """
    direction = 1 if side == "right" else -1  # towards the little finger
    sign = direction / reach
    u = sign * pitch
    order = np.lexsort((u, group))
    placed = _position_notes(pitch, onset, group, costs)
    repeating = np.zeros(len(pitch), dtype=bool)
    repeating[order] = _fast_repeats(pitch[order], onset[order], group[order], costs)
    figure = np.zeros((len(pitch), 5))
    figure[order] = _figure_costs(
        u[order], pitch[order], direction * pitch[order], onset[order], group[order],
        placed[order], repeating[order], costs,
    )  # fmt: skip
    figure[order] += _leap_start_costs(u[order], onset[order], group[order], costs)
    if neighbour is not None:
        figure += _territory_costs(pitch, neighbour, direction, costs)
    steps = _chord_steps(pitch, onset, offset, group, order, given, sign, placed, repeating, costs)
    reference = np.full(len(pitch), -1)
    earlier = _repeat_reference(pitch[order], onset[order], group[order], costs)
    reference[order] = np.where(earlier >= 0, order[earlier], -1)
    repeat = np.flatnonzero(reference >= 0)
    unlike = costs.consistency * (1.0 - np.eye(5))  # a repeated figure keeps its fingers
    pairs = _Pairs(repeat, reference[repeat], np.broadcast_to(unlike, (len(repeat), 5, 5)))
    pairs = pairs + _held_pairs(pitch, onset, offset, group, sign, costs)
    pairs = pairs + _position_pairs(pitch, onset, group, sign, placed, costs)
    pairs = pairs + _thumb_returns(pitch, onset, group, sign, costs)
    return _paired_path(steps, figure, pairs, costs.pair_passes)


@dataclass(frozen=True)
class _Pairs:
    """Costs between two notes that are not neighbours in the chord sequence: matrix[p]
    (5, 5) is the cost of fingers (first's, second's) for notes first[p], second[p]."""

    first: np.ndarray
    second: np.ndarray
    matrix: np.ndarray

    def __add__(self, other: _Pairs) -> _Pairs:
        return _Pairs(
            np.concatenate([self.first, other.first]),
            np.concatenate([self.second, other.second]),
            np.concatenate([self.matrix, other.matrix]),
        )

    def cost(self, finger: np.ndarray) -> float:
        return float(self.matrix[np.arange(len(self.first)), finger[self.first] - 1,
                                 finger[self.second] - 1].sum())  # fmt: skip

    def pull(self, finger: np.ndarray, n: int) -> np.ndarray:
        """(n, 5) per note and finger: the pairs' cost with the other notes at `finger`."""
        rows = np.arange(len(self.first))
        pull = np.zeros((n, 5))
        np.add.at(pull, self.second, self.matrix[rows, finger[self.first] - 1, :])
        np.add.at(pull, self.first, self.matrix[rows, :, finger[self.second] - 1])
        return pull


def _paired_path(steps: list[Step], figure: np.ndarray, pairs: _Pairs, passes: int) -> np.ndarray:
    """The fingers minimising the path cost plus the pairs' costs, both ends of a pair free
    (a repeated figure pulls its first occurrence as much as it is pulled). The first pass
    leaves the pairs out; each further one holds the other end of every pair at the last
    pass's fingers, its pull growing from pass to pass up to the pairs' full cost (a
    continuation method: the fingers agree a little at a time rather than both ends of a
    pair swapping at once). The cheapest path seen is kept."""
    n = len(figure)
    finger, path_cost = _best_path(steps, figure, n)
    best, best_total = finger, path_cost + pairs.cost(finger)
    for k in range(1, passes + 1):
        pull = k / passes * pairs.pull(finger, n)
        finger, pulled_cost = _best_path(steps, figure + pull, n)
        path_cost = pulled_cost - pull[np.arange(n), finger - 1].sum()
        total = path_cost + pairs.cost(finger)
        if total < best_total - 1e-9:
            best, best_total = finger, total
    return best


def _position_pairs(
    pitch: np.ndarray,
    onset: np.ndarray,
    group: np.ndarray,
    sign: float,
    placed: np.ndarray,
    costs: FingeringCosts,
) -> _Pairs:
    """Single notes two apart in a line within one hand position (`placed`, see
    _position_notes), struck within position_time: rules 1-3 between their fingers (none
    where their order is crossed, a thumb passing, or where one finger takes both)."""
    first, second = [], []
    for line in _single_lines(group, onset, costs):
        keys = _line_keys(line, pitch)[0]  # a repeated key is one note of the figure
        a, b = keys[:-2], keys[2:]
        quick = (onset[b] - onset[a] <= costs.position_time) & placed[a] & placed[b]
        first += a[quick].tolist()
        second += b[quick].tolist()
    first, second = np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
    d = (sign * (pitch[second] - pitch[first]))[:, None, None]
    f1, f2 = np.arange(1, 6)[None, :, None], np.arange(1, 6)[None, None, :]
    oriented = np.where(f1 < f2, d, -d)  # from the lower finger to the higher
    black1, black2 = BLACK[pitch[first]][:, None, None], BLACK[pitch[second]][:, None, None]
    relief = ~np.where(f1 == 1, black1, black2) & np.where(f1 == 1, black2, black1)
    low, high = np.minimum(f1, f2), np.maximum(f1, f2)
    same = f1 == f2
    cost = _pair_cost(low, np.where(same, low % 5 + 1, high), oriented, relief, costs)
    cost = np.where(same | (oriented < 0), 0.0, cost)
    return _Pairs(first, second, costs.position_pair * cost)


def _thumb_returns(
    pitch: np.ndarray, onset: np.ndarray, group: np.ndarray, sign: float, costs: FingeringCosts
) -> _Pairs:
    """Three single notes of a line stepping (a tone or a semitone each) towards the thumb's
    side within position_time, the middle one on a white key: the thumb on the first and
    the last means a finger crossed over the thumb for the middle note and the thumb passed
    back under it at once, a second crossing that the transitions, two notes at a time, do
    not see (B4-A4-G4 as 1-2-1, where a scale takes 3-2-1 or crosses once, 1-3-2). The pair
    of the outer notes pays `crossing` for both on the thumb. A black middle key is the
    chromatic scale's 1-3-1, the thumb sliding under the finger on the raised key."""
    first, second = [], []
    for line in _single_lines(group, onset, costs):
        keys = _line_keys(line, pitch)[0]
        a, middle, b = keys[:-2], keys[1:-1], keys[2:]
        step_in, step_on = sign * (pitch[middle] - pitch[a]), sign * (pitch[b] - pitch[middle])
        stepwise = (step_in >= -2) & (step_in < 0) & (step_on >= -2) & (step_on < 0)
        chosen = stepwise & ~BLACK[pitch[middle]] & (onset[b] - onset[a] <= costs.position_time)
        first += a[chosen].tolist()
        second += b[chosen].tolist()
    matrix = np.zeros((len(first), 5, 5))
    matrix[:, 0, 0] = costs.crossing
    return _Pairs(np.array(first, dtype=np.int64), np.array(second, dtype=np.int64), matrix)


def _position_notes(
    pitch: np.ndarray, onset: np.ndarray, group: np.ndarray, costs: FingeringCosts
) -> np.ndarray:
    """(n,) the single notes (notes sorted by group) of figures played from one hand
    position (_in_position over each line's keys; a key struck again shares its place)."""
    placed = np.zeros(len(pitch), dtype=bool)
    for line in _single_lines(group, onset, costs):
        keys, key = _line_keys(line, pitch)
        placed[line] = _in_position(pitch[keys], costs)[key]
    return placed


def _single_lines(group: np.ndarray, onset: np.ndarray, costs: FingeringCosts) -> list[np.ndarray]:
    """The lines (_lines) of single notes (notes sorted by group)."""
    bounds = group_bounds(group)
    single = bounds[:-1][np.diff(bounds) == 1]
    return _lines(single, onset, costs.phrase_gap) if len(single) else []


def _line_keys(line: np.ndarray, pitch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A line's keys (its notes but a key struck again at once, which shares the first
    strike's place) and each note's place among them."""
    new = _new_keys(pitch[line])
    return line[new], np.cumsum(new) - 1


def _new_keys(pitch: np.ndarray) -> np.ndarray:
    """(n,) for a line's pitches, whether each note strikes a key other than the last's."""
    return np.concatenate([[True], np.diff(pitch) != 0])


def _fast_repeats(
    pitch: np.ndarray, onset: np.ndarray, group: np.ndarray, costs: FingeringCosts
) -> np.ndarray:
    """(n,) for notes sorted by group, the single notes of runs of at least repeat_run
    strikes of one key, each within repeat_time of the one before."""
    bounds = group_bounds(group)
    first, single = bounds[:-1], np.diff(bounds) == 1
    link = (
        single[:-1]
        & single[1:]
        & (np.diff(pitch[first]) == 0)
        & (np.diff(onset[first]) < costs.repeat_time)
    )
    run = _in_long_runs(link, costs.repeat_run - 1)
    fast = np.zeros(len(pitch), dtype=bool)
    fast[first[:-1][run]] = fast[first[1:][run]] = True
    return fast


def _in_position(pitch: np.ndarray, costs: FingeringCosts) -> np.ndarray:
    """(n,) the notes of a line (n pitches: its keys, each struck once) whose rising or
    falling runs (the one arriving at the note and the one leaving it) each span at most
    position_range semitones in at most five notes, or all of a line that is one such run:
    a figure played from one hand position, not a scale or arpeggio run (six notes one way
    need a thumb pass or a crossing)."""
    step = np.sign(np.diff(pitch))
    turns = np.flatnonzero(step[1:] != step[:-1]) + 1
    if not len(turns):  # one run: a position figure if it fits one position whole
        fits = len(pitch) <= 5 and np.ptp(pitch) <= costs.position_range
        return np.full(len(pitch), fits)
    ends = np.concatenate([[0], turns, [len(pitch) - 1]])
    fits = (np.abs(np.diff(pitch[ends])) <= costs.position_range) & (np.diff(ends) < 5)
    run = np.searchsorted(ends, np.arange(len(pitch)), side="right") - 1
    leaving = fits[np.minimum(run, len(fits) - 1)]
    arriving = fits[np.maximum(run - 1, 0)]
    return np.where(np.isin(np.arange(len(pitch)), ends), arriving & leaving, leaving)


def _broken_triads(u: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """(n, 5) per note of a line (u: hand coordinates) and finger: in how many broken close
    triads (three consecutive distinct notes of a position figure, `placed`) the note lies
    where that finger is not the triad's textbook finger for it (_off_book_triad's)."""
    off = np.zeros((len(u), 5))
    if len(u) < 3:
        return off
    windows = np.lib.stride_tricks.sliding_window_view
    three = windows(u, 3)  # (n - 2, 3) consecutive notes
    close, book = _close_triads(np.diff(np.sort(three, axis=1), axis=1))
    close &= windows(placed, 3).all(axis=1)  # (steps of 3 or more: three distinct notes)
    rank = np.argsort(np.argsort(three, axis=1), axis=1)  # each note's place in its triad
    start = np.flatnonzero(close)
    for j in range(3):
        finger = book[start, rank[start, j]]
        np.add.at(off, start + j, np.arange(1, 6) != finger[:, None])
    return off


def _broken_octave_chords(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a line's keys (u: hand coordinates), the broken octave chords: four keys rising
    or falling through a triad and its octave (steps of a third or a fourth) where the line
    turns back by a third or more at both ends, or ends there: the hand holds the chord's
    position rather than running on as an arpeggio or into a scale. Returns (n, 5), per
    note and finger, whether the finger is not the chord's textbook finger for the note,
    and (n,) the notes played from such a chord (_chord_extent). The textbook fingers are
    1-2-x-5 from the thumb, x = 4 where a third lies under the little finger and 3 where a
    fourth does: RH 1-2-3-5 / 1-2-4-5 / 1-2-4-5 and LH 5-4-2-1 / 5-4-2-1 / 5-3-2-1 for root
    position and the two inversions (the broken-chord rule "a third with 4-5, a fourth with
    3-5" of scale manuals, e.g. musicandhealth.co.uk's broken chord example, which keeps the
    hand in the chord's shape; the ABRSM manual's arpeggio rule for white-key roots is the
    same, see s2c_core.evaluate.textbook_fingering)."""
    off = np.zeros((len(u), 5))
    chord = np.zeros(len(u), dtype=bool)
    if len(u) < 4:
        return off, chord
    step = np.diff(u)
    three = np.lib.stride_tricks.sliding_window_view(step, 3)  # steps within four keys
    way = np.sign(three[:, 0])
    size = np.abs(three)
    broken = np.all(np.sign(three) == way[:, None], axis=1)
    broken &= np.all((size >= 3) & (size <= 5), axis=1) & (size.sum(axis=1) == 12)
    for start in np.flatnonzero(broken):
        keys = np.arange(start, start + 4)
        if not (_chord_bound(u, keys, keys[0] - 1) and _chord_bound(u, keys, keys[-1] + 1)):
            continue
        order = keys[np.argsort(u[keys])]  # thumb side first
        top = 3 if u[order[3]] - u[order[2]] == 5 else 4
        book = dict(zip(u[order].tolist(), (1, 2, top, 5), strict=True))
        played = _chord_extent(u, keys)
        finger = np.array([book[v] for v in u[played].tolist()])
        off[played] += np.arange(1, 6) != finger[:, None]
        chord[played] = True
    return off, chord


def _chord_bound(u: np.ndarray, keys: np.ndarray, beyond: int) -> bool:
    """Whether the line's key `beyond`, next to a broken chord's keys, leaves the chord's
    position whole: no key there, or the line turns back by a third or more; not a step
    on into a scale, nor a run going on the same way (an arpeggio)."""
    if beyond < 0 or beyond >= len(u):
        return True
    near = keys[0] if beyond < keys[0] else keys[-1]
    inward = keys[1] if beyond < keys[0] else keys[-2]
    turn = (u[beyond] - u[near]) * (u[inward] - u[near]) > 0  # back the way the chord came
    return bool(turn and abs(u[beyond] - u[near]) >= 3)


def _chord_extent(u: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """A broken chord's keys and, on each side, the run next to it where that run strikes
    only the chord's keys (C-E-G-C then back down G-E-C: the hand stays in the chord's
    position for the whole figure; a run that reaches other keys is its own)."""

    def stretch(edge: int, way: int) -> int:
        if not 0 <= edge + way < len(u):
            return edge
        index, run_way = edge, np.sign(u[edge + way] - u[edge])
        while 0 <= index + way < len(u) and np.sign(u[index + way] - u[index]) == run_way:
            if not np.isin(u[index + way], u[keys]):
                return edge
            index += way
        return index

    return np.arange(stretch(int(keys[0]), -1), stretch(int(keys[-1]), 1) + 1)


def _window_extremes(u: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(n,) the highest, and the lowest, of the values within k values either side."""
    windows = np.lib.stride_tricks.sliding_window_view
    highest = windows(np.pad(u, k, constant_values=-np.inf), 2 * k + 1).max(axis=1)
    lowest = windows(np.pad(u, k, constant_values=np.inf), 2 * k + 1).min(axis=1)
    return highest, lowest


def _held_pairs(
    pitch: np.ndarray,
    onset: np.ndarray,
    offset: np.ndarray,
    group: np.ndarray,
    sign: float,
    costs: FingeringCosts,
) -> _Pairs:
    """Pairs of a key held down (offset: when the hand lets go) and a note struck meanwhile
    (not in the key's legato overlap) after the next chord (the chord transitions see the
    next one): the two fingers span the interval as a chord's do and keep their order
    unless the thumb passes, and a finger cannot strike while it holds a key unless another
    takes the key over first (`substitution`, see substitution.py) when there is time."""
    first, second = [], []
    after_next = np.searchsorted(group, group + 2)  # notes sorted by group
    running = np.maximum.accumulate(onset) if len(onset) else onset
    until = np.searchsorted(running, offset - LEGATO_OVERLAP)
    for x in np.flatnonzero(until > after_next):
        later = np.arange(after_next[x], until[x])
        later = later[pitch[later] != pitch[x]]
        first += [x] * len(later)
        second += later.tolist()
    first, second = np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
    d = sign * (pitch[second] - pitch[first])
    swappable = onset[second] - onset[first] >= costs.substitution_time
    return _Pairs(first, second, _held_matrix(d, BLACK[pitch[first]], BLACK[pitch[second]],
                                              swappable, costs))  # fmt: skip


def _held_matrix(
    d: np.ndarray,
    black_held: np.ndarray,
    black_new: np.ndarray,
    swappable: np.ndarray,
    costs: FingeringCosts,
) -> np.ndarray:
    """(P, 5, 5) cost of (held finger, new finger) for P held/new pairs at intervals d."""
    fx = np.arange(1, 6)[None, :, None]
    fy = np.arange(1, 6)[None, None, :]
    d = d[:, None, None]
    low, high = np.minimum(fx, fy), np.maximum(fx, fy)
    oriented = np.where(fx < fy, d, -d)
    thumb_black = np.where(fx == 1, black_held[:, None, None], black_new[:, None, None])
    other_black = np.where(fx == 1, black_new[:, None, None], black_held[:, None, None])
    span = _pair_cost(low, np.where(fx == fy, low % 5 + 1, high), oriented,
                      ~thumb_black & other_black, costs, chord=True)  # fmt: skip
    crossed = np.where(low == 1, costs.crossing, costs.finger_busy)
    can_swap = swappable[:, None, None] & _substitute_exists(fx, d, black_held[:, None, None])
    busy = np.where(can_swap, costs.substitution, costs.finger_busy)
    return np.where(fx == fy, busy, np.where(oriented < 0, crossed, span))


def _substitute_exists(held: np.ndarray, d: np.ndarray, black: np.ndarray) -> np.ndarray:
    """Whether a finger could take over a key held by finger `held` so that it can strike a
    key d semitones away (hand coordinates): the neighbour on the far side from that key,
    not the thumb on a black key, able to span d to `held` (as substitution.py chooses)."""
    below = (held >= 2) & ~((held == 2) & black)
    below = below & (d <= _RANGES[5, np.maximum(held - 2, 0), np.minimum(held - 1, 4)])
    above = (held <= 4) & (-d <= _RANGES[5, np.minimum(held - 1, 4), np.minimum(held, 4)])
    return np.where(d > 0, below, above)


Step = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]


def _chord_steps(
    pitch: np.ndarray,
    onset: np.ndarray,
    offset: np.ndarray,
    group: np.ndarray,
    order: np.ndarray,
    given: np.ndarray | None,
    sign: float,
    placed: np.ndarray,
    repeating: np.ndarray,
    costs: FingeringCosts,
) -> list[Step]:
    """Per chord (notes in `order`, grouped by `onset_groups`): its notes, finger states
    (S, m), local cost (S,) and transition cost from the previous chord (P, S) or None
    (between single notes of position figures, `placed`, without rules 10-11's neighbours;
    between strikes of a key `repeating`, _fast_repeats, with a finger change)."""
    u = sign * pitch
    bounds = group_bounds(group[order])
    steps: list[Step] = []
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        notes = order[start:end]
        fingers = _states(len(notes))
        local = _chord_cost(fingers, u[notes], pitch[notes], costs)
        if given is not None:
            wanted = given[notes][None, :]
            local = local + costs.given * ((wanted > 0) & (fingers != wanted)).sum(axis=1)
        transition = None
        if steps:
            prev_notes, prev_fingers = steps[-1][:2]
            now = onset[notes].min()
            held = offset[prev_notes] > now + _HELD_MARGIN
            # 2: held long enough before this chord for another finger to take it over
            swappable = (now - onset[prev_notes] >= costs.substitution_time) & (
                offset[prev_notes] > now + LEGATO_OVERLAP
            )
            held = held * (1 + swappable)
            dt = now - onset[prev_notes].min()
            within = bool(placed[prev_notes].all() and placed[notes].all())
            fast = bool(repeating[prev_notes].all() and repeating[notes].all())
            transition = _transition_cost(
                prev_fingers, fingers, pitch[prev_notes], pitch[notes], sign, held, dt, within,
                fast, costs,
            )  # fmt: skip
        steps.append((notes, fingers, local, transition))
    return steps


def _best_path(steps: list[Step], figure: np.ndarray, n: int) -> tuple[np.ndarray, float]:
    """(n,) fingers of the cheapest path through the chords, with per-note, per-finger
    extra costs `figure` (n, 5), and its cost."""
    cost, back = np.zeros(1), []
    for notes, fingers, local, transition in steps:
        local = local + figure[notes[None, :], fingers - 1].sum(axis=1)
        total = local[None, :] if transition is None else cost[:, None] + transition + local
        best = np.argmin(total, axis=0)
        cost = total[best, np.arange(len(fingers))]
        back.append(best)
    finger = np.zeros(n, dtype=np.int64)
    state = int(np.argmin(cost))
    for (notes, fingers, _, _), best in zip(reversed(steps), reversed(back), strict=True):
        finger[notes] = fingers[state]
        state = int(best[state])
    return finger, float(cost.min())


def _figure_costs(
    u: np.ndarray,
    pitch: np.ndarray,
    hand_pitch: np.ndarray,
    onset: np.ndarray,
    group: np.ndarray,
    in_position: np.ndarray,
    repeating: np.ndarray,
    costs: FingeringCosts,
) -> np.ndarray:
    """(n, 5) cost per note (sorted by group, then u) and finger from the line it belongs
    to: its edge finger at a line's start, turn or end (none on a key `repeating`, struck
    again fast), the chromatic fingering in runs, a hand position's fingers (hand_pitch:
    semitones rising towards the little finger; in_position: the notes played from one,
    _position_notes)."""
    figure = np.zeros((len(u), 5))
    for line in _single_lines(group, onset, costs):
        # The line's shape is that of its keys: a key struck again at once is no turn (the
        # same finger strikes it again), so its strikes share the first one's place.
        keys, key = _line_keys(line, pitch)
        shape = u[keys].astype(float)
        step = np.sign(np.diff(shape))
        before = np.concatenate([[0], step])  # direction arriving at each key
        after = np.concatenate([step, [0]])  # direction leaving it
        low = ((before <= 0) & (after > 0)) | ((before < 0) & (after >= 0))
        high = ((before >= 0) & (after < 0)) | ((before > 0) & (after <= 0))
        black = BLACK[pitch[keys]]
        placed = in_position[keys]
        # Within a position only its extremes take edge fingers, and only where the figure
        # reaches a whole position (a fifth) away from them within a few keys: a narrower
        # one leaves the hand room on both sides (Ode to Joy's E takes 3 in C position).
        highest, lowest = _window_extremes(shape, costs.position_window)
        reach_up, reach_down = _window_extremes(shape, costs.fill_window)
        top = (shape >= highest) & (shape - reach_down >= costs.position_fill)
        bottom = (shape <= lowest) & (reach_up - shape >= costs.position_fill)
        low &= ~placed | bottom
        high &= ~placed | top
        high[0] &= _scale_fall(shape) not in _CROSSING_RUN_KEYS
        high[-1] &= _scale_fall(shape[::-1]) not in _CROSSING_RUN_KEYS
        white = ~black  # on a black key the edge finger is no better
        # A key struck again fast changes fingers towards the thumb whatever the line's
        # shape: it takes no edge finger.
        white &= ~np.bincount(key, repeating[line], len(keys)).astype(bool)
        figure[line[(low & white)[key]], 1:] += costs.line_edge
        figure[line[(high & white)[key]], :4] += costs.line_edge
        # A broken octave chord holds the chord's shape: its thumb is placed as in a
        # position (Eb-G-Bb-Eb takes 1-2-3-5 as the block chord does).
        off_book, octave = _broken_octave_chords(hand_pitch[keys])
        relief = costs.thumb_on_black - costs.position_thumb_on_black
        figure[line[((placed | octave) & black)[key]], 0] -= relief
        figure[line[placed[key]], 3:] -= costs.weak_finger - costs.position_weak_finger
        figure[line] += costs.triad * (_broken_triads(hand_pitch[keys], placed) + off_book)[key]
        semitone = np.abs(np.diff(pitch[keys])) == 1
        chromatic = _in_long_runs(semitone & (np.diff(step, prepend=step[:1]) == 0), 3)
        chromatic = np.concatenate([chromatic, [False]]) | np.concatenate([[False], chromatic])
        notes = line[chromatic[key]]
        figure[notes, 3:] += costs.chromatic
        figure[notes, 1] += costs.chromatic * BLACK[pitch[notes]]
    return figure


def _leap_start_costs(
    u: np.ndarray, onset: np.ndarray, group: np.ndarray, costs: FingeringCosts
) -> np.ndarray:
    """(n, 5) per note (sorted by group, then u) and finger: the weak-finger cost taken off
    the little finger on a single note that starts a phrase (no note of this hand struck
    within phrase_gap before it) and leaps beyond leap_interval towards the thumb to the next
    notes (within phrase_gap): the bass of a waltz's or a stride's first bar. Later such
    basses are led by the little finger through the leap into them (`leap_travel`); the
    first, with no leap into it, took the middle finger by the weak-finger rule (Parncutt
    et al. 1997, rule 6, which weighs fingers 4 and 5 in passage work), 9 of 9 on the
    fresh tuning seeds 1-6."""
    figure = np.zeros((len(u), 5))
    if not len(u):
        return figure
    bounds = group_bounds(group)
    starts, single = bounds[:-1], np.diff(bounds) == 1
    times = onset[starts]
    gaps = np.diff(times, prepend=-np.inf)  # since the previous group's onset
    highest = np.maximum.reduceat(u, starts)  # each group's note nearest the little finger
    starting = (
        single[:-1]
        & (gaps[:-1] > costs.phrase_gap)  # a phrase starts on it
        & (gaps[1:] <= costs.phrase_gap)  # the next notes follow soon
        & (u[starts[:-1]] - highest[1:] > costs.leap_interval)  # a leap to the thumb side
    )
    figure[starts[:-1][starting], 4] -= costs.weak_finger
    return figure


def _territory_costs(
    pitch: np.ndarray, neighbour: np.ndarray, direction: int, costs: FingeringCosts
) -> np.ndarray:
    """(n, 5) per note and finger: semitones by which the thumb, about finger_step
    semitones per finger from the struck key towards the thumb side (`direction` +1 for the
    right hand, whose thumb is below), comes within a semitone of the other hand's nearest
    key on that side, times `territory`."""
    thumb = pitch[:, None] - direction * costs.finger_step * np.arange(5)
    inside = np.maximum(direction * (neighbour[:, None] - thumb) + 1.0, 0.0)
    return costs.territory * np.where(np.isnan(inside), 0.0, inside)


def _repeat_reference(
    pitch: np.ndarray, onset: np.ndarray, group: np.ndarray, costs: FingeringCosts
) -> np.ndarray:
    """(n,) for each note of a line (sorted by group), the latest earlier note of its line
    within `repeat_window` keys on the same pitch class, -1 if none. A key struck again at
    once has none: its chord transition already keeps its finger, and a pair would hold
    the strikes to each other's fingers against the rest of the figure."""
    reference = np.full(len(pitch), -1)
    for line in _single_lines(group, onset, costs):
        new_keys = _new_keys(pitch[line])
        last: dict[int, tuple[int, int]] = {}  # pitch class: (its key's place, latest note)
        for place, note, new in zip(np.cumsum(new_keys), line, new_keys, strict=True):
            seen = last.get(int(pitch[note]) % 12)
            if new and seen is not None and place - seen[0] <= costs.repeat_window:
                reference[note] = seen[1]
            last[int(pitch[note]) % 12] = (place, note)
    return reference


def _scale_fall(shape: np.ndarray) -> int:
    """Keys in the scale run (each step down by at most _SCALE_STEP semitones) that falls
    from the first of the keys `shape` (semitones), 1 if the line does not open so."""
    step = np.diff(shape)
    scale_step = (step < 0) & (step >= -_SCALE_STEP)
    return int(np.argmin(np.append(scale_step, False))) + 1


def _lines(single: np.ndarray, onset: np.ndarray, gap: float) -> list[np.ndarray]:
    """Consecutive single notes (indices) split where chords intervene or time gaps open."""
    breaks = (np.diff(single) != 1) | (np.diff(onset[single]) > gap)
    return [line for line in np.split(single, np.flatnonzero(breaks) + 1) if len(line) > 1]


def _in_long_runs(flags: np.ndarray, length: int) -> np.ndarray:
    """flags, True only within runs of at least `length` consecutive True values."""
    out = np.zeros(len(flags), dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(int), [0]])))
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        out[start:end] = end - start >= length
    return out


def _pair_cost(
    low: np.ndarray,
    high: np.ndarray,
    d: np.ndarray,
    thumb_white_finger_black: np.ndarray,
    costs: FingeringCosts,
    chord: bool = False,
) -> np.ndarray:
    """Rules 1-3 for fingers low < high (1..5) at an interval d (semitones, high minus low),
    struck one after the other or, with `chord`, together."""
    min_prac, min_comf, min_rel, max_rel, max_comf, max_prac = _RANGES[:, low - 1, high - 1]
    min_rel = min_rel - costs.black_relief * (thumb_white_finger_black & (low == 1))
    relu = np.maximum
    if chord:
        stretch, span = costs.chord_stretch, costs.chord_span
        max_prac = np.minimum(max_prac, _GRIP[low - 1, high - 1])
    else:
        stretch, span = costs.stretch, np.where(low == 1, costs.thumb_span, costs.finger_span)
    return (
        stretch * (relu(d - max_comf, 0) + relu(min_comf - d, 0))
        + span * (relu(d - max_rel, 0) + relu(min_rel - d, 0))
        + costs.practical * (relu(d - max_prac, 0) + relu(min_prac - d, 0))
    )


def _chord_cost(
    fingers: np.ndarray, u: np.ndarray, pitch: np.ndarray, costs: FingeringCosts
) -> np.ndarray:
    """(S,) cost of each finger set on one chord: key colours, weak fingers, inner stretch."""
    black = BLACK[pitch][None, :]
    if fingers.shape[1] == 1:
        cost = costs.thumb_on_black * ((fingers == 1) & black) + costs.weak_finger * (fingers >= 4)
        return cost.sum(axis=1).astype(np.float64)
    cost = (
        costs.chord_thumb_on_black * ((fingers == 1) & black)
        + costs.chord_five_on_black * ((fingers == 5) & black)
        + costs.chord_weak_finger * (fingers >= 4)
    ).sum(axis=1)
    if fingers.shape[1] == 3:
        cost = cost + costs.triad * _off_book_triad(fingers, pitch)
    a, b = np.triu_indices(fingers.shape[1], 1)
    d = u[b] - u[a]
    bunched = np.maximum(costs.chord_spacing * (fingers[:, b] - fingers[:, a]) - d, 0.0)
    relief = ~black[:, a] & black[:, b]
    pair = _pair_cost(fingers[:, a], fingers[:, b], d, relief, costs, chord=True)
    return (cost + (pair + costs.bunched * bunched).sum(axis=1)).astype(np.float64)


def _off_book_triad(fingers: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """(S,) whether each finger set (S, 3) differs from the textbook fingers of a close
    triad on `pitch` (3,) (in hand order, thumb side first; semitones, whatever the hand's
    size); all False for other three-note chords."""
    close, book = _close_triads(np.abs(np.diff(pitch))[None])
    if not close[0]:
        return np.zeros(len(fingers), dtype=bool)
    return np.any(fingers != book[0], axis=1)


def _close_triads(steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For three-note sets given by their two intervals (T, 2) (semitones, thumb side
    first): whether each is a close triad (thirds, or a third and a fourth, within a sixth)
    and its textbook fingers (T, 3): 1-3-5, or 1-2-5 where the upper interval is the fourth
    (Palmer, Manus & Lethco 1994)."""
    close = np.all((steps >= 3) & (steps <= 5), axis=1) & (steps.sum(axis=1) <= 9)
    book = np.where(steps[:, 1:] == 5, [[1, 2, 5]], [[1, 3, 5]])
    return close, book


def _transition_cost(
    fa: np.ndarray,
    fb: np.ndarray,
    pa: np.ndarray,
    pb: np.ndarray,
    sign: float,
    held: np.ndarray,
    dt: float,
    within: bool,
    fast: bool,
    costs: FingeringCosts,
) -> np.ndarray:
    """(Sa, Sb) cost of moving from chord a with fingers fa (Sa, ma) on pitches pa to chord b
    with fingers fb (Sb, mb) on pb (the chords' `_states`).

    sign turns pitch into hand coordinates; held (ma,) marks a-notes still down at b's onset
    (1; 2 where another finger could take the key over first); dt is the time between the
    chords' onsets; `within`: both chords are single notes of position figures; `fast`:
    both are strikes of a fast-repeated key's run (_fast_repeats).
    """
    pairs = _transition_pairs(
        tuple(pa.tolist()),
        tuple(pb.tolist()),
        sign,
        tuple(held.tolist()),
        costs,
        dt < costs.leap_time,
        within,
        fast,
        dt < costs.repeat_time,
    )
    weight = np.where(held > 0, 1.0, 1.0 / (1.0 + dt / costs.reposition_time))
    return (pairs * weight[:, None]).mean(axis=(2, 3))


@lru_cache(maxsize=1 << 16)  # music repeats its figures: most transitions recur
def _transition_pairs(
    pa: tuple[int, ...],
    pb: tuple[int, ...],
    sign: float,
    held: tuple[int, ...],
    costs: FingeringCosts,
    quick: bool,
    within: bool,
    fast: bool,
    tapping: bool,
) -> np.ndarray:
    """(Sa, Sb, ma, mb) unweighted cost of each finger pair between the two chords; a leap's
    cost is capped (the hand moves, any fingers will do) unless the chords are `quick` and
    some finger pair spans it. `tapping`: the chords follow each other faster than one
    finger taps (repeat_time), so the same finger on a new key pays fast_repeat more, as on
    the same key. `fast`: both chords are strikes of a fast-repeated key's run,
    struck again by the next finger towards the thumb."""
    fa, fb = _states(len(pa)), _states(len(pb))
    pa, pb, held = np.array(pa), np.array(pb), np.array(held)
    f1 = fa[:, None, :, None]
    f2 = fb[None, :, None, :]
    d = sign * (pb[None, :] - pa[:, None])  # (ma, mb)
    black1, black2 = BLACK[pa][:, None], BLACK[pb][None, :]
    low, high = np.minimum(f1, f2), np.maximum(f1, f2)
    oriented = np.where(f1 < f2, d, -d)
    same = f1 == f2
    thumb_black = np.where(f1 == 1, black1, black2)
    other_black = np.where(f1 == 1, black2, black1)
    relief = ~thumb_black & other_black
    pair = _pair_cost(low, np.where(same, low % 5 + 1, high), oriented, relief, costs)
    crossing = (oriented < 0) & (low == 1) & (high < 5)  # never under the little finger
    min_comf = _RANGES[1, 0, np.where(same, 1, high - 1)]
    level = np.where(
        thumb_black & ~other_black,
        costs.pass_onto_black,
        np.where(thumb_black == other_black, costs.pass_same_level, 0.0),
    )
    passing = costs.crossing + level + costs.crossing_far * np.maximum(min_comf - oriented, 0)
    pair = np.where(crossing, passing, pair)
    jump = np.abs(d) > (_WIDEST_REACH if quick else costs.leap_interval)
    pair = np.where(jump, np.minimum(pair, costs.leap), pair)
    pair = pair + costs.three_four * ((f1 == 3) & (f2 == 4))
    # Rules 10 and 11's neighbours: the hand in and out between black and white keys within
    # one position; a leap places the hand afresh (a stride's black-key bass took 3), and
    # a figure played from one position (`within`) is placed already.
    near = ~jump * (costs.position_neighbours if within else 1.0)
    pair = pair + costs.thumb_black_neighbour * near * (
        ((f1 == 1) & black1 & ~black2) | ((f2 == 1) & black2 & ~black1)
    )
    pair = pair + costs.five_black_neighbour * near * (
        ((f1 == 5) & black1 & ~black2) | ((f2 == 5) & black2 & ~black1)
    )
    held = held[:, None]
    moved = np.where(
        # another finger takes the key over: this one is free, the legato kept
        (held == 2) & _substitute_exists(f1, d, black1),
        costs.substitution,
        costs.same_finger_new_key
        + costs.same_finger_per_semitone * np.abs(d)
        + costs.fast_repeat * tapping
        + costs.finger_busy * (held == 1),
    )
    # A leap breaks the legato whichever finger lands, unless a key is still held.
    moved = np.where(jump & (held == 0), costs.leap, moved)
    cost = np.where(same, np.where(d == 0, 0.0, moved), pair)
    if fast:
        cost = np.where(d == 0, _fast_repeat_cost(f1, f2, costs), cost)
    return cost + costs.leap_travel * np.where(jump, _hand_travel(low, high, same, oriented), 0.0)


def _fast_repeat_cost(f1: np.ndarray, f2: np.ndarray, costs: FingeringCosts) -> np.ndarray:
    """Fingers f1 then f2 on one key struck again within repeat_time: no finger taps that
    fast by itself (pianists' single-finger tapping tops out at about 6-7 taps per second:
    T. Aoki, S. Furuya & H. Kinoshita, "Finger-tapping ability in male and female pianists
    and nonmusician controls", Motor Control 9(1), 2005), so fast repeated notes change
    fingers, each the next one towards the thumb, in groups that start again after it (the
    repeated-note exercises of C. L. Hanon's "The Virtuoso Pianist", part III, 3-2-1 and
    4-3-2-1). Groups start from the middle finger at most: the reference hand's places for
    4-3-2-1 on one key lie three white keys apart, and the wrist swayed 5 cm each group."""
    towards_thumb = (f2 == f1 - 1) & (f1 <= 3)
    return np.where(f1 == f2, costs.fast_repeat, np.where(towards_thumb, 0.0, costs.repeat_restart))


def _hand_travel(
    low: np.ndarray, high: np.ndarray, same: np.ndarray, oriented: np.ndarray
) -> np.ndarray:
    """Semitones between a new key and where the finger pair (low, high), `oriented`
    semitones apart, would put it at its relaxed spacing (the old key, for the same finger)."""
    relaxed = 0.5 * (_RANGES[2, low - 1, high - 1] + _RANGES[3, low - 1, high - 1])
    return np.abs(oriented - np.where(same, 0.0, relaxed))
