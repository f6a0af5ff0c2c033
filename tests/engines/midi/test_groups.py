"""Onset groups: which notes are struck together (engines/midi/groups.py)."""

import numpy as np

from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.engines.midi.groups import group_bounds, onset_groups

WINDOW = MidiEngineConfig().chord_window  # 35 ms


def test_a_performed_chord_spread_over_tens_of_milliseconds_is_one_group():
    # Four notes 20 ms apart (60 ms from first to last, the melody note last): one chord,
    # though the last lies beyond one window of the first.
    onset = np.array([0.0, 0.02, 0.04, 0.06, 0.5])
    pitch = np.array([48, 55, 64, 72, 60])
    assert onset_groups(onset, pitch, WINDOW).tolist() == [0, 0, 0, 0, 1]


def test_notes_further_apart_than_the_window_or_the_spread_are_not_a_chord():
    # 40 ms apart: a fast run, one note each; 30 ms apart, the group closes 70 ms after
    # its first note; a key struck again starts a new group.
    run = np.arange(4) * 0.04
    assert onset_groups(run, np.array([60, 62, 64, 65]), WINDOW).tolist() == [0, 1, 2, 3]
    close = np.arange(5) * 0.03
    assert onset_groups(close, np.array([60, 64, 67, 72, 76]), WINDOW).tolist() == [0, 0, 0, 1, 1]
    again = np.array([0.0, 0.01, 0.02])
    assert onset_groups(again, np.array([60, 64, 60]), WINDOW).tolist() == [0, 0, 1]


def test_group_bounds_mark_where_each_group_starts():
    assert group_bounds(np.array([0, 0, 1, 2, 2, 2])).tolist() == [0, 2, 3, 6]
