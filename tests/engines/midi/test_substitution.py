from pathlib import Path

import numpy as np
import pytest

from s2c_core.engines.midi import generate_from_notes
from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.engines.midi.engine import plan_notes
from s2c_core.engines.midi.metrics import key_contact, stray_press_share, substitution_contact
from s2c_core.engines.midi.substitution import plan_substitutions
from s2c_core.evaluate.hand_scores import piece_notes
from s2c_core.evaluate.stress_corpus import stress_pieces
from s2c_core.motion import load_motion, save_motion
from s2c_core.music.keyboard import Keyboard
from s2c_core.music.midi import MidiNotes, read_midi
from tests.engines.midi.midi_files import SHARED_MIDI

LEAD = MidiEngineConfig().approach_time
# Right hand: C5 held by 4 over an inner voice G4 A4 B4 A4 G4 whose B4 the file gives to 4,
# as in a chorale's alto under a held soprano: 5 must take over C5 before 4 plays B4.
HELD_SOPRANO = [(72, 0.5, 2.5, 4), (67, 0.5, 0.85, 1), (69, 0.9, 1.25, 2), (71, 1.3, 1.65, 4),
                (69, 1.7, 2.05, 3), (67, 2.1, 2.45, 1)]  # fmt: skip
# The file's track names the hand (the split, with the left hand idle, may give the inner
# voice to it; these tests are about the right hand's substitution).
AS_WRITTEN = MidiEngineConfig(honour_tracks=True)


def _columns(rows):
    return (np.array(c) for c in zip(*sorted(rows, key=lambda r: (r[1], r[0])), strict=True))


def _plan(rows, side="right"):
    pitch, onset, release, finger = _columns(rows)
    return plan_substitutions(pitch, onset, release, finger.astype(np.int64), side, LEAD).swaps


def test_a_held_key_its_finger_is_needed_for_is_taken_over_by_the_neighbour():
    swaps = _plan(HELD_SOPRANO)
    # notes by onset, then pitch: G4, C5, ...; C5 goes from 4 to 5, on the side away from B4
    assert swaps.finger.tolist() == [0, 5, 0, 0, 0, 0]
    assert swaps.time[1] == pytest.approx(1.3 - LEAD)  # as 4 leaves for B4


def test_the_substitute_lets_go_when_the_hand_leaves_for_a_key_beyond_its_span():
    # as above, but the thumb leaps down to G3 at 2.0 s, 17 semitones below C5: more than
    # 1 and 5 can span (15). The plan lets C5 go at 1.95 s, just before; 5 lets go of it
    # as the thumb starts for G3.
    rows = [(72, 0.5, 1.95, 4), *HELD_SOPRANO[1:4], (55, 2.0, 2.3, 1)]
    pitch, onset, release, finger = _columns(rows)
    plan = plan_substitutions(pitch, onset, release, finger.astype(np.int64), "right", LEAD)
    c5 = int(np.flatnonzero(pitch == 72)[0])
    assert plan.swaps.finger[c5] == 5 and plan.release[c5] == pytest.approx(2.0 - LEAD)
    assert np.array_equal(np.delete(plan.release, c5), np.delete(release, c5))


def test_the_left_hand_substitutes_towards_its_own_little_finger():
    # LH: C3 held by 4 over G3 F3 E3 (1 2 4): 5 takes C3 over, below E3 in pitch.
    rows = [(48, 0.5, 2.0, 4), (55, 0.5, 0.8, 1), (53, 0.9, 1.2, 2), (52, 1.3, 1.6, 4)]
    assert _plan(rows, "left").finger.tolist() == [5, 0, 0, 0]


@pytest.mark.parametrize(
    "rows",
    [
        # the little finger holds C5 and is needed below it: no finger beyond it
        [(72, 0.5, 2.5, 5), (67, 0.5, 0.85, 1), (71, 1.3, 1.65, 5)],
        # 5 already holds D5 above the held C5: no free finger on that side
        [(72, 0.5, 2.5, 4), (74, 0.5, 2.5, 5), (67, 0.5, 0.85, 1), (71, 1.3, 1.65, 4)],
        # the key is let go before the finger is needed
        [(72, 0.5, 1.2, 4), (67, 0.5, 0.85, 1), (71, 1.3, 1.65, 4)],
        # no time to change fingers between the strike and the finger's next note
        [(72, 0.5, 2.5, 4), (67, 0.5, 0.55, 1), (71, 0.56, 1.0, 4)],
    ],
)
def test_no_substitution_without_a_free_finger_a_held_key_or_time(rows):
    assert not _plan(rows).finger.any()


def _notes(rows) -> MidiNotes:
    pitch, onset, offset, finger = _columns(rows)
    n, whole = len(rows), np.int64
    return MidiNotes(Path("held.mid"), pitch.astype(whole), onset, offset, np.full(n, 80),
                     np.zeros(n, whole), ("Piano right",), finger=finger.astype(whole))  # fmt: skip


def test_the_animated_hand_keeps_the_key_down_through_a_substitution(tmp_path):
    motion = generate_from_notes(_notes(HELD_SOPRANO), AS_WRITTEN)
    c5 = int(np.flatnonzero(motion.notes[:, 0] == 72)[0])
    np.testing.assert_allclose(motion.substitutions, [[c5, 5, 1.3 - LEAD]])
    keyboard = Keyboard()
    assert substitution_contact(motion, keyboard).all()
    assert key_contact(motion, keyboard).all() and stray_press_share(motion, keyboard) == 0
    saved = load_motion(save_motion(motion, tmp_path / "take.npz"))
    np.testing.assert_array_equal(saved.substitutions, motion.substitutions)


def test_substitution_contact_fails_when_the_substitute_is_elsewhere():
    motion = generate_from_notes(_notes(HELD_SOPRANO), AS_WRITTEN)
    motion.substitutions[0, 1] = 2  # 2 plays A4 meanwhile: it is not on C5
    assert not substitution_contact(motion, Keyboard()).any()


def test_lines_without_held_keys_never_substitute():
    lines = ("scale_C_major", "scale_Fs_major", "arpeggio_Eb_major", "arpeggio_bb_minor")
    for piece in stress_pieces():
        if piece.name in lines or piece.family in ("chromatic", "trill", "repeated"):
            plan = plan_notes(piece_notes(piece), Keyboard(), MidiEngineConfig())
            assert not plan.substitution_table().size, piece.name


@pytest.mark.parametrize("name", ["grieg_butterfly", "deb_clai"])
def test_substitutions_in_a_real_piece_keep_their_keys_down(name):
    """Held-out pieces: in grieg_butterfly the right hand holds F#5 with 4 while a run starts
    below it with 4 (D5 C#5 B4), so 5 takes F#5 over; deb_clai has three such moments."""
    path = SHARED_MIDI / f"{name}.mid"
    if not path.is_file():
        pytest.skip("shared test MIDI files are not available")
    motion = generate_from_notes(read_midi(path))
    assert len(motion.substitutions) >= 1
    assert substitution_contact(motion, Keyboard()).all()
