"""Fingering: Viterbi over one hand's chords, with Parncutt-style ergonomic costs.

The hand's notes are grouped into chords; a chord of m notes sorted low to high (in hand
coordinates: pitch for the right hand, -pitch for the left, so finger numbers rise with
the coordinate for both hands) may take any rising set of m fingers, at most 10 states.

Costs (Parncutt et al. 1997, simplified), per pair of fingers at an interval of d semitones:
stretch beyond the pair's comfortable range (2 per semitone), spans below/above its relaxed
range (1 per semitone), beyond its practical range (10 per semitone); thumb crossings; a
thumb (or, less so, a little finger) on a black key; weak fingers; the same finger on two
different keys in a row (no legato) and a finger still holding a key needed elsewhere.
Pairs within a chord are costed as they stand; pairs between consecutive chords are
weighted down when there is time to reposition the hand.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations

import numpy as np

from .groups import group_bounds

# Finger-pair ranges in semitones (right hand, lower finger to higher finger), rows/cols are
# fingers 1..5: MinPrac, MinComf, MinRel, MaxRel, MaxComf, MaxPrac.
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

_W_STRETCH, _W_RELAXED, _W_PRACTICAL = 2.0, 1.0, 10.0
# Our rig's fingertips cannot bunch up like a human hand's: fingers struck together stay at
# least this many semitones apart per finger between them, or pay per semitone short.
_CHORD_SPACING, _W_BUNCHED = 1.5, 3.0
_THUMB_CROSSING = 1.0  # thumb passes under / finger over the thumb
_CROSS_ONTO_BLACK = 2.0  # ... with the finger on a black key and the thumb on a white one
_THUMB_ON_BLACK = 2.0
_PINKY_ON_BLACK = 1.0
_WEAK_FINGER = 0.3  # fingers 4 and 5
_SAME_FINGER_NEW_KEY = 4.0  # plus 0.5 per semitone
_FINGER_BUSY = 20.0  # the finger still holds another key
_REPOSITION_TIME = 1.0  # s: a transition's weight is 1 / (1 + dt / this)
_HELD_MARGIN = 1e-3  # s: a note released this close to the next onset counts as released
_BLACK = np.isin(np.arange(128) % 12, (1, 3, 6, 8, 10))


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
    reach: float = 1.0,
) -> np.ndarray:
    """(n,) piano finger 1..5 for one hand's notes (sorted by group; at most 5 per group).

    `reach` is the hand's size relative to the adult hand the ranges are written for: a
    smaller hand feels every interval as 1 / reach times wider."""
    sign = 1 / reach if side == "right" else -1 / reach
    u = sign * pitch
    order = np.lexsort((u, group))
    bounds = group_bounds(group[order])
    cost, back, chords = np.zeros(1), [], []
    previous = None
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        notes = order[start:end]
        fingers = _states(len(notes))
        local = _chord_cost(fingers, u[notes], pitch[notes])
        if previous is None:
            total = local[None, :]
        else:
            prev_notes, prev_fingers = previous
            now = onset[notes].min()
            held = offset[prev_notes] > now + _HELD_MARGIN
            dt = now - onset[prev_notes].min()
            transition = _transition_cost(
                prev_fingers, fingers, pitch[prev_notes], pitch[notes], sign, held, dt
            )
            total = cost[:, None] + transition + local[None, :]
        best = np.argmin(total, axis=0)
        cost = total[best, np.arange(len(fingers))]
        back.append(best)
        chords.append((notes, fingers))
        previous = (notes, fingers)
    finger = np.zeros(len(pitch), dtype=np.int64)
    state = int(np.argmin(cost))
    for (notes, fingers), best in zip(reversed(chords), reversed(back), strict=True):
        finger[notes] = fingers[state]
        state = int(best[state])
    return finger


def _pair_cost(low: np.ndarray, high: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Cost of fingers low < high (1..5) at an interval d (semitones, high minus low)."""
    min_prac, min_comf, min_rel, max_rel, max_comf, max_prac = _RANGES[:, low - 1, high - 1]
    relu = np.maximum
    return (
        _W_STRETCH * (relu(d - max_comf, 0) + relu(min_comf - d, 0))
        + _W_RELAXED * (relu(d - max_rel, 0) + relu(min_rel - d, 0))
        + _W_PRACTICAL * (relu(d - max_prac, 0) + relu(min_prac - d, 0))
    )


def _chord_cost(fingers: np.ndarray, u: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """(S,) cost of each finger set on one chord: key colours, weak fingers, inner stretch."""
    black = _BLACK[pitch][None, :]
    cost = (
        _THUMB_ON_BLACK * ((fingers == 1) & black)
        + _PINKY_ON_BLACK * ((fingers == 5) & black)
        + _WEAK_FINGER * (fingers >= 4)
    ).sum(axis=1)
    if fingers.shape[1] > 1:
        a, b = np.triu_indices(fingers.shape[1], 1)
        d = u[b] - u[a]
        bunched = np.maximum(_CHORD_SPACING * (fingers[:, b] - fingers[:, a]) - d, 0.0)
        pair = _pair_cost(fingers[:, a], fingers[:, b], d) + _W_BUNCHED * bunched
        cost = cost + pair.sum(axis=1)
    return cost.astype(np.float64)


def _transition_cost(
    fa: np.ndarray,
    fb: np.ndarray,
    pa: np.ndarray,
    pb: np.ndarray,
    sign: float,
    held: np.ndarray,
    dt: float,
) -> np.ndarray:
    """(Sa, Sb) cost of moving from chord a with fingers fa (Sa, ma) on pitches pa to chord b.

    sign turns pitch into hand coordinates; held (ma,) marks a-notes still down at b's onset;
    dt is the time between the chords' onsets.
    """
    f1 = fa[:, None, :, None]
    f2 = fb[None, :, None, :]
    d = sign * (pb[None, :] - pa[:, None])  # (ma, mb)
    low, high = np.minimum(f1, f2), np.maximum(f1, f2)
    oriented = np.where(f1 < f2, d, -d)
    same = f1 == f2
    pair = _pair_cost(low, np.where(same, low % 5 + 1, high), oriented)  # any pair when same
    black_a, black_b = _BLACK[pa][:, None], _BLACK[pb][None, :]
    thumb_white = np.where(f1 == 1, ~black_a, ~black_b)
    other_black = np.where(f1 == 1, black_b, black_a)
    crossing = (oriented < 0) & (low == 1)
    pair = pair + crossing * (_THUMB_CROSSING + _CROSS_ONTO_BLACK * (thumb_white & other_black))
    held = held[:, None]
    same_cost = np.where(d == 0, 0.0, _SAME_FINGER_NEW_KEY + 0.5 * np.abs(d) + _FINGER_BUSY * held)
    cost = np.where(same, same_cost, pair)
    weight = np.where(held, 1.0, 1.0 / (1.0 + dt / _REPOSITION_TIME))
    return (cost * weight).mean(axis=(2, 3))
