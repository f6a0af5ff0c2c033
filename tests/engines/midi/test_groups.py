"""Onset groups: which notes are struck together (engines/midi/groups.py)."""

import numpy as np

from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.engines.midi.groups import group_bounds, onset_groups, with_rolled_chords

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


def _rolled(onset, pitch):
    onset, pitch = np.asarray(onset, float), np.asarray(pitch)
    groups = onset_groups(onset, pitch, WINDOW, 5)
    return with_rolled_chords(groups, onset, pitch, 5).tolist()


def test_a_chord_the_file_rolls_note_by_note_is_one_group():
    # K. 331's rolled A2-C#3-E3-A3, 35 ms a note: onset groups keep the first three and
    # leave the A3 apart; the roll is one chord (one hand shape), then its repeated A3s.
    roll = [0.0, 0.035, 0.07, 0.105, 0.3, 0.5]
    assert _rolled(roll, [45, 49, 52, 57, 57, 57]) == [0, 0, 0, 0, 1, 2]
    # Falling, 50 ms a note, a single group each before.
    assert _rolled([0.0, 0.05, 0.1, 0.15], [72, 67, 64, 60]) == [0, 0, 0, 0]


def test_runs_that_are_no_rolled_chord_keep_their_groups():
    steps = np.arange(5) * 0.05
    assert _rolled(steps, [60, 62, 64, 65, 67]) == [0, 1, 2, 3, 4]  # a scale steps
    assert _rolled(steps[:4], [48, 55, 64, 72]) == [0, 1, 2, 3]  # wider than an octave
    assert _rolled(steps[:3], [60, 64, 60]) == [0, 1, 2]  # turns back
    slow = np.arange(4) * 0.1
    assert _rolled(slow, [45, 49, 52, 57]) == [0, 1, 2, 3]  # a broken chord, not a roll
    # A roll whose first note shares its onset with another note is a chord and a run.
    assert _rolled([0.0, 0.0, 0.05, 0.1], [40, 45, 49, 52]) == [0, 0, 1, 2]
