"""Hand positions: runs of quick single notes that one placement of the hand covers.

A pianist plays a trill, a turn or an Alberti bass from one hand position, with the fingers,
and moves the hand only where the figure leaves the position's reach (Parncutt et al. 1997,
"An ergonomic model of keyboard fingering", Music Perception 14(4), cost hand position
changes, not finger movements). The wrist planner places the reference hand shape so that
each note's finger lies on its key (a "wish" per note); over a 1-2 trill on C5-D5 those
wishes lie 45 mm apart, so the wrist swung sideways with every note. Here consecutive single
notes struck within `gap` frames of each other whose wishes stay within `span` sideways form
one position, and each takes the position's mean wish: the wrist holds still and the finger
IK reaches the keys from there (and the figure's keyframes keep the hand shape its first
one chose: wrist.py). A key struck again quickly stays in the position whatever finger
strikes it (fast repeated notes change fingers, 3-2-1, from one hand position: the wrist
swayed two keys to and fro with each group). A chord is a position of its own (its notes
sound together, its shape is its own), and so is a slower note or one struck while another
is held.
"""

from __future__ import annotations

import numpy as np


def hand_positions(
    on: np.ndarray,
    off: np.ndarray,
    wishes: np.ndarray,
    span: float,
    gap: float,
    points: np.ndarray | None = None,
) -> np.ndarray:
    """(n,) position index per note: on, off (n,) pressed frames, sorted by onset; wishes
    (n, 3) the wrist position that puts each note's finger of the reference shape on its
    key; points (n, 3) the keys' press points, if a key struck again is to stay in the
    position."""
    chord = struck_together(on)
    same = on[1:] == on[:-1]
    # A run may go on from note i - 1 to note i: quick, after a release, neither in a chord.
    quick = ~(chord[1:] | chord[:-1]) & (off[:-1] < on[1:]) & (on[1:] - on[:-1] <= gap)
    again = np.zeros(len(quick), dtype=bool)
    if points is not None:
        again = np.all(points[1:] == points[:-1], axis=1) & quick
    x = wishes[:, 0].tolist()  # Python floats: the loop below runs once per note
    current, low, high = 0, x[0], x[0]
    position = [0]
    steps = zip(quick.tolist(), same.tolist(), again.tolist(), strict=True)
    for i, (chained, struck_with, repeated) in enumerate(steps, start=1):
        if not (struck_with or repeated):  # (the rest of a chord stays with its first note)
            low, high = min(low, x[i]), max(high, x[i])
            if not (chained and high - low <= span):
                current, low, high = current + 1, x[i], x[i]
        position.append(current)
    return np.array(position, dtype=np.int64)


def position_means(position: np.ndarray, wishes: np.ndarray) -> np.ndarray:
    """(n, 3) each note's wish replaced by the mean wish of its hand position."""
    total = np.zeros((position.max() + 1, wishes.shape[1]))
    np.add.at(total, position, wishes)
    return (total / np.bincount(position)[:, None])[position]


def struck_together(on: np.ndarray) -> np.ndarray:
    """(n,) whether each note (onset frames on, sorted) shares its onset frame with another."""
    together = np.zeros(len(on), dtype=bool)
    same = on[1:] == on[:-1]
    together[1:] |= same
    together[:-1] |= same
    return together
