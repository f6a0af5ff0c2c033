"""Finger substitution on held keys: another finger silently takes over a key still held down.

When a finger holds a key and the music needs that finger elsewhere before the key may be
let go, a pianist does not lift the key: a neighbouring finger slides onto it, the first
finger leaves, and the key stays down (legato in chorale and organ style, two voices in one
hand). J. N. Hummel, "Ausführliche theoretisch-practische Anweisung zum Piano-Forte-Spiel",
1828, part 2, teaches this "changing the fingers on one key" for legato; H. Gleason, "Method
of Organ Playing", drills substitution (5-4, 4-3, 3-2 ...) as the basis of legato.

The plan records per note a second finger and the time of the swap. The substitute is the
first finger's neighbour on the side away from the key the first finger is needed for,
free from the swap until the key is let go, in the hand's order (fingers rise with pitch in
hand coordinates) and within the practical span of each finger pair (Parncutt et al. 1997)
against every other key held meanwhile, and not the thumb on a black key. It lets go of the
key when the hand starts for a key it cannot span from there.
Without such a finger, or without time for the swap, the finger lets go of the key as before
(`holding.release_before_restrike`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fingering import BLACK, LEGATO_OVERLAP, within_practical_range
from .holding import SHORTEST_HOLD

# s from a finger leaving one key to striking another: lift, move, drop (a fast trill
# alternates two fingers about 8 times a second, so one finger strikes every 0.12 s)
_QUICKEST_MOVE = 0.1
_SLIDE = 0.003  # m: the substitute presses this far to its own side of the first finger


@dataclass(frozen=True)
class Substitutions:
    """Per note (one hand's, sorted by onset): the finger that takes over its key (0: none)
    and when (s; meaningful where finger > 0)."""

    finger: np.ndarray
    time: np.ndarray

    @classmethod
    def none(cls, n: int) -> Substitutions:
        return cls(np.zeros(n, dtype=np.int64), np.zeros(n))


@dataclass(frozen=True)
class SubstitutionPlan:
    """One hand's substitutions and the times its keys are let go: a substitute lets go
    when the hand starts for a key beyond its reach, which may be before the planned
    release."""

    swaps: Substitutions
    release: np.ndarray


def plan_substitutions(
    pitch: np.ndarray,
    onset: np.ndarray,
    release: np.ndarray,
    finger: np.ndarray,
    side: str,
    lead: float,
    reach: float = 1.0,
) -> SubstitutionPlan:
    """Substitutions for one hand's notes, sorted by onset, with the times their keys are let
    go (`release`) and their fingers (1..5), for a hand `reach` times the adult hand's size
    (as `fingering.assign_fingers`). The finger leaves its key `lead` s before it strikes
    again (its glide to the new key), never before SHORTEST_HOLD after the onset and at
    least _QUICKEST_MOVE before that strike; the substitute takes the key at that moment
    and keeps it until the key is let go, or the hand starts for a key it cannot span."""
    out = Substitutions.none(len(pitch))
    release = release.copy()
    u = (pitch if side == "right" else -pitch) / reach
    busy_from = onset - lead  # when a finger starts moving to a note's key
    busy_until = release.copy()  # when it leaves that key
    for i, j in enumerate(_next_strike(finger)):
        if j < 0 or onset[j] > release[i] - LEGATO_OVERLAP or pitch[j] == pitch[i]:
            continue
        swap = max(onset[j] - lead, onset[i] + SHORTEST_HOLD)
        if swap > min(onset[j] - _QUICKEST_MOVE, release[i] - SHORTEST_HOLD):
            continue
        substitute, until = _free_substitute(
            i, j, swap, u, onset, finger, out, busy_from, busy_until, release, BLACK[pitch]
        )
        if substitute and until >= swap + SHORTEST_HOLD:
            out.finger[i], out.time[i] = substitute, swap
            busy_until[i], release[i] = swap, until
    return SubstitutionPlan(out, release)


def _next_strike(finger: np.ndarray) -> np.ndarray:
    """(n,) the next note of each note's finger (notes sorted by onset), -1 if none."""
    following = np.full(len(finger), -1)
    for f in range(1, 6):
        mine = np.flatnonzero(finger == f)
        following[mine[:-1]] = mine[1:]
    return following


def _free_substitute(
    i: int,
    j: int,
    swap: float,
    u: np.ndarray,
    onset: np.ndarray,
    finger: np.ndarray,
    planned: Substitutions,
    busy_from: np.ndarray,
    busy_until: np.ndarray,
    release: np.ndarray,
    black: np.ndarray,
) -> tuple[int, float]:
    """The finger that can hold note i's key from `swap` to its release while its finger
    goes to note j, or 0: free of other keys (and of moving to them) meanwhile, in
    order and within reach of the keys pressed while i's is down; and when it lets go (its
    release, or when the hand starts for a key the substitute cannot span)."""
    # (finger, u, down while i's key is, from when it is reached for) of every other key
    # held, or reached for, meanwhile
    holds = []
    for k in np.flatnonzero((busy_from < release[i]) & (release > swap)):
        if k == i:
            continue
        down = onset[k] < release[i]
        if busy_until[k] > swap:
            holds.append((finger[k], u[k], down, busy_from[k]))
        if planned.finger[k] and release[k] > swap:
            holds.append((planned.finger[k], u[k], down, busy_from[k]))
    # The neighbour on the far side from j (5 -> 4, 4 -> 3, ...: one two fingers away would
    # need the wrist to shift under the finger still holding the key).
    candidate = int(finger[i]) + (-1 if u[j] > u[i] else 1)
    if not 1 <= candidate <= 5 or (candidate == 1 and black[i]):  # rule 10, Parncutt 1997
        return 0, release[i]
    until = release[i]
    for h, v, down, start in holds:
        spans = (candidate - h) * (u[i] - v) > 0 and within_practical_range(candidate, u[i], h, v)
        if h == candidate or (down and not spans):
            return 0, release[i]
        if not spans:  # the hand leaves for a key the substitute cannot span
            until = min(until, start)
    return candidate, until


def substituted_presses(
    on: np.ndarray,
    off: np.ndarray,
    points: np.ndarray,
    finger: np.ndarray,
    swaps: Substitutions,
    fps: float,
    side: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Presses (on, off frames, points, finger), sorted by `on`, with each substituted note
    split in two: its finger on [on, swap - 1], the substitute on [swap, off], pressing a
    little to its own side of the first finger's point, as it slides in beside it. The key
    is pressed on every frame of [on, off] by one finger or the other. Also the swap frames."""
    split = np.flatnonzero((swaps.finger > 0) & (off > on))
    swap = np.clip(np.round(swaps.time[split] * fps).astype(np.int64), on[split] + 1, off[split])
    first_off = off.copy()
    first_off[split] = swap - 1
    shift = np.zeros((len(split), 3))
    hand = 1.0 if side == "right" else -1.0  # finger numbers rise with x for the right hand
    shift[:, 0] = _SLIDE * hand * np.sign(swaps.finger[split] - finger[split])
    on = np.concatenate([on, swap])
    off = np.concatenate([first_off, off[split]])
    points = np.concatenate([points, points[split] + shift])
    finger = np.concatenate([finger, swaps.finger[split]])
    order = np.argsort(on, kind="stable")
    return on[order], off[order], points[order], finger[order], np.unique(swap)
