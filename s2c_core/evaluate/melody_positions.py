"""How a one-hand melody's fingering keeps its hand positions.

A melody that stays within a fifth for five notes or more fits one five-finger position,
and method books play it from there: one finger per key, the fingers in the keys' order
(e.g. Faber & Faber's and Alfred's "C position", the thumb on C and one finger per white
key up to G). Between consecutive notes of such a stretch, three things break the position:
another finger on the key just struck, one finger on two keys, and fingers crossing (a thumb
passing under, a finger over it). Where such a stretch spans exactly a fifth on five keys,
the fingering is forced: 1-2-3-4-5 from the lowest key in the right hand, 5-4-3-2-1 in the
left. Used by benchmarks/bench_melody_fingering.py on folk melodies nobody tuned on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .counts import pooled

POSITION_SPAN = 7  # semitones: a fifth, what five fingers cover over white keys
POSITION_NOTES = 5


@dataclass(frozen=True)
class PositionScores:
    """Counts over one or more melodies; `+` pools them."""

    notes: int = 0
    in_position: int = 0  # consecutive note pairs inside a stretch that fits one position
    breaks: int = 0  # ... of them fingered against that position
    crossings: int = 0  # all consecutive pairs whose fingers cross (thumb passes included)
    forced: int = 0  # notes of stretches spanning exactly a fifth on five keys
    forced_kept: int = 0  # ... of them on the position's finger

    def __add__(self, other: PositionScores) -> PositionScores:
        return pooled(self, other)


def position_stretches(u: np.ndarray) -> list[tuple[int, int]]:
    """Maximal [start, end] index ranges of at least POSITION_NOTES notes whose pitches (u)
    span at most POSITION_SPAN semitones, one per start that cannot extend further left."""
    stretches = []
    for start in range(len(u)):
        end = start
        while end + 1 < len(u) and np.ptp(u[start : end + 2]) <= POSITION_SPAN:
            end += 1
        left_open = start > 0 and np.ptp(u[start - 1 : end + 1]) <= POSITION_SPAN
        if end - start + 1 >= POSITION_NOTES and not left_open:
            stretches.append((start, end))
    return stretches


def score_melody(pitch: np.ndarray, finger: np.ndarray, side: str) -> PositionScores:
    """Position scores of one hand's melody: pitches and fingers (1..5) in playing order."""
    u = np.asarray(pitch) * (1 if side == "right" else -1)  # rising towards the little finger
    finger = np.asarray(finger)
    du, df = np.diff(u), np.diff(finger)
    broken = ((du == 0) & (df != 0)) | ((du != 0) & (df == 0)) | (du * df < 0)
    inside = np.zeros(len(du), dtype=bool)
    forced = forced_kept = 0
    for start, end in position_stretches(u):
        inside[start:end] = True
        keys = np.unique(u[start : end + 1])
        if len(keys) == POSITION_NOTES and keys[-1] - keys[0] == POSITION_SPAN:
            book = np.searchsorted(keys, u[start : end + 1]) + 1
            forced += end - start + 1
            forced_kept += int((book == finger[start : end + 1]).sum())
    return PositionScores(
        notes=len(u),
        in_position=int(inside.sum()),
        breaks=int((inside & broken).sum()),
        crossings=int((du * df < 0).sum()),
        forced=forced,
        forced_kept=forced_kept,
    )
