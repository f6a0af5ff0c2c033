"""A file's notes as a pianist might have played them: chords no longer struck together.

Score-like MIDI files strike a chord's notes at one instant; played ones (recorded from a
digital piano, or sequenced by hand) spread them over a few tens of milliseconds (the
melody leads by about 30 ms: W. Goebl, "Melody lead in piano performance: expressive
device or artifact?", JASA 110(1), 2001). `performed` shifts each note's onset and offset
by a seeded normal draw (its length kept), so that the MIDI engine can be measured on the
same pieces played: 12 ms spreads a four-note chord over about 25-45 ms.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..music.midi import MidiNotes


def performed(notes: MidiNotes, onset_sd: float, seed: int = 0) -> tuple[MidiNotes, np.ndarray]:
    """`notes` with every onset and offset moved by the same normal draw (sd `onset_sd`
    seconds, never before 0), sorted again by (onset, pitch), the pedal kept; and the order
    (N,): played note i is note order[i] of `notes`."""
    shift = np.random.default_rng(seed).normal(0.0, onset_sd, len(notes))
    onset = np.maximum(notes.onset + shift, 0.0)
    offset = notes.offset + (onset - notes.onset)
    order = np.lexsort((notes.pitch, onset))
    finger = None if notes.finger is None else notes.finger[order]
    played = replace(
        notes,
        pitch=notes.pitch[order],
        onset=onset[order],
        offset=offset[order],
        velocity=notes.velocity[order],
        track=notes.track[order],
        finger=finger,
    )
    return played, order
