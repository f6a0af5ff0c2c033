import warnings
from collections import defaultdict

import numpy as np

from s2c_core.evaluate.hand_scores import (
    engine_fingers,
    fingering_score,
    piece_notes,
    shared_pieces,
    split_score,
)
from s2c_core.evaluate.stress_corpus import stress_pieces
from tests.engines.midi.midi_files import write_midi

PIECES = {piece.name: piece for piece in stress_pieces()}


def test_split_score_counts_every_named_note():
    notes = piece_notes(PIECES["alberti"])
    agree, compared = split_score(notes)
    assert compared == len(notes) and 0 <= agree <= compared


def test_engine_fingers_follow_the_tracks_hands():
    notes = piece_notes(PIECES["scale_C_major"])
    finger = engine_fingers(notes)
    assert finger.shape == (len(notes),) and np.all((finger >= 1) & (finger <= 5))


def test_engine_reproduces_textbook_fingerings():
    """Scales, arpeggios, five-finger positions, broken triads and broken octave chords in 24
    keys, chromatic runs, an Alberti bass, Hanon's first exercise and glissandi, both hands
    (textbook_fingering cites the sources); hands from the tracks, so only the finger choice
    is scored."""
    scores = defaultdict(lambda: np.zeros(2, dtype=int))
    for piece in PIECES.values():
        if piece.fingering is not None:
            scores[piece.family] += fingering_score(piece_notes(piece), piece.fingering)
    agree, claimed = sum(scores.values())
    assert claimed > 6000
    assert agree / claimed >= 0.975  # measured 98.6 % (the issue asks 95 %)
    # Figures played from one hand position, not run through as scales: 71.3 %, 71.8 % and
    # 68.8 % before fingering.py's position rules (the thumb kept off the black keys).
    rate = {family: a / c for family, (a, c) in scores.items()}
    assert rate["five_finger"] >= 0.95 and rate["broken_triad"] >= 0.95  # 100 %, 100 %
    assert rate["alberti"] >= 0.9  # 93.8 %: the hand moves between bars
    # 4-5 on a third, 3-5 on a fourth: 65.6 % before fingering.py's broken octave chords.
    assert rate["broken_chord"] >= 0.95  # 100 %
    # Hanon's figure shifts the hand a key each bar without passing the thumb: 100 %.
    assert rate["hanon"] >= 0.95
    # A glissando is drawn with one finger (Hofmann's): 1-2-3 with thumb passes before.
    assert rate["glissando"] >= 0.95


def test_shared_pieces_come_by_name_with_the_tuning_set_marked(tmp_path):
    write_midi(tmp_path / "zz.mid", {"Piano right": [(60, 0.0, 0.5)]})
    write_midi(tmp_path / "bach_846.mid", {"Piano right": [(20, 0.0, 0.5), (62, 0.0, 0.5)]})
    (tmp_path / "notes.txt").write_text("not a piece")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the out-of-range A0-1 is dropped without a warning
        pieces = shared_pieces(tmp_path)
    assert [label for label, _ in pieces] == ["*bach_846", " zz"]
    assert pieces[0][1].pitch.tolist() == [62] and pieces[0][1].dropped_out_of_range == 1
