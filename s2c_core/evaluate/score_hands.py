"""The hands a score gives, where a shared file's hand tracks say otherwise.

A file's hand tracks are how its sequencer laid the notes out, which mostly follows the two
staves, and that is not always the hand that plays: a figure that dips below middle C is
engraved on the lower staff but played by the right hand. Where that is known from the
literature on a piece, the benchmarks also score the split against the score's hands, next
to (never instead of) the tracks.

chpn_op10_e01 (Chopin, Etude Op. 10 No. 1): the right hand plays all the semiquaver
arpeggios and the left hand the octaves under them; the study is for the right hand's
stretch (Schumann 1836, Neue Zeitschrift fuer Musik, files it under "stretches: right
hand"; Cortot: "stretch and firmness in shifting the hand over nearly the whole length of
the keyboard"). The file's left-hand track also holds the lowest semiquavers of each sweep
(below middle C, at its turns): so its notes struck alone (no other left-track note in
their chord) and shorter than the octaves are the right hand's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engines.midi.groups import onset_groups
from ..music.midi import MidiNotes

_ARPEGGIO_NOTE_S = 0.3  # s: the semiquavers last about 0.09 s, the octaves 0.5 s and more


def _etude_op10_1(notes: MidiNotes, chord_window: float) -> np.ndarray:
    hands = notes.named_hands()
    left = hands == 0
    group = onset_groups(notes.onset, notes.pitch, chord_window)
    left_per_group = np.bincount(group[left], minlength=group.max() + 1)
    alone = left_per_group[group] == 1
    short = notes.offset - notes.onset < _ARPEGGIO_NOTE_S
    return np.where(left & alone & short, 1, hands)


_PIECES: dict[str, Callable[[MidiNotes, float], np.ndarray]] = {"chpn_op10_e01": _etude_op10_1}


def score_hands(name: str, notes: MidiNotes, chord_window: float) -> np.ndarray | None:
    """(N,) the score's hand per note (0 left, 1 right, -1 unknown) for the shared piece
    `name` (file stem), or None where its tracks are taken as they are."""
    correct = _PIECES.get(name)
    return None if correct is None else correct(notes, chord_window)
