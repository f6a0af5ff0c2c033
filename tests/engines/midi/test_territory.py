from pathlib import Path

import numpy as np

from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.engines.midi.engine import generate_from_notes, plan_notes
from s2c_core.engines.midi.fingering import FingeringCosts, _territory_costs
from s2c_core.engines.midi.metrics import hand_clash_share
from s2c_core.engines.midi.territory import other_hand_neighbour
from s2c_core.music.keyboard import Keyboard
from s2c_core.music.midi import MidiNotes

# Debussy, "Clair de lune", bars 5-8 (../shared/data/midi/deb_clai.mid, 11.9-19.4 s): the
# left hand holds E-flat4 + F-sharp4 while the right plays thirds from A-flat4 just above it.
# Rows: pitch, onset, offset, hand (0 left, 1 right), as the file's tracks give them.
CLAIR_DE_LUNE = [
    (63, 11.99, 15.77, 0), (66, 11.99, 15.76, 0), (68, 12.41, 12.81, 1), (72, 12.41, 12.81, 1),
    (70, 12.81, 13.23, 1), (73, 12.81, 13.23, 1), (68, 13.23, 16.19, 1), (72, 13.23, 16.19, 1),
    (61, 15.77, 18.18, 0), (63, 15.77, 18.18, 0), (66, 15.77, 18.18, 1), (70, 16.19, 16.6, 1),
    (72, 16.6, 17.0, 1), (70, 17.0, 17.41, 1), (75, 17.41, 17.79, 1), (70, 17.79, 18.18, 1),
    (60, 18.18, 19.34, 0), (63, 18.18, 19.34, 0), (66, 18.18, 19.34, 1), (68, 18.18, 18.57, 1),
    (70, 18.57, 18.96, 1), (68, 18.96, 19.75, 1), (58, 19.34, 21.68, 0), (61, 19.34, 21.68, 0),
    (63, 19.34, 21.68, 1),
]  # fmt: skip


def _clair_de_lune() -> tuple[MidiNotes, np.ndarray]:
    pitch, onset, offset, hand = (np.array(column) for column in zip(*CLAIR_DE_LUNE, strict=True))
    n = len(pitch)
    notes = MidiNotes(Path("clair.mid"), pitch.astype(np.int64), onset, offset,
                      np.full(n, 60), hand.astype(np.int64), ("left", "right"))  # fmt: skip
    return notes, hand.astype(np.int64)


def test_the_neighbour_is_the_other_hands_nearest_key_on_the_thumb_side():
    pitch = np.array([48, 55, 60, 64, 79])
    onset = np.array([0.0, 0.0, 0.0, 0.5, 0.5])
    offset = np.array([2.0, 0.4, 2.0, 1.0, 1.0])
    hand = np.array([0, 0, 1, 1, 1])
    neighbour = other_hand_neighbour(pitch, onset, offset, hand, 0.05)
    # C3 is held under the right hand's notes; G3 was let go before E4 and G5 came.
    np.testing.assert_array_equal(neighbour[2:], [55, 48, 48])
    # The left hand's thumb side is above it: middle C, held, and at first E4 not yet down.
    np.testing.assert_array_equal(neighbour[:2], [60, 60])


def test_keys_beyond_the_little_finger_and_unknown_hands_have_no_neighbour():
    pitch, onset, offset = np.array([72, 60, 65]), np.zeros(3), np.ones(3)
    neighbour = other_hand_neighbour(pitch, onset, offset, np.array([0, 1, -1]), 0.05)
    assert np.isnan(neighbour).all()  # the left hand's C5 lies above the right hand's C4


def test_a_finger_that_puts_the_thumb_on_the_other_hands_keys_pays():
    # A right-hand A-flat4 over the left hand's F-sharp4: the thumb on it is clear, finger 2
    # puts the thumb about on F-sharp4 (2 semitones inside the margin), finger 3 below it.
    cost = _territory_costs(np.array([68]), np.array([66.0]), 1, FingeringCosts())[0]
    np.testing.assert_allclose(cost, [0.0, 1.0, 3.0, 5.0, 7.0])
    mirrored = _territory_costs(np.array([52]), np.array([54.0]), -1, FingeringCosts())[0]
    np.testing.assert_allclose(mirrored, cost)
    assert not _territory_costs(np.array([68]), np.array([np.nan]), 1, FingeringCosts()).any()


def test_the_right_hand_keeps_its_thumb_off_the_left_hands_held_keys():
    notes, hand = _clair_de_lune()
    plan = plan_notes(notes, Keyboard(), MidiEngineConfig(), hand=hand)
    # A-flat4 + C5 with the thumb, then B-flat4 + D-flat5 with 2-4 (without the other hand's
    # keys in the costs: 2-4 then 3-5, the thumb on the left hand's F-sharp4).
    first_thirds = (notes.onset < 13.0) & (hand == 1)
    np.testing.assert_array_equal(plan.finger[first_thirds], [1, 3, 2, 4])


def test_the_hands_do_not_clash_in_clair_de_lunes_close_position():
    notes, hand = _clair_de_lune()
    motion = generate_from_notes(notes, MidiEngineConfig(honour_tracks=True))
    np.testing.assert_array_equal(motion.notes[:, 4], hand)
    assert hand_clash_share(motion) <= 0.02
