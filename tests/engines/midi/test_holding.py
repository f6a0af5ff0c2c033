"""How long a hand holds each key down (engines/midi/holding.py)."""

from pathlib import Path

import numpy as np
import pytest

from s2c_core.engines.midi import MidiEngineConfig, generate_from_notes
from s2c_core.engines.midi.holding import SHORTEST_HOLD, release_out_of_reach
from s2c_core.music.midi import MidiNotes

SPAN, SPEED, MOVE = 0.08, 3.0, 0.25  # m, m/s, s: as MidiEngineConfig (hold_span etc.)


def test_a_key_is_let_go_when_the_wrist_sets_off_for_a_leap_to_the_next_strike():
    """A stride bass held under the pedal, then a chord 20 cm away 0.4 s later: the wrist
    sets off 0.25 s before the chord (wrist_move_time), and the bass is let go then, not
    at the last moment its top speed would allow (0.4 - 1.875 * 0.2 / 3 = 0.275 s)."""
    release = release_out_of_reach(
        np.array([0.0, 0.4]), np.array([1.0, 1.0]), np.array([0.0, 0.2]), SPAN, SPEED, MOVE
    )
    assert release == pytest.approx([0.4 - MOVE, 1.0])


def test_a_key_held_over_a_run_is_let_go_as_late_as_the_far_strike_allows():
    """A held note, a run starting next to it and a note beyond the span at its end: the
    hand goes there through the run, so the held key is let go only as the wrist must
    hurry to the far note; and never before it was held SHORTEST_HOLD."""
    onset = np.array([0.0, 0.1, 0.2, 0.3])
    x = np.array([0.0, 0.02, 0.04, 0.2])
    release = release_out_of_reach(onset, np.full(4, 1.0), x, SPAN, SPEED, MOVE)
    assert release[0] == pytest.approx(0.3 - 1.875 * 0.2 / SPEED)
    soon = release_out_of_reach(onset[[0, 3]] * 0.1, np.ones(2), x[[0, 3]], SPAN, SPEED, MOVE)
    assert soon[0] == SHORTEST_HOLD


def test_a_key_comes_up_in_the_take_when_the_hand_lets_go_of_it():
    """A left-hand bass written for a whole second under a chord 0.4 s later and an
    octave and more higher: the hand leaves it for the chord, and the take's notes table (which the
    piano's keys follow in Blender) has its key come up then, not when its sound ends."""
    pitch = np.array([40, 52, 56, 59])  # E2, then E3 G#3 B3
    onset, offset = np.array([0.0, 0.4, 0.4, 0.4]), np.array([1.0, 0.8, 0.8, 0.8])
    notes = MidiNotes(Path("stride.mid"), pitch, onset, offset, np.full(4, 80),
                      np.zeros(4, np.int64), ("Piano left",))  # fmt: skip
    table = generate_from_notes(notes, MidiEngineConfig(honour_tracks=True)).notes
    bass = table[table[:, 0] == 40][0]
    assert bass[2] == pytest.approx(0.4 - MOVE)
    np.testing.assert_allclose(table[table[:, 0] != 40][:, 2], 0.8)
