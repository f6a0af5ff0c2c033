"""Sweeps: broken chords swept one way over more than two and a half octaves.

Such a sweep, with the other hand free, is divided between the hands: the lower part is
the left hand's and the upper the right's, handed over where the line passes between
them. The score of Liszt's "Un sospiro" divides its arpeggios so, and the tracks of
Debussy's Clair de lune (../shared/data/midi) hand theirs over. A hand keeps the whole
sweep when the other is busy: the right hand's four-octave arpeggios in Chopin's Op. 10
No. 1 run over the left hand's held octaves. Two limits keep one hand's own figures in
that hand: the textbook two-octave arpeggio (14 white keys from its lowest key to its
highest) is one hand's, and so is a scale of any length, whose thumb passes under for as
long as the run goes on (a hand playing a broken chord moves its whole position at each
octave).
"""

from __future__ import annotations

import numpy as np

# White keys between a sweep's first and last keys: more than the two-octave arpeggio
# (14) of the stress corpus, fewer than the three-octave sweeps (21 or more) of the fresh
# textures' shared arpeggios (s2c_core.evaluate.fresh_patterns, tuning seeds 1-12).
SWEEP_SPAN = 17.5
# White keys per note on average: a broken triad moves 7/3, a seventh chord 7/4 and a
# scale 1 (its runs stay in one hand, however long).
SWEEP_STEP = 1.5


def sweep_starts(
    x: np.ndarray, onset: np.ndarray, bounds: np.ndarray, max_step: float, max_gap: float
) -> np.ndarray:
    """(G,) the onset at which each onset group's sweep began; inf for a group in none.

    x: key centres (white-key widths) and onsets of the notes sorted by group, bounds their
    group starts (group_bounds). A sweep is a run of single notes moving one way, each at
    most `max_step` white keys and `max_gap` s from the last, spanning more than SWEEP_SPAN
    white keys at SWEEP_STEP or more a note. A run's last key may begin the next run, back.
    """
    single = np.diff(bounds) == 1
    key, time = x[bounds[:-1]], onset[bounds[:-1]]
    start = np.full(len(key), np.inf)
    first = 0
    while first < len(key):
        last = _run_end(key, time, single, first, max_step, max_gap)
        span = abs(key[last] - key[first])
        if last > first and span > SWEEP_SPAN and span / (last - first) >= SWEEP_STEP:
            start[first : last + 1] = time[first]
        first = max(last, first + 1)
    return start


def _run_end(
    key: np.ndarray,
    time: np.ndarray,
    single: np.ndarray,
    first: int,
    max_step: float,
    max_gap: float,
) -> int:
    """The last group of the one-way run of single notes that begins at group `first`."""
    last, direction = first, 0.0
    while last + 1 < len(key) and single[last] and single[last + 1]:
        step = key[last + 1] - key[last]
        if step == 0 or abs(step) > max_step or time[last + 1] - time[last] > max_gap:
            break
        if direction and np.sign(step) != direction:
            break
        direction = np.sign(step)
        last += 1
    return last
