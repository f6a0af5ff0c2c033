"""How long a hand holds each key down (engines/midi/holding.py)."""

import numpy as np
import pytest

from s2c_core.engines.midi.holding import SHORTEST_HOLD, release_out_of_reach

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
