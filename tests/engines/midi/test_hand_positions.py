"""Quick figures played from one hand position (engines/midi/hand_positions.py)."""

import numpy as np

from s2c_core.engines.midi import generate_from_notes
from s2c_core.engines.midi.hand_positions import hand_positions, position_means
from s2c_core.evaluate.hand_scores import piece_notes
from s2c_core.evaluate.stress_corpus import stress_pieces

SPAN, GAP = 0.05, 6


def wishes_at(x: list[float]) -> np.ndarray:
    return np.column_stack([x, np.zeros(len(x)), np.zeros(len(x))])


def test_a_trill_is_one_position_at_the_mean_of_its_wishes():
    # A 1-2 trill's notes, 2 frames apart, each released before the next: the reference
    # hand puts the wrist 45 mm further left for the index than for the thumb.
    on = np.arange(8) * 2
    wishes = wishes_at([0.764, 0.719] * 4)
    position = hand_positions(on, on + 1, wishes, SPAN, GAP)
    assert position.tolist() == [0] * 8
    np.testing.assert_allclose(position_means(position, wishes)[:, 0], 0.7415)


def test_a_figure_beyond_the_span_a_pause_or_a_held_key_starts_a_new_position():
    on = np.array([0, 2, 4, 6, 20, 22])
    off = on + 1
    off[4] = 22  # still down when the last note is struck
    wishes = wishes_at([0.0, 0.04, 0.0, 0.09, 0.09, 0.09])
    # 0.09 leaves the first figure's span; 20 comes after a pause; 22 while 20 is held
    assert hand_positions(on, off, wishes, SPAN, GAP).tolist() == [0, 0, 0, 1, 2, 3]


def test_a_key_struck_again_quickly_stays_in_the_position_whatever_finger_strikes_it():
    # 3-2-1-3 on one key: the reference hand's wishes lie up to 60 mm apart, beyond the
    # span, but the key is the same; a new key beyond the span still starts a new position.
    on = np.arange(5) * 3
    wishes = wishes_at([0.0, 0.03, 0.06, 0.0, 0.11])
    points = np.zeros((5, 3))
    points[4, 0] = 0.1
    assert hand_positions(on, on + 1, wishes, SPAN, GAP).tolist() == [0, 0, 1, 2, 3]
    assert hand_positions(on, on + 1, wishes, SPAN, GAP, points).tolist() == [0, 0, 0, 0, 1]


def test_a_chord_is_a_position_of_its_own():
    on = np.array([0, 2, 2, 4])
    wishes = wishes_at([0.0, 0.01, 0.02, 0.0])
    assert hand_positions(on, on + 1, wishes, SPAN, GAP).tolist() == [0, 1, 1, 2]


def test_the_hand_holds_still_over_a_trill():
    # The stress corpus's right-hand trill, C5-D5 with 1-2, 0.07 s per note: the wrist
    # swung 45 mm sideways with every note, and the hand turned by up to 0.31 rad as each
    # keyframe chose its own hand shape.
    (trill,) = [piece for piece in stress_pieces() if piece.family == "trill"]
    hand = generate_from_notes(piece_notes(trill)).hand("right")
    first_second = slice(0, 30)
    assert np.ptp(hand.joints[first_second, 0, 0]) < 0.015
    assert np.ptp(hand.global_orient[first_second], axis=0).max() < 0.1
