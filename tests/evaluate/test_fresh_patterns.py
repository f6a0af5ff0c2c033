import numpy as np
import pytest

from s2c_core.evaluate.fresh_patterns import FAMILIES, fresh_pieces, main
from s2c_core.evaluate.stress_corpus import TRACK_NAMES
from s2c_core.music.keyboard import HIGHEST_PITCH, LOWEST_PITCH
from s2c_core.music.midi import read_midi
from tests.evaluate.generated_pieces import midi_bytes


def test_a_seed_gives_the_same_pieces_and_another_seed_new_ones():
    first, again, other = fresh_pieces(5), fresh_pieces(5), fresh_pieces(6)
    assert [p.family for p in first] == list(FAMILIES)
    assert all(midi_bytes(a) == midi_bytes(b) for a, b in zip(first, again, strict=True))
    assert all(midi_bytes(a) != midi_bytes(b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("seed", range(20))
def test_every_note_has_a_hand_and_each_hand_can_play_its_notes(seed):
    for piece in fresh_pieces(seed):
        assert {i.name for i in piece.midi.instruments} == set(TRACK_NAMES.values())
        for instrument in piece.midi.instruments:
            starts = {}
            for note in instrument.notes:
                assert LOWEST_PITCH <= note.pitch <= HIGHEST_PITCH
                starts.setdefault(note.start, []).append(note.pitch)
            for chord in starts.values():  # at most five notes, a major tenth
                assert len(chord) <= 5 and max(chord) - min(chord) <= 16, piece.name


def test_main_writes_every_family_with_named_hands(tmp_path):
    assert main([str(tmp_path), "3"]) == 0
    for family in FAMILIES:
        notes = read_midi(tmp_path / f"fresh3_{family}.mid")
        assert len(notes) > 100 and np.all(notes.named_hands() >= 0), family
