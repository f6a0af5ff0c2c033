"""Fingering habits (s2c_core/evaluate/fingering_habits.py) on hand-made lines."""

import numpy as np

from s2c_core.evaluate.fingering_habits import HabitCounts, hand_habits


def _habits(pitch, finger, step=0.15, side="right", onset=None):
    onset = np.arange(len(pitch)) * step if onset is None else np.asarray(onset, float)
    return hand_habits(np.asarray(pitch), onset, np.asarray(finger), side)


def test_a_thumb_passing_straight_back_is_counted_a_chromatic_one_is_not():
    assert _habits([71, 69, 67], [1, 2, 1]).thumb_returns == 1  # B4-A4-G4
    assert _habits([71, 69, 67], [3, 2, 1]).thumb_returns == 0
    assert _habits([62, 61, 60], [1, 3, 1]).thumb_returns == 0  # over the black C#
    # Towards the thumb is down for the right hand, up for the left.
    assert _habits([55, 57, 59], [1, 2, 1], side="left").thumb_returns == 1
    assert _habits([67, 69, 71], [1, 2, 1]).thumb_returns == 0  # a thumb passing under


def test_pairs_count_one_finger_on_two_keys_and_stretches_but_not_thumb_passes():
    counts = _habits([60, 64, 65, 60], [1, 1, 3, 1])
    assert (counts.pairs, counts.same_finger) == (3, 1)
    assert _habits([64, 65], [3, 1]).uncomfortable == 0  # the thumb passes under 3
    stretched = _habits([60, 72], [2, 3])  # an octave between 2 and 3
    assert stretched.uncomfortable == 1 and stretched.impractical == 1
    assert _habits([60, 72], [2, 3], step=0.3).pairs == 0  # slower: no pair


def test_a_rolled_chord_fingered_out_of_order_is_counted():
    onset = [0.0, 0.035, 0.07, 0.105]
    out_of_order = _habits([45, 49, 52, 57], [5, 3, 1, 1], side="left", onset=onset)
    assert (out_of_order.rolls, out_of_order.rolls_out_of_order) == (1, 1)
    in_order = _habits([45, 49, 52, 57], [5, 3, 2, 1], side="left", onset=onset)
    assert (in_order.rolls, in_order.rolls_out_of_order) == (1, 0)


def test_counts_pool():
    assert HabitCounts(1, 2, 3, 4, 5, 6, 7) + HabitCounts(1, 1, 1, 1, 1, 1, 1) == HabitCounts(
        2, 3, 4, 5, 6, 7, 8
    )
