"""Reading PIG-format fingering files and scoring the engine against them."""

from pathlib import Path

import numpy as np
import pytest

from s2c_core.evaluate.human_fingering import agreement, read_pig, spelled_pitch
from s2c_core.music.midi import MidiReadError

RIGHT_SCALE = ("C4", "D4", "E4", "F4", "G4", "A4", "B4", "C5")
RIGHT_FINGERS = (1, 2, 3, 1, 2, 3, 4, 5)  # the textbook C major scale, right hand up
LEFT_SCALE = ("C3", "D3", "E3", "F3", "G3", "A3", "B3", "C4")
LEFT_FINGERS = (5, 4, 3, 2, 1, 3, 2, 1)  # and the left hand's


def _write_pig(path: Path, right=RIGHT_FINGERS, left=LEFT_FINGERS) -> Path:
    """Both hands' C major scales an octave apart, 0.3 s a note, as a PIG file."""
    lines = ["//Version: PianoFingering_v170101"]
    for index, (r_name, r_finger, l_name, l_finger) in enumerate(
        zip(RIGHT_SCALE, right, LEFT_SCALE, left, strict=True)
    ):
        onset = 0.3 * index
        lines.append(f"{2 * index} {onset:.4f} {onset + 0.28:.4f} {r_name} 64 80 0 {r_finger}")
        lines.append(f"{2 * index + 1} {onset:.4f} {onset + 0.28:.4f} {l_name} 64 80 1 -{l_finger}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_spelled_pitches_follow_scientific_pitch_notation():
    names = ("C4", "C#4", "Db4", "Bb3", "B#3", "Cb4", "A0", "C8", "F##2", "Ebb5")
    assert [spelled_pitch(n) for n in names] == [60, 61, 61, 58, 60, 59, 21, 108, 43, 74]
    with pytest.raises(ValueError):
        spelled_pitch("H4")


def test_a_pig_file_reads_into_notes_hands_and_fingers(tmp_path):
    human = read_pig(_write_pig(tmp_path / "scale_fingering.txt"))
    notes = human.notes
    assert len(notes) == 16 and np.all(np.diff(notes.onset) >= 0)
    right = notes.named_hands() == 1
    assert list(notes.pitch[right]) == [60, 62, 64, 65, 67, 69, 71, 72]
    assert list(human.finger[right]) == list(RIGHT_FINGERS)
    assert list(human.finger[~right]) == list(LEFT_FINGERS)


def test_the_engine_agrees_with_a_textbook_annotation(tmp_path):
    scores = agreement(read_pig(_write_pig(tmp_path / "textbook_fingering.txt")))
    assert scores.counts() == (16, 16, 16, 16)


def test_a_different_annotated_finger_counts_against_the_engine(tmp_path):
    odd = (2,) + RIGHT_FINGERS[1:]  # the scale begun with the index finger
    scores = agreement(read_pig(_write_pig(tmp_path / "odd_fingering.txt", right=odd)))
    assert scores.notes == 16 and scores.hand == 16
    assert scores.match == scores.finger_match == 15
    assert (scores + scores).counts() == (32, 32, 30, 30)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("0 0.0 0.5 C4 64 80 2 1", "channel 2"),
        ("0 0.0 0.5 C4 64 80 0 -1", "does not fit channel 0"),
        ("0 0.0 0.5 H4 64 80 0 1", "not a spelled pitch"),
        ("0 0.5 0.5 C4 64 80 0 1", "not after onset"),
        ("0 0.0 0.5 C4 64 80", "6 fields"),
    ],
)
def test_a_bad_line_names_the_file_and_the_line(tmp_path, line, problem):
    path = tmp_path / "bad_fingering.txt"
    path.write_text("//Version: PianoFingering_v170101\n" + line + "\n", encoding="utf-8")
    with pytest.raises(MidiReadError, match=rf"bad_fingering\.txt, line 2: .*{problem}"):
        read_pig(path)


def test_an_empty_or_missing_file_is_refused(tmp_path):
    empty = tmp_path / "empty_fingering.txt"
    empty.write_text("//Version: PianoFingering_v170101\n", encoding="utf-8")
    with pytest.raises(MidiReadError, match="empty_fingering.txt: no notes"):
        read_pig(empty)
    with pytest.raises(MidiReadError, match="missing.txt: cannot read"):
        read_pig(tmp_path / "missing.txt")
