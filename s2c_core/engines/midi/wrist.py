"""Wrist path: keyframes where the keys held down change, minimum-jerk moves, speed-limited.

A keyframe is made at each onset, and after each release that leaves keys held down (the
hand relaxes around what it still holds, which lets freed fingers lift) unless the next
onset follows too soon; where the hand lets go of every key for a while it rests, lifted
and untilted (`add_rests`). Each keyframe
places the reference hand shape so that, on average, the assigned fingertips sit on their
keys (notes still held count half), then settles it: the fingers are solved by IK at the
keyframe and the wrist moves by the pressing fingertips' mean miss, a few times, so a
stretched chord pulls the hand towards the finger that falls short. The IK of the settling
keeps the long fingers curved (`_SETTLE_CURL`), so the hand comes close enough to play with
curved fingers wherever it can, instead of stopping where a straight finger first reaches
its key; the fingers are solved without that bound afterwards, so what only a straight
finger reaches is still reached (and a keyframe close on the heels of another, a fast
roll's, is settled without it, as is a candidate whose curved fingers fall well short, if
that places it better). This is done for each
candidate hand tilt, wrist drop (a lower wrist flattens the fingers, which widens their
reach) and turn of the hand from the heading its forearm gives it (posture.hand_heading),
and each keyframe keeps the candidate whose pressing fingertips miss least while its free
fingertips stay clear of the keys; among candidates that reach the keys about equally well,
keyframes close together keep one hand shape (`steady_choices`). A quick figure
(hand_positions.py) is planned from one hand position: its notes from their mean placement,
and its keyframes keep the hand shape its first keyframe chose. A thumb passing under the
finger that holds the note before it starts from where that finger put the hand
(`thumb_passing_under`): the thumb reaches under, and the hand moves on over it after.

The wrist holds a keyframe and moves to the next one just in time to arrive at its onset
(at most `wrist_move_time` before it); after a release it moves at once. A move whose
minimum-jerk peak speed would exceed `wrist_max_speed` is given more time: it starts as
soon as the previous move allows and arrives late, never jumps. The tilt follows the same
schedule, and a move sideways rises in an arc (`leap_arc`), except a short legato
hand-over, where the hand slides on level as the finger holding the last key lets go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...music.keyboard import Keyboard
from .config import MidiEngineConfig
from .finger_ik import MISS_WEIGHTS, NUM_FINGERS, FingerSolver
from .fingertips import key_tops
from .hand_positions import hand_positions, position_means, struck_together
from .posture import Posture, hand_heading

_HELD_WEIGHT = 0.5
_SETTLE_ITERATIONS = 3
_SETTLE_IK_ITERATIONS = 8
_SETTLE_ROWS = 16384  # keyframe candidates settled at once
# Least middle-joint (PIP) flexion of the long fingers while a keyframe is settled: a curved
# finger, the rounded hand piano teachers ask for (Fink 1992, Sandor 1981; the reference
# shape bends it 45 degrees, posture.py). Settled with the plain joint limits, the wrist
# stopped where each finger first reached its key, straight: a fifth of all pressed frames
# (anatomy.straight_presses). 30 degrees was chosen on the tuning set among 20, 25, 30, 35
# and 40 (the fewest key contact misses; 40 cost contact on wide chords), and so was
# keeping the bound through the last pass (unbounded there, contact was worse).
_SETTLE_CURL = np.deg2rad(30.0)
# m^2, weighted as the keyframe score (about a centimetre's miss): a candidate whose curved
# fingers miss more is settled again with fingers free to straighten, and the better
# placement counts (a stretch held by the ring finger while the little finger strikes,
# deb_clai at 183.5 s, lost the held key as the wrist eased off the curved placement).
# 1e-5 straightened more fingers (the stress pieces of the tests: 12.5 % of pressed frames
# straight, against 11.4 %); 1e-3 left deb_clai's held key unmended. On the tuning set the
# fallback misses fewer keys than none at all (20 notes against 30 of 32,516).
_CURVED_MISS = 1e-4
MIN_JERK_PEAK = 1.875  # peak speed of a minimum-jerk move over its average speed
# m^2: keyframe scores this close are equal. Candidates that reach every key score about
# zero and tie up to rounding; if rounding chose among them, another BLAS or any change
# of the IK's arithmetic in its 12th digit would move hands by centimetres.
_TIE = 1e-12
_TILT_COST = 1e-6  # m^2 per rad: among equally good tilts, the least tilted hand wins
# m^2 per rad of tilt or turn changed between keyframes (a wrist drop of _DROP_PER_RAD m
# counts as a radian), fading out with the time between them (steady_choices), among the
# candidates whose pressing fingertips miss at most _STEADY_TOLERANCE m^2 (weighted, about
# 2 mm across the keys) more than the best's. Chosen each keyframe for itself, the hand
# rolled 17 degrees one way and back from note to note: close keyframes changed tilt 45 %
# of the time on the tuning set. 1e-3 was chosen on it among 1e-4, 3e-4, 1e-3 and 1e-2
# (the tilt changing 27-33 % / 9-27 % / 7-23 % / 2-6 % of the time, per part of the set;
# 1e-2 more than doubled the fresh textures' stray presses), and so was the tolerance (without
# it, 1e-3 missed twice as many keys; a tolerance on the whole score, idle fingers'
# clearance included, kept most of the rocking).
_SHAPE_CHANGE_COST = 1e-3
_DROP_PER_RAD = 0.067
_STEADY_TOLERANCE = 1e-5
_CLEARANCE_MARGIN = 0.003  # m a free fingertip should keep above the key tops under it
_ARC_FROM = 0.03  # m: moves shorter than this sideways stay level
_ARC_RISE = 0.4  # m of arc height per m of sideways travel beyond that
_MIN_BOUNCE_FRAMES = 3  # free spells shorter than this leave the wrist where it is
_HANDOVER_FRAMES = 2
_HANDOVER_REACH = 0.1  # m: a thumb passing under an arpeggio's fourth moves the hand ~9 cm


@dataclass(frozen=True)
class ChordNotes:
    """One hand's notes for planning: frames pressed, press points, fingers (1..5).

    Sorted by onset; presses of the same finger do not overlap.
    """

    on: np.ndarray
    off: np.ndarray
    points: np.ndarray  # (n, 3)
    finger: np.ndarray


def keyframe_frames(on: np.ndarray, off: np.ndarray, move_frames: float) -> np.ndarray:
    """Frames of the wrist keyframes for notes pressed on frames [on, off] (sorted, unique).

    Every onset frame; and for each release that leaves notes held, the frame a move that
    starts at the release ends (or the frame before the next change, if sooner), unless
    the next onset follows within a move's time: then the hand heads straight for it.
    """
    onsets = np.unique(on)
    changes = np.union1d(onsets, off + 1)
    releases = np.setdiff1d(off + 1, onsets)
    held = _interval_sums(on, off, np.ones((len(on), 1)), int(off.max()) + 2)[releases, 0]
    next_onset = onsets[np.minimum(np.searchsorted(onsets, releases), len(onsets) - 1)]
    soon = (next_onset > releases) & (next_onset - releases < move_frames)
    releases = releases[(held > 0) & ~soon]
    following = changes[
        np.minimum(np.searchsorted(changes, releases, side="right"), len(changes) - 1)
    ]
    following = np.where(following > releases, following - 1, releases + move_frames)
    arrive = np.minimum(releases + np.ceil(move_frames), following)
    return np.union1d(onsets, arrive.astype(np.int64))


def plan_keyframes(
    chord_frames: np.ndarray,
    notes: ChordNotes,
    solver: FingerSolver,
    posture: Posture,
    candidates: tuple[tuple[float, float, float], ...],
    keyboard: Keyboard,
    figure: tuple[float, float],
    curl_gap: float,
    steady: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Wrist keyframes (G, 3) and hand tilts (G, 3) for keyframes at frames (G,).

    candidates: (pitch, roll, drop) to try, see MidiEngineConfig.wrist_candidates. The
    heading of each keyframe follows the forearm (posture.hand_heading) from where the
    untilted hand would put the wrist. figure: (span in m, gap in frames) of the quick
    figures played from one hand position (hand_positions.py). Keyframes at least
    `curl_gap` frames after the one before are settled with curved fingers.
    """
    targets, pressing = _pressing_targets(chord_frames, notes)
    count = len(chord_frames)
    level = posture.orientation(np.zeros(3))
    under = thumb_passing_under(notes, posture.side)
    wishes = _stay_for_thumb(notes.points - posture.tips[notes.finger - 1] @ level.T, under)
    position = hand_positions(notes.on, notes.off, wishes, *figure, notes.points)
    rough = wrist_keyframes(chord_frames, notes.on, notes.off, position_means(position, wishes))
    tilts = np.array([(pitch, roll, 0.0) for pitch, roll, _, _ in candidates])
    tilts = np.repeat(tilts[:, None], count, axis=1)  # (C, G, 3), candidate-major
    for c, (_, _, _, turn) in enumerate(candidates):
        tilts[c, :, 2] = hand_heading(rough, posture.side, turn)
    rotation = posture.orientation(tilts).reshape(-1, 3, 3)
    # Each note is placed with the hand's rotation at its onset keyframe.
    at_onset = np.searchsorted(chord_frames, notes.on)
    keys = []
    for c, (_, _, drop, _) in enumerate(candidates):
        turned = rotation[c * count + at_onset]
        wishes = notes.points - np.einsum("nab,nb->na", turned, posture.tips[notes.finger - 1])
        wishes = position_means(position, _stay_for_thumb(wishes, under))
        keys.append(wrist_keyframes(chord_frames, notes.on, notes.off, wishes) - [0.0, 0.0, drop])
    keys, rotation = np.stack(keys), rotation.reshape(len(candidates), count, 3, 3)
    # Keyframes within a quick figure keep the hand shape its first one chose (the hand
    # holds its position): only that candidate is settled for them.
    follows = _follows_leader(chord_frames, notes.on, position)
    lead = np.flatnonzero(~follows)
    # Every candidate of every leading keyframe is settled at once: (C * L) rows.
    lead_rotation = rotation[:, lead].reshape(-1, 3, 3)
    lead_pressing = np.tile(pressing[lead], (len(candidates), 1))
    # Curved fingers, except at a keyframe following the last one closely (a roll's notes).
    curl = np.diff(chord_frames, prepend=-np.inf) >= curl_gap
    lead_keys = keys[:, lead].reshape(-1, 3)
    lead_targets = np.tile(targets[lead], (len(candidates), 1, 1))
    lead_curl = np.tile(curl[lead], len(candidates))
    settled, miss = _settle(
        lead_keys, lead_targets, lead_pressing, solver, posture, lead_rotation, lead_curl
    )
    # Where curved fingers fall well short, the fingers may straighten to reach instead: the
    # candidate is settled again so, and of the two placements the one whose fingers, free
    # to straighten, miss less counts.
    short = lead_curl & (miss > _CURVED_MISS)
    if short.any():
        rows = (lead_targets[short], lead_pressing[short], solver, posture, lead_rotation[short])
        straight = np.zeros(int(short.sum()), dtype=bool)
        again, again_miss = _settle(lead_keys[short], *rows, straight)
        kept_miss = _settle(settled[short], *rows, straight, passes=1)[1]
        better = again_miss < kept_miss
        settled[short] = np.where(better[:, None], again, settled[short])
        miss[short] = np.where(better, again_miss, kept_miss)
    free = settled[:, None] + (lead_rotation @ posture.free_tips.T).swapaxes(1, 2)
    low = np.maximum(key_tops(keyboard, free[..., 1]) + _CLEARANCE_MARGIN - free[..., 2], 0.0)
    low **= 2
    tilt_cost = _TILT_COST * np.abs(tilts[:, lead, :2]).sum(axis=-1)
    score = (miss + (low * ~lead_pressing).sum(axis=1)).reshape(len(candidates), len(lead))
    best = np.empty(count, dtype=np.int64)
    reach = miss.reshape(len(candidates), len(lead))
    best[lead] = steady_choices(score + tilt_cost, reach, candidates, chord_frames[lead], steady)
    out = np.empty((count, 3))
    out[lead] = settled.reshape(len(candidates), len(lead), 3)[best[lead], np.arange(len(lead))]
    rest = np.flatnonzero(follows)
    if len(rest):
        best[rest] = best[lead[np.searchsorted(lead, rest) - 1]]
        out[rest] = _settle(
            keys[best[rest], rest], targets[rest], pressing[rest], solver, posture,
            rotation[best[rest], rest], curl[rest],
        )[0]  # fmt: skip
    return out, tilts[best, np.arange(count)]


def steady_choices(
    cost: np.ndarray,
    reach: np.ndarray,
    candidates: tuple[tuple[float, float, float, float], ...],
    frames: np.ndarray,
    steady: float,
) -> np.ndarray:
    """(L,) the candidate of each keyframe (frames (L,)) minimising the keyframes' costs
    (C, L) plus a cost for changing hand shape (tilt, turn, drop) between keyframes less
    than `steady` frames apart, fading with the frames between them: a hand that reaches its
    keys equally well either way keeps its shape instead of rocking from note to note.

    A Viterbi pass; at every step the first candidate within _TIE of the best wins, so
    that rounding never decides."""
    # Only candidates whose fingers reach their keys about as well as the best's may be
    # chosen: calm must not cost a key.
    cost = np.where(reach <= reach.min(axis=0) + _STEADY_TOLERANCE, cost, np.inf)
    shape = np.array(candidates)
    shape[:, 2] /= _DROP_PER_RAD
    change = _SHAPE_CHANGE_COST * np.abs(shape[:, None] - shape[None]).sum(axis=-1)  # (C', C)
    fade = np.clip(1.0 - np.diff(frames) / steady, 0.0, 1.0)
    total = cost[:, 0].copy()
    came_from = np.zeros(cost.shape[::-1], dtype=np.int64)  # (L, C)
    for g in range(1, cost.shape[1]):
        arriving = total[:, None] + fade[g - 1] * change  # (C', C)
        came_from[g] = _first_best(arriving, axis=0)
        total = arriving[came_from[g], np.arange(len(total))] + cost[:, g]
    choice = np.empty(cost.shape[1], dtype=np.int64)
    choice[-1] = _first_best(total, axis=0)
    for g in range(cost.shape[1] - 1, 0, -1):
        choice[g - 1] = came_from[g, choice[g]]
    return choice


def _first_best(values: np.ndarray, axis: int) -> np.ndarray:
    """Index of the first value within _TIE of the least along `axis`."""
    return np.argmax(values <= values.min(axis=axis, keepdims=True) + _TIE, axis=axis)


def thumb_passing_under(notes: ChordNotes, side: str) -> np.ndarray:
    """(n,) for each note the thumb strikes alone by passing under a long finger that held
    the note before it until about then (legato: at most one frame free between them),
    that note's index; -1 for the others."""
    on, off, finger = notes.on, notes.off, notes.finger
    alone = ~struck_together(on)
    inward = 1.0 if side == "right" else -1.0  # the right thumb passes under to higher keys
    under = np.full(len(on), -1, dtype=np.int64)
    i = np.flatnonzero(alone[1:] & alone[:-1]) + 1
    j = i - 1
    passing = (
        (finger[i] == 1)
        & (finger[j] >= 2)
        & (off[j] >= on[i] - 2)
        & (inward * (notes.points[i, 0] - notes.points[j, 0]) > 0.0)
    )
    under[i[passing]] = j[passing]
    return under


def _stay_for_thumb(wishes: np.ndarray, under: np.ndarray) -> np.ndarray:
    """Wishes (n, 3) where a thumb passing under (`thumb_passing_under`) keeps the hand
    where the finger it passes under put it: the thumb reaches under the hand, which moves
    on over it once the thumb is down (S. Fink, "Mastering Piano Technique", 1992, on the
    thumb's movement under the hand), and the finger holding its key stays curved. The
    settling then moves the hand only as far as the thumb cannot reach."""
    passing = under >= 0
    wishes = wishes.copy()
    wishes[passing] = wishes[under[passing]]
    return wishes


def _follows_leader(chord_frames: np.ndarray, on: np.ndarray, position: np.ndarray) -> np.ndarray:
    """(G,) whether a keyframe lies in the same quick figure (a hand position of notes
    struck at two or more frames) as the keyframe before it."""
    latest = np.searchsorted(on, chord_frames, side="right") - 1
    figure = np.zeros(position.max() + 1, dtype=bool)
    starts = np.r_[True, on[1:] != on[:-1]]
    figure[np.flatnonzero(np.bincount(position, weights=starts) >= 2)] = True
    where = position[np.maximum(latest, 0)]
    follows = np.zeros(len(chord_frames), dtype=bool)
    follows[1:] = (where[1:] == where[:-1]) & figure[where[1:]] & (latest[1:] >= 0)
    return follows


def wrist_keyframes(
    chord_frames: np.ndarray, note_on: np.ndarray, note_off: np.ndarray, wishes: np.ndarray
) -> np.ndarray:
    """(G, 3) wrist keyframe per keyframe frame (G,).

    note_on/note_off (n,) pressed frames of the hand's notes; wishes (n, 3) the wrist
    position that puts each note's finger of the reference shape on its key.
    """
    frames = int(max(note_off.max(), chord_frames.max())) + 2
    # Sum wishes and counts of the notes struck on, and held through, each frame.
    weighted = np.column_stack([wishes, np.ones(len(wishes))])
    struck = _interval_sums(note_on, note_on, weighted, frames)
    held = _interval_sums(note_on + 1, note_off, weighted, frames)
    total = (struck + _HELD_WEIGHT * held)[chord_frames]
    return total[:, :3] / total[:, 3:]


def _interval_sums(
    start: np.ndarray, stop: np.ndarray, values: np.ndarray, frames: int
) -> np.ndarray:
    """(frames, D) per frame, the sum of values (n, D) over intervals [start, stop] that
    contain it (empty intervals add nothing)."""
    steps = np.zeros((frames + 1, values.shape[1]))
    keep = stop >= start
    np.add.at(steps, start[keep], values[keep])
    np.add.at(steps, stop[keep] + 1, -values[keep])
    return np.cumsum(steps, axis=0)[:frames]


def _pressing_targets(chord_frames: np.ndarray, notes: ChordNotes) -> tuple[np.ndarray, ...]:
    """Press point (G, 5, 3) of each finger at each keyframe, and whether it presses (G, 5)."""
    targets = np.zeros((len(chord_frames), NUM_FINGERS, 3))
    pressing = np.zeros((len(chord_frames), NUM_FINGERS), dtype=bool)
    for f in range(NUM_FINGERS):
        mine = np.flatnonzero(notes.finger == f + 1)
        if not len(mine):
            continue
        latest = np.searchsorted(notes.on[mine], chord_frames, side="right") - 1
        note = mine[np.maximum(latest, 0)]
        pressing[:, f] = (latest >= 0) & (notes.off[note] >= chord_frames)
        targets[:, f] = notes.points[note]
    return targets, pressing


def _settle(
    keys: np.ndarray,
    targets: np.ndarray,
    pressing: np.ndarray,
    solver: FingerSolver,
    posture: Posture,
    rotation: np.ndarray,
    curl: np.ndarray,
    passes: int = _SETTLE_ITERATIONS + 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Move keyframes (G, 3) by the pressing fingertips' mean miss, `passes` times, each
    keyframe with its hand rotation (G, 3, 3), those marked `curl` (G,) with the long
    fingers' middle joints bent at least _SETTLE_CURL; also return the weighted squared
    miss per keyframe (G,) of the last pass (before its move: one pass scores the keyframes
    where they are).

    Keyframes are settled `_SETTLE_ROWS` at a time: the IK's working arrays (~0.3 KB per
    row each) would otherwise grow with the take's length."""
    chunks = [slice(first, first + _SETTLE_ROWS) for first in range(0, len(keys), _SETTLE_ROWS)]
    least = np.where(curl, _SETTLE_CURL, 0.0)
    settled = [
        _settle_rows(keys[rows], targets[rows], pressing[rows], solver, posture, rotation[rows],
                     least[rows], passes)
        for rows in chunks
    ]  # fmt: skip
    return tuple(np.concatenate(part) for part in zip(*settled, strict=True))


def _settle_rows(
    keys: np.ndarray,
    targets: np.ndarray,
    pressing: np.ndarray,
    solver: FingerSolver,
    posture: Posture,
    rotation: np.ndarray,
    least_middle: np.ndarray,
    passes: int,
) -> tuple[np.ndarray, np.ndarray]:
    weight = pressing[..., None].astype(np.float64)
    count = np.maximum(weight.sum(axis=1), 1.0)
    reference = (rotation @ posture.tips.T).swapaxes(1, 2)  # batched matmul: einsum is slow here
    miss = np.zeros_like(targets)
    for _ in range(passes):
        goal = np.where(pressing[..., None], targets, keys[:, None] + reference)
        canonical = (goal - keys[:, None]) @ rotation
        params = solver.solve(
            canonical, posture.params, _SETTLE_IK_ITERATIONS, least_middle=least_middle
        )
        reached = solver.tips(params) @ rotation.swapaxes(1, 2)
        miss = (goal - keys[:, None]) - reached
        keys = keys + (miss * weight).sum(axis=1) / count
    # The solver's weights live in the hand frame.
    miss_hand = (miss * weight) @ rotation
    return keys, (MISS_WEIGHTS * miss_hand**2).sum(axis=(1, 2))


def add_rests(
    chord_frames: np.ndarray,
    keys: np.ndarray,
    tilts: np.ndarray,
    notes: ChordNotes,
    rest_frames: float,
    move_frames: float,
    lift: float,
) -> tuple[np.ndarray, ...]:
    """Keyframes with a resting hand added where it lets go of every key for at least
    `rest_frames` (and after the last note, and from the start when its first note comes
    later than that and a move): `move_frames` after the release the wrist is
    `lift` higher and the hand untilted (its heading kept), as a pianist's hand relaxes
    off the keys between phrases instead of staying braced in the last chord's shape.
    Between shorter free spells before a chord in about the same place (repeated
    chords) the wrist bounces: halfway through it is up by `lift` times the spell's share
    of `rest_frames`, so that fingers which cannot lift far by themselves (the thumb
    above all) clear the keys too."""
    held_until = np.maximum.accumulate(notes.off)
    next_on = np.append(notes.on[1:], np.iinfo(np.int64).max)
    spell = next_on - held_until - 1  # frames on which the hand holds no key
    free = spell > rest_frames
    frames = np.unique(held_until[free]) + 1 + int(np.ceil(0.5 * move_frames))
    if notes.on[0] > rest_frames + move_frames:  # waiting for its first note, too
        frames = np.append(0, frames)
    before = np.maximum(np.searchsorted(chord_frames, frames, side="right") - 1, 0)
    rest_keys = keys[before] + [0.0, 0.0, lift]
    rest_tilts = np.column_stack([np.zeros((len(frames), 2)), tilts[before, 2]])
    short = (spell >= _MIN_BOUNCE_FRAMES) & ~free
    bounce = held_until[short] + 1 + spell[short] // 2
    share = spell[short] / rest_frames
    after = np.searchsorted(chord_frames, bounce, side="right") - 1
    # Only where the hand comes back to about the same place (a leap rises in its arc).
    ahead = np.minimum(after + 1, len(keys) - 1)
    stays = np.linalg.norm(keys[ahead, :2] - keys[after, :2], axis=1) < _ARC_FROM
    keep = stays & ~np.isin(bounce, chord_frames)
    bounce, share, after = bounce[keep], share[keep], after[keep]
    bounce_keys = keys[after] + np.outer(lift * share, [0.0, 0.0, 1.0])
    frames = np.concatenate([chord_frames, frames, bounce])
    order = np.argsort(frames, kind="stable")
    return (
        frames[order],
        np.concatenate([keys, rest_keys, bounce_keys])[order],
        np.concatenate([tilts, rest_tilts, tilts[after]])[order],
    )


def leap_arc(
    starts: np.ndarray,
    ends: np.ndarray,
    keys: np.ndarray,
    frames: np.ndarray,
    height: float,
    handover: np.ndarray,
) -> np.ndarray:
    """(F,) extra wrist height on `frames` (F,): a move between keyframes (G, 3) rises in an
    arc, higher the further it goes sideways (a leap lifts the hand clear of the keys,
    at most `height`); zero speed and height at both ends of every move. A legato hand-over
    (`handover` (G - 1,), `handing_over`) within _HANDOVER_REACH sideways stays level: the
    hand slides on as the finger holding the last key lets go, and rising would only
    stretch that finger straight (further, it is a leap whose notes are written legato)."""
    lift = np.zeros(len(frames))
    if not len(starts):
        return lift
    sideways = np.linalg.norm(np.diff(keys[:, :2], axis=0), axis=1)
    sliding = handover & (sideways <= _HANDOVER_REACH)
    peak = np.clip(_ARC_RISE * (sideways - _ARC_FROM), 0.0, height) * ~sliding
    t = np.asarray(frames, dtype=np.float64)
    segment = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, None)
    tau = (t - starts[segment]) / np.maximum(ends[segment] - starts[segment], 1e-9)
    inside = (tau > 0.0) & (tau < 1.0)
    bump = 64.0 * tau**3 * (1.0 - tau) ** 3  # 1 at the middle of the move
    lift[inside] = (peak[segment] * bump)[inside]
    return lift


def handing_over(notes: ChordNotes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(G - 1,) whether each move, from frame `starts` to `ends` (floats), starts while the
    hand holds a key down and lets go of every key it holds then by the move's end (within
    _HANDOVER_FRAMES after it: legato keys overlap a little): a legato hand-over, as when a
    scale's thumb passes under the finger holding the last key."""
    if not len(notes.on):
        return np.zeros(len(starts), dtype=bool)
    held_until = np.maximum.accumulate(notes.off)  # notes are sorted by onset
    frame = np.floor(starts)
    latest = np.searchsorted(notes.on, frame, side="right") - 1
    until = held_until[np.maximum(latest, 0)]
    return (latest >= 0) & (until >= frame) & (until <= ends + _HANDOVER_FRAMES)


def minimum_jerk(tau: np.ndarray) -> np.ndarray:
    return tau**3 * (10.0 + tau * (-15.0 + 6.0 * tau))


def move_schedule(
    key_frames: np.ndarray,
    keys: np.ndarray,
    config: MidiEngineConfig,
    quick: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end frame (G - 1,) of each move between consecutive keyframes. A move
    into a keyframe in `quick` (a finger substitution's swap: the finger leaving the key
    holds it down until then) starts as late as the wrist's top speed allows, instead of
    easing over up to wrist_move_time."""
    fps = config.fps
    distance = np.linalg.norm(np.diff(keys, axis=0), axis=1)
    needed = MIN_JERK_PEAK * distance / config.wrist_max_speed * fps
    wanted = np.maximum(needed, config.wrist_move_time * fps)
    if quick is not None:
        wanted = np.where(np.isin(key_frames[1:], quick), needed, wanted)
    starts = np.empty(len(distance))
    ends = np.empty(len(distance))
    free_from = float(key_frames[0])
    for g, (arrive, duration, minimum) in enumerate(
        zip(key_frames[1:].tolist(), wanted.tolist(), needed.tolist(), strict=True)
    ):
        start = max(free_from, arrive - duration)
        starts[g] = start
        ends[g] = start + max(arrive - start, minimum, 1e-9)
        free_from = max(ends[g], arrive)
    return starts, ends


def follow_schedule(
    starts: np.ndarray, ends: np.ndarray, values: np.ndarray, frames: np.ndarray
) -> np.ndarray:
    """(F, D) values on `frames` (F,), moving through keyframe values (G, D) on the schedule."""
    if not len(starts):
        return np.broadcast_to(values[0], (len(frames),) + values.shape[1:]).copy()
    t = np.asarray(frames, dtype=np.float64)
    segment = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, None)
    tau = np.clip((t - starts[segment]) / (ends[segment] - starts[segment]), 0.0, 1.0)
    tau = np.where(t < starts[0], 0.0, tau)
    step = values[segment + 1] - values[segment]
    return values[segment] + minimum_jerk(tau)[:, None] * step
