import numpy as np

from s2c_core.evaluate.hand_scores import engine_fingers, piece_notes, split_score
from s2c_core.evaluate.stress_corpus import stress_pieces

PIECES = {piece.name: piece for piece in stress_pieces()}


def test_split_score_counts_every_named_note():
    notes = piece_notes(PIECES["alberti"])
    agree, compared = split_score(notes)
    assert compared == len(notes) and 0 <= agree <= compared


def test_engine_fingers_follow_the_tracks_hands():
    notes = piece_notes(PIECES["scale_C_major"])
    finger = engine_fingers(notes)
    assert finger.shape == (len(notes),) and np.all((finger >= 1) & (finger <= 5))
