import numpy as np
import pytest

from s2c_core.evaluate.stress_corpus import FAMILIES, TRACK_NAMES, main, stress_pieces
from s2c_core.music.keyboard import HIGHEST_PITCH, LOWEST_PITCH
from s2c_core.music.midi import read_midi
from tests.evaluate.generated_pieces import midi_bytes

PIECES = stress_pieces()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stress")
    assert main([str(folder)]) == 0
    return {piece.name: read_midi(folder / f"{piece.name}.mid") for piece in PIECES}


def test_corpus_is_deterministic():
    again = stress_pieces()
    assert [p.name for p in again] == [p.name for p in PIECES]
    assert all(midi_bytes(a) == midi_bytes(b) for a, b in zip(again, PIECES, strict=True))


def test_every_family_is_present_with_24_keys_of_scales_and_arpeggios():
    families = [p.family for p in PIECES]
    assert set(families) == set(FAMILIES)
    assert families.count("scale") == families.count("arpeggio") == 24
    assert families.count("five_finger") == families.count("broken_triad") == 24
    assert families.count("broken_chord") == 24
    assert families.count("hanon") == families.count("glissando") == 1
    assert len({p.name for p in PIECES}) == len(PIECES)


def test_every_note_is_in_a_named_hand_track(written):
    for piece in PIECES:
        assert {i.name for i in piece.midi.instruments} == set(TRACK_NAMES.values())
        notes = written[piece.name]
        assert len(notes) == sum(len(i.notes) for i in piece.midi.instruments), piece.name
        assert np.all(notes.named_hands() >= 0)


def test_each_hand_plays_within_the_keyboard_and_its_span(written):
    for name, notes in written.items():
        assert notes.pitch.min() >= LOWEST_PITCH and notes.pitch.max() <= HIGHEST_PITCH
        hands = notes.named_hands()
        for hand in (0, 1):
            for onset in np.unique(notes.onset[hands == hand]):
                struck = notes.pitch[(hands == hand) & (notes.onset == onset)]
                assert len(struck) <= 5, name
                assert struck.max() - struck.min() <= 16, name  # a major tenth


def test_textbook_fingerings_follow_read_midi_order(written):
    claimed = [p for p in PIECES if p.fingering is not None]
    assert {p.family for p in claimed} == {
        "scale", "arpeggio", "chromatic", "alberti", "five_finger", "broken_triad",
        "broken_chord", "hanon", "glissando",
    }  # fmt: skip
    for piece in claimed:
        notes = written[piece.name]
        assert len(piece.fingering) == len(notes)
        # A scale piece plays each run three times (RH, LH, together) with one fingering.
        if piece.family == "scale":
            assert all(piece.fingering)
            assert all(f <= {1, 2, 3, 4, 5} for f in piece.fingering)


def test_pedal_piece_carries_sustain(written):
    assert len(written["pedal"].pedal) == 7
    assert written["pedal"].sounding_end > written["pedal"].duration


def test_stride_leaps_at_least_an_octave_and_a_half_at_120_bpm_or_faster(written):
    notes = written["stride"]
    left = notes.named_hands() == 0
    onsets = np.unique(notes.onset[left])
    assert np.diff(onsets).max() <= 0.5 + 1e-6  # a beat at 120 bpm or faster
    lowest = [notes.pitch[left & (notes.onset == t)].min() for t in onsets]
    leaps = np.abs(np.diff(lowest))
    assert leaps.min() >= 18
