from pathlib import Path

import numpy as np
import pytest

from s2c_core.music import midi
from s2c_core.music.midi import MidiNotes, read_midi
from s2c_core.music.midi_write import piano_midi, write_midi


def transcribed_notes(path="rec.wav") -> MidiNotes:
    table = [(48, 0.0, 2.0, 30), (60, 0.5, 0.75, 64), (64, 0.5, 1.0, 100), (60, 1.25, 1.5, 127)]
    return midi.transcribed_notes(Path(path), np.array(table), [(0.25, 1.0), (1.5, 2.5)])


def test_notes_velocities_and_pedal_survive_a_round_trip(tmp_path):
    notes = transcribed_notes()
    back = read_midi(write_midi(notes, tmp_path / "notes.mid"))

    np.testing.assert_array_equal(back.pitch, notes.pitch)
    np.testing.assert_array_equal(back.velocity, notes.velocity)
    np.testing.assert_allclose(back.onset, notes.onset, atol=2e-3)
    np.testing.assert_allclose(back.offset, notes.offset, atol=2e-3)
    np.testing.assert_allclose(back.pedal, notes.pedal, atol=2e-3)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.mid"]


def test_a_failed_write_leaves_no_file(tmp_path):
    notes = transcribed_notes()
    bad = MidiNotes(**{**notes.__dict__, "velocity": np.array([30, 64, 100, 300])})
    with pytest.raises(ValueError):
        write_midi(bad, tmp_path / "notes.mid")
    assert list(tmp_path.iterdir()) == []


def test_for_a_synthesiser_the_pedal_is_folded_into_the_notes():
    notes = transcribed_notes()
    (piano,) = piano_midi(notes, pedal_in_notes=True).instruments
    np.testing.assert_allclose([note.end for note in piano.notes], notes.sounding_offset)
    assert piano.control_changes == []
    (as_played,) = piano_midi(notes).instruments
    assert [(cc.value, cc.time) for cc in as_played.control_changes] == [
        (127, 0.25), (0, 1.0), (127, 1.5), (0, 2.5)
    ]  # fmt: skip
