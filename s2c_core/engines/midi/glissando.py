"""Glissandi: every white key (or every black key) of a stretch, struck faster than fingers
can strike in turn, drawn with one finger's nail.

A glissando is played with the back of one finger, its nail, drawn along the keys by the
arm (T. Matthay, "The First Principles of Pianoforte Playing", 1905: the glissando touch):
in the right hand the index finger going up and the thumb going down, in the left hand
the middle finger either way (J. Hofmann, "Piano Playing, with Piano Questions Answered",
1909, "To play a glissando passage"). Fingered, such a run takes a thumb pass every three
or four notes: at 25 notes a second that is a hand leaping every eighth of a second.
"""

from __future__ import annotations

import numpy as np

from ...music.keyboard import is_black

MIN_NOTES = 8  # an octave of white keys: shorter quick runs are fingered
# s between onsets, at most: 22 notes a second. Of the shared pieces, the development
# scores, the stress corpus and fresh seeds 1-12 and 100-109, the fastest run of 8 keys of
# one colour comes 0.109 s a note (mz_545_1's scales): none is taken for a glissando.
MAX_STEP_TIME = 0.045
_FINGER = {("right", 1): 2, ("right", -1): 1, ("left", 1): 3, ("left", -1): 3}


def glissando_fingers(pitch: np.ndarray, onset: np.ndarray, side: str) -> np.ndarray:
    """(n,) the finger that draws each note of a glissando, 0 for notes of none.

    One hand's notes sorted by onset (then pitch). A glissando is at least MIN_NOTES notes
    one after another, each struck at most MAX_STEP_TIME after the one before (and not with
    it), each the next key of its colour above (or below) the one before.
    """
    fingers = np.zeros(len(pitch), dtype=np.int64)
    gap = np.diff(onset)
    steps = _colour_steps(pitch) * ((gap > 0) & (gap <= MAX_STEP_TIME))
    first = 0
    while first < len(steps):
        last = first
        while last + 1 < len(steps) and steps[last + 1] == steps[first]:
            last += 1
        run = slice(first, last + 2)  # the notes of steps first..last
        if steps[first] != 0 and last - first + 2 >= MIN_NOTES:
            # A run turning back shares its turning key with the run before: that keeps it.
            finger = _FINGER[side, int(steps[first])]
            fingers[run] = np.where(fingers[run] > 0, fingers[run], finger)
        first = last + 1
    return fingers


def _colour_steps(pitch: np.ndarray) -> np.ndarray:
    """(n - 1,) +1 / -1 where a note is the next key of the same colour above / below the
    one before it, else 0."""
    black = _BLACK[pitch]
    change = np.diff(_ORDINAL[pitch])
    return np.where((black[1:] == black[:-1]) & (np.abs(change) == 1), change, 0)


_BLACK = np.array([is_black(p) for p in range(128)])
# Per MIDI pitch, how many keys of its colour lie below it.
_ORDINAL = np.where(_BLACK, np.cumsum(_BLACK) - 1, np.cumsum(~_BLACK) - 1)
