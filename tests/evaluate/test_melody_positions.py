import numpy as np

from s2c_core.evaluate.melody_positions import PositionScores, position_stretches, score_melody

C, D, E, F, G, A = 60, 62, 64, 65, 67, 69
ODE = [E, E, F, G, G, F, E, D, C, C, D, E, E, D, D]  # within C-G: one position
ODE_BOOK = [3, 3, 4, 5, 5, 4, 3, 2, 1, 1, 2, 3, 3, 2, 2]


def test_a_melody_within_a_fifth_is_one_stretch():
    assert position_stretches(np.array(ODE)) == [(0, len(ODE) - 1)]
    # C D E F G A: the sixth leaves the position, so two stretches overlap
    assert position_stretches(np.array([C, D, E, F, G, A])) == [(0, 4), (1, 5)]
    assert position_stretches(np.array([C, G, C, G])) == []  # fewer than five notes


def test_the_book_fingering_keeps_the_position():
    scores = score_melody(np.array(ODE), np.array(ODE_BOOK), "right")
    assert scores == PositionScores(notes=15, in_position=14, breaks=0, crossings=0,
                                    forced=15, forced_kept=15)  # fmt: skip
    left = score_melody(np.array(ODE) - 12, 6 - np.array(ODE_BOOK), "left")
    assert (left.breaks, left.forced_kept) == (0, 15)


def test_each_kind_of_break_counts():
    finger = np.array(ODE_BOOK)
    finger[1] = 2  # E(3) E(2): another finger on the key just struck
    finger[7] = 3  # E(3) D(3): one finger on two keys
    finger[10] = 1  # C(1) D(1): the same
    scores = score_melody(np.array(ODE), finger, "right")
    assert (scores.breaks, scores.crossings, scores.forced_kept) == (3, 0, 12)
    crossed = score_melody(np.array([C, D, E, F, G]), np.array([1, 2, 3, 1, 2]), "right")
    assert (crossed.breaks, crossed.crossings, crossed.forced_kept) == (1, 1, 3)


def test_scores_pool():
    one = score_melody(np.array(ODE), np.array(ODE_BOOK), "right")
    assert (one + one).notes == 30 and (one + PositionScores()) == one
