"""`s2c make-dataset`: MIDI files -> the official PianoMotion10M layout, read back."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from s2c_core.cli import main
from s2c_core.data.pianomotion import PianoMotionDataset
from s2c_core.data.synthetic import split_videos
from tests.train.helpers import write_pieces


@pytest.fixture
def written(tmp_path):
    midi = write_pieces(tmp_path / "midi", 2)
    out = tmp_path / "out"
    status = main(["make-dataset", "--from-midi", str(midi), str(out), "--render", "builtin",
                   "--seconds-per-sequence", "5", "--valid-share", "0.5",
                   "--test-share", "0"])  # fmt: skip
    assert status == 0
    return out


def test_round_trips_through_the_reader(written):
    assert (written / "train.txt").read_text() == "1467634 BVsyn0001piece1\n"
    assert (written / "valid.txt").read_text() == "1467634 BVsyn0000piece0\n"
    assert (written / "test.txt").read_text() == ""
    assert (written / "midi/1467634/BVsyn0000piece0.mid").is_file()
    for split in ("train", "valid"):
        dataset = PianoMotionDataset(written, split, seconds=4)
        assert len(dataset) == 2 and not dataset.skipped  # 13 s of music -> 2 x 5 s
        item = dataset[1]
        assert item["audio"].shape == (64000,) and np.abs(item["audio"]).max() > 0.05
        for hand in ("right", "left"):
            assert item[f"{hand}_pose"].shape == (120, 48)
            assert item[f"{hand}_transl"].shape == (120, 3)
            assert item[f"{hand}_flag"].max() == 1.0
            # the MIDI engine keeps the hands about 25 units in front of the camera
            assert abs(np.median(item[f"{hand}_transl"][:, 2]) - 1.0) < 0.05


def test_annotation_and_audio_files(written):
    video = "1467634/BVsyn0001piece1/BVsyn0001piece1_seq_0001"
    ann = json.loads((written / "annotation" / f"{video}.json").read_text())
    assert ann["fps"] == 30 and ann["bv"] == "BVsyn0001piece1" and ann["start_frame"] == 150
    assert np.asarray(ann["right"]).shape == (150, 62) == np.asarray(ann["left"]).shape
    assert len(ann["adjust"]) == 3
    info = sf.info(written / "audio" / f"{video}.mp3")
    assert info.format == "MP3" and info.samplerate == 16000


def test_refuses_to_overwrite_and_leaves_nothing_behind(written, capsys):
    midi = written.parent / "midi"
    assert main(["make-dataset", "--from-midi", str(midi), str(written)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert sorted(p.name for p in written.parent.iterdir()) == ["midi", "out"]


@pytest.mark.parametrize(
    ("n", "valid", "test", "sizes"),
    [(2, 0.1, 0.1, (1, 1, 0)), (10, 0.1, 0.1, (8, 1, 1)), (1, 0.1, 0.1, (1, 0, 0)),
     (5, 0.0, 0.0, (5, 0, 0))],
)  # fmt: skip
def test_split_by_video_keeps_training_data(n, valid, test, sizes):
    splits = split_videos([f"BV{i}" for i in range(n)], valid, test)
    assert tuple(len(splits[s]) for s in ("train", "valid", "test")) == sizes
    assert sorted(sum(splits.values(), [])) == [f"BV{i}" for i in range(n)]
