from pathlib import Path

import numpy as np
import pytest

from s2c_core.music.midi import RELEASE_TAIL_S, MidiReadError, read_midi, transcribed_notes
from tests.engines.midi.midi_files import SHARED_MIDI, run, write_midi


def test_reads_all_pitched_tracks_sorted(tmp_path):
    path = write_midi(
        tmp_path / "two.mid",
        {"Piano right": run([72, 74]), "Piano left": [(48, 0.5, 1.0), (43, 0.5, 1.0)]},
        drums=[(36, 0.0, 0.1)],
    )
    notes = read_midi(path)
    assert notes.pitch.tolist() == [43, 48, 72, 74]
    assert np.all(np.diff(notes.onset) >= 0)
    assert np.allclose(notes.onset, [0.5, 0.5, 0.5, 0.75])
    assert notes.track_names == ("Piano right", "Piano left", "drums")
    assert notes.named_hands().tolist() == [0, 0, 1, 1]
    assert notes.velocity.tolist() == [80] * 4
    assert notes.duration == pytest.approx(1.0)


def test_missing_file_is_one_clear_line(tmp_path):
    path = tmp_path / "nope.mid"
    with pytest.raises(MidiReadError, match="no such MIDI file") as error:
        read_midi(path)
    assert str(error.value).startswith(str(path))
    assert "\n" not in str(error.value)


def test_corrupt_file(tmp_path):
    path = tmp_path / "bad.mid"
    path.write_bytes(b"MThd\x00\x00\x00\x06garbage" + bytes(range(50)))
    with pytest.raises(MidiReadError, match="not a readable MIDI file") as error:
        read_midi(path)
    assert str(error.value).startswith(str(path))


@pytest.mark.parametrize("drums", [[], [(36, 0.0, 0.5)]], ids=["empty", "drums-only"])
def test_no_pitched_notes(tmp_path, drums):
    path = write_midi(tmp_path / "empty.mid", {}, drums=drums)
    with pytest.raises(MidiReadError, match="no pitched notes"):
        read_midi(path)


def test_out_of_range_notes_are_dropped_with_a_warning(tmp_path):
    path = write_midi(tmp_path / "wide.mid", {"p": [(10, 0, 1), (60, 0, 1), (120, 0, 1)]})
    with pytest.warns(UserWarning, match="dropped 2 note"):
        notes = read_midi(path)
    assert notes.pitch.tolist() == [60]
    assert notes.dropped_out_of_range == 2


def test_only_out_of_range_notes_is_an_error(tmp_path):
    path = write_midi(tmp_path / "low.mid", {"p": [(5, 0, 1)]})
    with pytest.warns(UserWarning), pytest.raises(MidiReadError, match="piano range"):
        read_midi(path)


def test_sustain_free_restrike_cuts_the_earlier_note(tmp_path):
    path = write_midi(tmp_path / "again.mid", {"a": [(60, 0.0, 2.0)], "b": [(60, 1.0, 1.5)]})
    notes = read_midi(path)
    assert notes.onset.tolist() == [0.0, 1.0]
    assert notes.offset.tolist() == [1.0, 1.5]


def test_duplicate_strikes_collapse(tmp_path):
    path = write_midi(tmp_path / "dup.mid", {"a": [(60, 0.0, 1.0)], "b": [(60, 0.0, 0.5)]})
    assert len(read_midi(path)) == 1


def test_reads_a_real_file():
    path = SHARED_MIDI / "chpn-p7.mid"
    if not path.is_file():
        pytest.skip("shared test MIDI files are not available")
    notes = read_midi(path)
    assert len(notes) == 167
    assert set(notes.named_hands().tolist()) == {0, 1}


def _with_pedal(path, changes):
    import pretty_midi

    midi = pretty_midi.PrettyMIDI(str(path))
    for time, value in changes:
        midi.instruments[0].control_changes.append(pretty_midi.ControlChange(64, value, time))
    midi.write(str(path))
    return path


def test_sustain_pedal_extends_how_long_notes_sound(tmp_path):
    notes = [(60, 0.0, 0.5), (64, 0.0, 0.5), (60, 2.0, 2.5), (67, 3.0, 3.2)]
    path = write_midi(tmp_path / "pedal.mid", {"Piano": notes})
    # down at 0.2, up at 2.4; down again at 3.1 and never lifted
    notes = read_midi(_with_pedal(path, [(0.2, 127), (2.4, 0), (3.1, 100)]))
    assert np.allclose(notes.pedal, [[0.2, 2.4], [3.1, 3.2]], atol=1e-3)
    assert notes.offset.tolist() == pytest.approx([0.5, 0.5, 2.5, 3.2])  # keys still let go
    # 60 is re-struck at 2.0, so it stops sounding there; 64 sounds until the pedal lifts
    assert notes.sounding_offset.tolist() == pytest.approx([2.0, 2.4, 2.5, 3.2])
    assert notes.sounding_end == pytest.approx(3.2)
    assert notes.end == pytest.approx(3.2 + RELEASE_TAIL_S)


def test_no_pedal_means_notes_sound_until_released(tmp_path):
    notes = read_midi(write_midi(tmp_path / "dry.mid", {"Piano": run([60, 62, 64])}))
    assert notes.pedal.shape == (0, 2)
    assert np.array_equal(notes.sounding_offset, notes.offset)


def test_transcribed_notes_are_one_sorted_track_with_midi_velocities():
    table = [(64, 0.5, 0.9, 80.4), (60, 0.5, 0.7, 0.2), (48, 0.1, 0.4, 300.0)]
    notes = transcribed_notes(Path("take.wav"), np.array(table), [(2.0, 3.0), (0.0, 1.0)])
    assert notes.pitch.tolist() == [48, 60, 64]  # by onset, then pitch
    assert notes.offset.tolist() == [0.4, 0.7, 0.9]
    assert notes.velocity.tolist() == [127, 1, 80]  # rounded into 1..127
    assert notes.track_names == ("transcription",) and notes.named_hands().tolist() == [-1] * 3
    assert notes.pedal.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert transcribed_notes(Path("take.wav"), np.array(table)).pedal.shape == (0, 2)
