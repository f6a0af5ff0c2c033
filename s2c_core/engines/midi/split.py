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
from numba import njit

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
    order = np.lexsort((pitch, group))  # by group, then pitch
    x = keyboard.x_center(pitch[order]) / unit
    bounds = group_bounds(group[order])
    prefs = keyboard.x_center([config.left_centre_pitch, config.right_centre_pitch]) / unit
    limits = (config.comfortable_span / unit, config.max_span / unit)
    sweep_start = sweep_starts(x, onset[order], bounds, _LINE_STEP, _LINE_TIME)
    pedal = np.zeros((0, 2)) if pedal is None else pedal
    # Under the pedal a hand playing on in a sweep lets go of the keys it struck since then.
    let_go = np.where(_pedal_down(pedal, onset[order][bounds[:-1]]), sweep_start, np.inf)
    named = np.full(len(pitch), -1) if named_hand is None else named_hand
    hand = np.empty(len(pitch), dtype=np.int64)
    hand[order] = _viterbi(
        x, onset[order], offset[order], named[order].astype(np.int64), bounds, sweep_start,
        let_go, prefs, limits, config.chord_window,
    )  # fmt: skip
    return hand


def _pedal_down(pedal: np.ndarray, times: np.ndarray) -> np.ndarray:
    """(T,) whether the sustain pedal (pedal (P, 2) down, up times) is down at each time."""
    return ((pedal[:, 0] <= times[:, None]) & (times[:, None] < pedal[:, 1])).any(axis=1)


# The search is compiled (numba, cached on disk after the first run): each onset group's
# step is a few scalar formulas per (path, state) pair, and as numpy calls on arrays of a
# few dozen rows their overhead made the split 40 % of the engine's time. A path's cost adds
# its terms in the order the numpy version did: rounding decides ties between paths, and the
# compiled search changed no note of any set. The kernels stay beside the weights they fold
# in as constants: numba's cache is refreshed when this file changes, not when another does.
# A path carries per hand (rows, 2, _COLUMNS): window lo, hi (first its resting place);
# lowest, highest and release time of held notes; when the hand last struck keys; the
# lowest, highest and release time of those keys (NaN until then); when it struck the held
# notes. A state's `played` (2, 3) is each hand's lowest, highest key and release of its
# new notes, NaN where the hand is idle.
_compiled = njit(cache=True, nogil=True)
_WINDOW_LO, _WINDOW_HI, _HELD_LO, _HELD_HI, _HELD_RELEASE, _STRUCK = range(6)
_LAST_LO, _LAST_HI, _LAST_RELEASE, _HELD_SINCE, _COLUMNS = range(6, 11)


@_compiled
def _viterbi(x, onset, offset, named, bounds, sweep_start, let_go, prefs, limits, chord_window):
    """(N,) hand per note, the notes sorted by group, then pitch (x: key centres in white-key
    widths; named: 0/1, -1 unknown); per group the onset its sweep began and when, under
    the pedal, a hand lets go (inf where none); limits: comfortable and hard span. The
    _BEAM rows per state (row = state * _BEAM + rank) hold the best paths into it by cost."""
    cost = np.full(_BEAM, np.inf)
    cost[0] = 0.0
    carried = _resting(prefs)
    back = []
    for group in range(len(bounds) - 1):
        notes, right = _group_states(bounds[group], bounds[group + 1], offset, chord_window)
        played, local, register = _state_costs(
            x[notes], offset[notes], named[notes], right, prefs, limits
        )
        in_sweep = np.isfinite(sweep_start[group])
        total, new_carried = _transitions(
            cost, carried, played, local, register, x[notes], right, onset[bounds[group]],
            let_go[group], in_sweep, group == 0, prefs, limits[0],
        )  # fmt: skip
        best, found = _distinct_best(total, new_carried)
        cost, carried = _beam(total, new_carried, best, found)
        back.append(best.ravel())
    return _backtrack(bounds, offset, chord_window, back, np.argmin(cost))


@_compiled
def _resting(prefs):
    """(_BEAM, 2, _COLUMNS) the hands' state before the first group: windows at the resting
    places, nothing held or struck."""
    carried = np.full((_BEAM, 2, _COLUMNS), -np.inf)
    for hand in range(2):
        carried[:, hand, _WINDOW_LO] = prefs[hand]
        carried[:, hand, _WINDOW_HI] = prefs[hand]
        carried[:, hand, _LAST_LO : _LAST_RELEASE + 1] = np.nan
    return carried


@_compiled
def _group_states(start, end, offset, chord_window):
    """The notes (indices) of the group start:end that the hands play and its states (S, n)
    (_partitions): a block chord (released together too) is never played crossed."""
    notes = _playable(start, end)
    release = offset[notes]
    block_chord = release.max() - release.min() <= chord_window
    return notes, _partitions(len(notes), not block_chord)


@_compiled
def _playable(start, end):
    """Two hands play at most 10 notes at once: keep the 5 lowest and the 5 highest."""
    if end - start <= 2 * MAX_FINGERS:
        return np.arange(start, end)
    return np.concatenate(
        (np.arange(start, start + MAX_FINGERS), np.arange(end - MAX_FINGERS, end))
    )


@_compiled
def _partitions(n, crossed):
    """(S, n) bool, True where the right hand plays note i (notes by pitch): the left hand
    takes the lowest k notes (at most 5 per hand), or, if `crossed`, crossed over the
    right, the highest k of a group of at most _MAX_CROSSED notes."""
    first, last = max(0, n - MAX_FINGERS), min(n, MAX_FINGERS)
    side_by_side = last - first + 1
    crossings = n - 1 if crossed and n <= _MAX_CROSSED else 0
    right = np.empty((side_by_side + crossings, n), dtype=np.bool_)
    for i in range(n):
        for k in range(first, last + 1):
            right[k - first, i] = i >= k
        for k in range(1, crossings + 1):
            right[side_by_side + k - 1, i] = i < n - k
    return right


@_compiled
def _state_costs(xs, offsets, named, right, prefs, limits):
    """Per state (`right` as from _partitions): each hand's (lo, hi, release) of its new
    notes (S, 2, 3), NaN where the hand is idle, the local cost (S,) and how far each hand
    plays from its resting place (S, 2, squared octaves)."""
    states = len(right)
    played = np.full((states, 2, 3), np.nan)
    local = np.zeros(states)
    register = np.zeros((states, 2))
    comfortable, hard = limits
    for state in range(states):
        for hand in range(2):
            lo, hi, release = np.inf, -np.inf, -np.inf
            for i in range(len(xs)):
                if right[state, i] == (hand == 1):
                    lo, hi, release = min(lo, xs[i]), max(hi, xs[i]), max(release, offsets[i])
            idle = lo == np.inf
            span = 0.0 if idle else hi - lo
            excess = max(span - comfortable, 0.0)
            cost = _W_SPAN * (excess * excess) + _W_ROLLED * (span > hard)
            cost += _W_WIDE * max(span - _WIDE_SPAN, 0.0)
            local[state] += cost
            if not idle:
                played[state, hand] = (lo, hi, release)
                distance = (0.5 * (lo + hi) - prefs[hand]) / 7.0
                register[state, hand] = distance * distance
        local[state] += _W_HONOUR * _against_tracks(named, right[state])
    return played, local, register


@_compiled
def _against_tracks(named, right):
    """How many notes go to the other hand than their track names (named -1: unknown)."""
    wrong = 0
    for i in range(len(named)):
        wrong += named[i] >= 0 and named[i] != right[i]
    return wrong


@_compiled
def _transitions(
    cost, carried, played, local, register, xs, right, now, let_go, in_sweep, opening, prefs,
    comfortable,
):  # fmt: skip
    """(P, S) cost of each path (previous row) into each state and the hands' state
    (P, S, 2, _COLUMNS) it carries on; `opening`: the piece's first group."""
    rows, states = len(cost), len(played)
    total = np.empty((rows, states))
    new_carried = np.empty((rows, states, 2, _COLUMNS))
    for row in range(rows):
        before = carried[row]
        breaks = _line_breaks(before, xs, right, now, in_sweep)
        for state in range(states):
            after = new_carried[row, state]
            moved, holding, overspan = _carry(
                before, played[state], now, comfortable, let_go, after
            )
            step = cost[row] + local[state] + _W_MOVE * moved
            step += _W_HOLDING * holding + _W_HELD * overspan
            step += _crossing(after, now)
            if opening:  # after the first group, every path has a hand that has played
                step += _W_CROSSED_START * _crossed_at_start(played[state], prefs)
            if len(xs) == 1:
                step += _W_PAST_HELD * _past_held_keys(before, played[state], now)
            step += _W_CENTRE * _register(register[state], before, after, now, in_sweep)
            step += _W_LINE * breaks[state]
            total[row, state] = step
    return total, new_carried


@_compiled
def _carry(before, played, now, comfortable, let_go, after):
    """Hands' state `after` (2, _COLUMNS, filled) a state's new notes (played (2, 3)) from
    `before`, and over the hands that play: squared distance outside the window times the
    urgency to move, how many strike while holding notes and how far held + new notes
    overspan. A hand that plays lets go of held notes it struck at `let_go` or later (the
    pedal holds them)."""
    moved, holding, overspan = 0.0, 0, 0.0
    for hand in range(2):
        was, lo, hi, release = before[hand], played[hand, 0], played[hand, 1], played[hand, 2]
        if np.isnan(lo):  # idle: keeps its state
            after[hand] = was
            continue
        outside = max(max(lo - was[_WINDOW_HI], was[_WINDOW_LO] - hi), 0.0)
        # A hand that has rested has had time to move: urgency since its last strike.
        moved += _MOVE_TIME / (now - was[_STRUCK] + _MOVE_TIME) * (outside * outside)
        held = _still_held(was[_HELD_RELEASE], now) and was[_HELD_SINCE] < let_go
        # The window grows to take the new notes, then is cut back to an octave around them.
        after[hand, _WINDOW_LO] = max(min(was[_WINDOW_LO], lo), min(lo, hi - comfortable))
        after[hand, _WINDOW_HI] = min(max(was[_WINDOW_HI], hi), max(hi, lo + comfortable))
        # New notes replace the held summary unless the hand still holds notes it releases
        # later.
        if held and was[_HELD_RELEASE] > release:
            after[hand, _HELD_LO : _HELD_RELEASE + 1] = was[_HELD_LO : _HELD_RELEASE + 1]
        elif held:
            after[hand, _HELD_LO] = min(was[_HELD_LO], lo)
            after[hand, _HELD_HI] = max(was[_HELD_HI], hi)
            after[hand, _HELD_RELEASE] = release
        else:
            after[hand, _HELD_LO : _HELD_RELEASE + 1] = played[hand]
        after[hand, _STRUCK] = now
        after[hand, _LAST_LO : _LAST_RELEASE + 1] = played[hand]
        after[hand, _HELD_SINCE] = was[_HELD_SINCE] if held else now
        if held:
            holding += 1
            span = max(was[_HELD_HI], hi) - min(was[_HELD_LO], lo)
            overspan += max(span - comfortable, 0.0)
    return moved, holding, overspan


@_compiled
def _crossing(hands, now):
    """Cost of the hands' window centres (hands (2, _COLUMNS)) closer than _MIN_HAND_GAP, or
    _CROSSED_GAP when crossed (colliding, while both are active: a hand that has neither
    played for _IDLE_TIME nor holds a key has room to get out of the other's way), or
    crossed (while both strike or hold keys now)."""
    if not (_active(hands[0], now) and _active(hands[1], now)):
        return 0.0
    apart = _centre(hands[1]) - _centre(hands[0])
    gap = _CROSSED_GAP if apart < 0 else _MIN_HAND_GAP
    collision = max(1.0 - abs(apart) / gap, 0.0)
    engaged = _engaged(hands[0], now) and _engaged(hands[1], now)
    return _W_CROSS * collision + _W_OVER * (engaged and apart < 0)


@_compiled
def _centre(hand):
    return (hand[_WINDOW_LO] + hand[_WINDOW_HI]) / 2.0


@_compiled
def _active(hand, now):
    """Whether the hand struck a key within _IDLE_TIME or still holds one."""
    return now - hand[_STRUCK] <= _IDLE_TIME or _still_held(hand[_HELD_RELEASE], now)


@_compiled
def _engaged(hand, now):
    """Whether the hand strikes keys now or still holds some."""
    return hand[_STRUCK] == now or _still_held(hand[_HELD_RELEASE], now)


@_compiled
def _still_held(release, now):
    """Whether keys a hand lets go at `release` are still held at `now`, a legato overlap
    (_HOLD_OVERLAP) not counting."""
    return release > now + _HOLD_OVERLAP


@_compiled
def _crossed_at_start(played, prefs):
    """Whether, in the piece's first group, a hand strikes (played (2, 3)) more than
    _MIN_HAND_GAP past the other's resting place (prefs (2,))."""
    return played[0, 1] > prefs[1] + _MIN_HAND_GAP or played[1, 0] < prefs[0] - _MIN_HAND_GAP


@_compiled
def _past_held_keys(before, played, now):
    """Whether a hand strikes (played (2, 3)) beyond the keys the other hand still holds,
    the last keys it struck on its own side of them (before (2, _COLUMNS))."""
    left, right = before[0], before[1]
    right_under = played[1, 1] < left[_HELD_LO] and right[_LAST_LO] > left[_HELD_HI]
    left_over = played[0, 0] > right[_HELD_HI] and left[_LAST_HI] < right[_HELD_LO]
    return (_still_held(left[_HELD_RELEASE], now) and right_under) or (
        _still_held(right[_HELD_RELEASE], now) and left_over
    )


@_compiled
def _register(register, before, after, now, in_sweep):
    """The hands' squared octaves from their resting places (register (2,)), a hand playing
    on (struck within _LINE_TIME) while the other is idle paying only _FREE_REGISTER: it
    keeps its line wherever it leads. A sweep is shared, not run through by one hand."""
    total = 0.0
    for hand in range(2):
        free = not _active(after[1 - hand], now) and now - before[hand, _STRUCK] <= _LINE_TIME
        total += register[hand] * (_FREE_REGISTER if free and not in_sweep else 1.0)
    return total


@_compiled
def _line_breaks(before, xs, right, now, in_sweep):
    """(S,) per state (right (S, n)), notes that continue a hand's line (before (2,
    _COLUMNS)) but are given to the other hand (in a sweep, to the other hand while it is
    busy: a free hand takes its part of the sweep).

    A note continues the line of the hand whose last keys are nearest to it, if those were
    struck within _LINE_TIME (or within _LINE_SPAN and let go just before the new onset),
    lie within _LINE_STEP and are let go by the new onset (a key still held is another
    voice): each hand is a monophonic-leaning sequence whose consecutive notes stay close,
    as in the merged-output HMM of Nakamura, Ono & Sagayama (2014, "Merged-output HMM for
    piano fingering of both hands", ISMIR); notes close in pitch and time bind into one
    stream, distant or slow ones do not (Bregman 1990, "Auditory Scene Analysis", ch. 2).
    """
    breaks = np.zeros(len(right), dtype=np.int64)
    busy = (_active(before[0], now), _active(before[1], now))
    for i in range(len(xs)):
        left_step = _line_step(before[0], xs[i], now)
        right_step = _line_step(before[1], xs[i], now)
        if left_step == np.inf and right_step == np.inf:
            continue
        line_right = right_step < left_step
        for state in range(len(right)):
            mine = right[state, i]
            if mine != line_right and (not in_sweep or busy[int(mine)]):
                breaks[state] += 1
    return breaks


@_compiled
def _line_step(hand, x, now):
    """White keys from the hand's last keys to x if x continues its line, else inf."""
    since = now - hand[_STRUCK]
    release = hand[_LAST_RELEASE]
    recent = since <= _LINE_TIME or (release >= now - _LINE_GAP and since <= _LINE_SPAN)
    if not (recent and release <= now + _LINE_OVERLAP):
        return np.inf
    step = max(max(hand[_LAST_LO] - x, x - hand[_LAST_HI]), 0.0)
    return step if step <= _LINE_STEP else np.inf


@_compiled
def _distinct_best(total, carried):
    """(S, _BEAM) rows of the cheapest paths into each state (total (P, S) cost per
    previous row and state) among those whose carried states (P, S, 2, _COLUMNS) differ,
    the cheapest of equal ones kept (ties by row), and whether each slot holds one
    (S, _BEAM). When a hand struck its held notes is left out of the comparison: it only
    matters in a pedalled sweep, and comparing it would change which paths the beam keeps
    elsewhere."""
    rows, states = total.shape
    best = np.zeros((states, _BEAM), dtype=np.int64)
    found = np.zeros((states, _BEAM), dtype=np.bool_)
    for state in range(states):
        kept = 0
        for row in np.argsort(total[:, state].copy(), kind="mergesort"):  # ties by row
            if kept == _BEAM:
                break
            if not _recombined(carried[:, state], row, best[state, :kept]):
                best[state, kept], found[state, kept] = row, True
                kept += 1
    return best, found


@_compiled
def _recombined(carried, row, kept):
    """Whether path `row` carries the same hands' state as one of the `kept` rows."""
    for other in kept:  # noqa: SIM110  (numba compiles no generator expressions)
        if _same_state(carried[row], carried[other]):
            return True
    return False


@_compiled
def _same_state(a, b):
    """Whether two hands' states (2, _COLUMNS) have the same future: equal columns up to
    _LAST_RELEASE, NaN (nothing yet) equal to itself."""
    for hand in range(2):
        for column in range(_LAST_RELEASE + 1):
            if _nan_low(a[hand, column]) != _nan_low(b[hand, column]):
                return False
    return True


@_compiled
def _nan_low(value):
    return -np.inf if np.isnan(value) else value


@_compiled
def _beam(total, new_carried, best, found):
    """Cost (S * _BEAM,) and carried state (S * _BEAM, 2, _COLUMNS) of the kept paths; an
    empty slot costs inf."""
    states = total.shape[1]
    cost = np.full(states * _BEAM, np.inf)
    carried = np.empty((states * _BEAM, 2, _COLUMNS))
    for state in range(states):
        for rank in range(_BEAM):
            row = best[state, rank]
            carried[state * _BEAM + rank] = new_carried[row, state]
            if found[state, rank]:
                cost[state * _BEAM + rank] = total[row, state]
    return cost, carried


@_compiled
def _backtrack(bounds, offset, chord_window, back, row):
    """(N,) hand per note along the path that ends in `row`, through the best previous
    rows `back` per group; -1 for notes no hand plays."""
    hand = np.full(len(offset), -1, dtype=np.int64)
    for group in range(len(back) - 1, -1, -1):
        notes, right = _group_states(bounds[group], bounds[group + 1], offset, chord_window)
        for i in range(len(notes)):
            hand[notes[i]] = right[row // _BEAM, i]
        row = back[group][row]
    return hand
