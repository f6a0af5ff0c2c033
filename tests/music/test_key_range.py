"""Notes folded by octaves onto a smaller keyboard."""

import numpy as np
import pytest

from s2c_core.music.key_range import fold_into_range
from s2c_core.music.midi import MidiNotes


def notes(pitches) -> MidiNotes:
    n = len(pitches)
    return MidiNotes(
        path="x.mid",
        pitch=np.array(pitches, dtype=np.int64),
        onset=np.arange(n, dtype=float),
        offset=np.arange(n, dtype=float) + 0.5,
        velocity=np.full(n, 80),
        track=np.zeros(n, dtype=np.int64),
        track_names=("piano",),
        dropped_out_of_range=0,
    )


def test_notes_beyond_a_61_key_keyboard_move_inside_by_octaves():
    folded = fold_into_range(notes([21, 35, 36, 60, 96, 97, 108]), 36, 96)
    assert folded.pitch.tolist() == [45, 47, 36, 60, 96, 85, 96]
    assert (folded.pitch % 12 == np.array([21, 35, 36, 60, 96, 97, 108]) % 12).all()


@pytest.mark.parametrize(("low", "high"), [(36, 40), (10, 96), (36, 120)])
def test_a_range_that_cannot_hold_an_octave_is_refused(low, high):
    with pytest.raises(ValueError, match="key range"):
        fold_into_range(notes([60]), low, high)
