"""A tiny PianoMotion10M tree in the official layout, written by the tests.

Audio is float WAV stored under the official .mp3 names (libsndfile reads by content), so
samples are exact: the signal is a ramp whose value gives the sample index, and pose column
4 (global_orient x) holds frame_index / 100, so every crop can be located exactly. One
sequence is a real MP3.
"""

import json
import logging
import math
import random
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from s2c_core.data.pianomotion import (
    DEFAULT_UP_LIST,
    PianoMotionDataset,
    read_split,
    resample_like_reference,
)
from s2c_core.pm10m import TRANSL_SCALE

SR = 16000
UP_A, UP_B, UP_OTHER = DEFAULT_UP_LIST + ("999",)
TRANSL = np.array([0.3, 0.6, 20.0])
ADJUST = [7.0, 0.15, 2.0]  # adjust[0] must be ignored
RAMP_STEP = 1e-6  # audio[n] = 0.05 + n * RAMP_STEP: exact in float32 for our lengths


def _frames(n: int) -> np.ndarray:
    frames = np.zeros((n, 62))
    frames[:, 0] = (np.arange(n) % 7) != 0  # some frames unannotated
    frames[:, 1:4] = TRANSL
    frames[:, 4] = np.arange(n) / 100  # the frame index, in radians
    frames[:, 52:62] = 9.0  # betas, which must be dropped
    return frames


def _write_sequence(
    root: Path, up: str, bv: str, idx: int, frames: int, fps: float = 30, audio_s: float = 10.0
) -> Path:
    name = f"{bv}_seq_{idx:04d}"
    ann = root / "annotation" / up / bv / f"{name}.json"
    ann.parent.mkdir(parents=True, exist_ok=True)
    hand = _frames(frames).tolist()
    ann.write_text(json.dumps({"right": hand, "left": hand, "fps": fps, "adjust": ADJUST}))
    audio = root / "audio" / up / bv / f"{name}.mp3"
    audio.parent.mkdir(parents=True, exist_ok=True)
    ramp = (0.05 + np.arange(round(audio_s * SR)) * RAMP_STEP).astype(np.float32)
    sf.write(audio, ramp, SR, format="WAV", subtype="FLOAT")
    return ann


def _write_splits(root: Path, splits: dict[str, list[str]]) -> None:
    for split, lines in splits.items():
        (root / f"{split}.txt").write_text("".join(f"{line}\n" for line in lines))


@pytest.fixture
def root(tmp_path) -> Path:
    _write_sequence(tmp_path, UP_A, "BVa", 0, frames=300)
    _write_sequence(tmp_path, UP_A, "BVa", 1, frames=300, audio_s=10.5)  # audio outlasts poses
    _write_sequence(tmp_path, UP_B, "BVb", 0, frames=600, fps=60)
    _write_sequence(tmp_path, UP_OTHER, "BVo", 0, frames=300)
    _write_sequence(tmp_path, UP_A, "BVv", 0, frames=300)
    _write_splits(
        tmp_path,
        {"train": [f"{UP_A} BVa", f"{UP_B} BVb", f"{UP_OTHER} BVo"], "valid": [f"{UP_A} BVv"]},
    )
    return tmp_path


def _frame_begin(item: dict, fps_ratio: int = 1) -> float:
    """The crop's first source frame, read back from pose column 4 (index / 100 / pi)."""
    # resampling by `fps_ratio` makes output frame 0 the mean of source frames 0..ratio-1
    return item["right_pose"][0, 0] * np.pi * 100 - (fps_ratio - 1) / 2


def _audio_begin(item: dict) -> int:
    return round((float(item["audio"][0]) - 0.05) / RAMP_STEP)


def test_up_list_keeps_the_papers_two_uploaders_by_default(root):
    ds = PianoMotionDataset(root, "train")
    assert {seq.up for seq in ds.sequences} == {UP_A, UP_B}
    assert len(ds) == 3 and ds.skipped == []
    assert {seq.up for seq in PianoMotionDataset(root, "train", up_list=None).sequences} == {
        UP_A,
        UP_B,
        UP_OTHER,
    }
    only = PianoMotionDataset(root, "train", up_list=[UP_OTHER])
    assert [seq.key for seq in only.sequences] == [f"{UP_OTHER}/BVo/BVo_seq_0000"]


def test_split_lines_are_shuffled_with_seed_2014_like_the_reference(root):
    lines = (root / "train.txt").read_text().splitlines()
    expected = list(lines)
    random.Random(2014).shuffle(expected)
    pairs = read_split(root, "train", random.Random(2014))
    assert pairs == [tuple(line.split(" ")) for line in expected]
    valid = PianoMotionDataset(root, "valid")
    assert [seq.key for seq in valid.sequences] == [f"{UP_A}/BVv/BVv_seq_0000"]


def test_split_errors_name_the_problem(root):
    with pytest.raises(ValueError, match="split must be one of"):
        PianoMotionDataset(root, "dev")
    with pytest.raises(FileNotFoundError, match="test.txt: split list not found"):
        PianoMotionDataset(root, "test")
    _write_splits(root, {"test": [f"{UP_A}BVa"]})
    with pytest.raises(ValueError, match="test.txt: expected '<up_id> <BVid>'"):
        PianoMotionDataset(root, "test")


def test_items_have_the_reference_shapes_and_normalisations(root):
    ds = PianoMotionDataset(root, "train")
    item = ds[0]
    assert item["audio"].shape == (128000,) and item["audio"].dtype == np.float32
    for side in ("right", "left"):
        assert item[f"{side}_pose"].shape == (240, 48)
        assert item[f"{side}_transl"].shape == (240, 3)
        assert item[f"{side}_flag"].shape == (240,)
        assert item[f"{side}_pose"].dtype == np.float32
    # adjust[1:3] lands on ty and tz only, then / [1.5, 1.5, 25]
    expected = (TRANSL + [0.0, ADJUST[1], ADJUST[2]]) / TRANSL_SCALE
    np.testing.assert_allclose(item["right_transl"], np.tile(expected, (240, 1)), rtol=1e-6)
    raw = PianoMotionDataset(root, "train", adjust=False)[0]
    np.testing.assert_allclose(raw["left_transl"][0], TRANSL / TRANSL_SCALE, rtol=1e-6)


def test_random_crops_follow_the_reference_stream_and_proportional_audio_offset(root):
    ds = PianoMotionDataset(root, "train")
    rng = random.Random(2014)
    rng.shuffle((root / "train.txt").read_text().splitlines())  # the construction-time draw
    for index, seq in enumerate(ds.sequences):
        item = ds[index]
        fps = 60 if seq.bv == "BVb" else 30
        frames = 600 if fps == 60 else 300
        audio_len = 168000 if seq.name == "BVa_seq_0001" else 160000
        last = min(frames, math.floor(audio_len / SR * fps)) - 8 * fps
        begin = rng.randint(0, last)
        assert _frame_begin(item, fps // 30) == pytest.approx(begin, abs=1e-3)
        assert _audio_begin(item) == math.ceil(audio_len * (begin / frames))
    assert [ds[i]["key"] for i in range(len(ds))] == [s.key for s in ds.sequences]


def test_fixed_crops_take_the_first_eight_seconds(root):
    ds = PianoMotionDataset(root, "train", random_crop=False)
    for index in range(len(ds)):
        item = ds[index]
        assert _audio_begin(item) == 0
        assert item["right_pose"][0, 0] * np.pi * 100 == pytest.approx(
            0.5 if "BVb" in item["key"] else 0.0, abs=1e-4
        )


def test_sixty_fps_crops_are_resampled_like_f_interpolate(root):
    ds = PianoMotionDataset(root, "train", up_list=[UP_B], random_crop=False)
    item = ds[0]
    # 480 source frames -> 240: half-pixel sampling averages frame pairs (2i, 2i + 1)
    expected = (2 * np.arange(240) + 0.5) / 100 / np.pi
    np.testing.assert_allclose(item["right_pose"][:, 0], expected, rtol=1e-6)
    flags = (np.arange(480) % 7 != 0).astype(float)
    np.testing.assert_allclose(item["left_flag"], (flags[0::2] + flags[1::2]) / 2)


def test_resample_like_reference_keeps_30_fps_rates_and_ramps():
    ramp = np.arange(10.0)[:, None]
    np.testing.assert_allclose(resample_like_reference(ramp, 10), ramp)
    np.testing.assert_allclose(resample_like_reference(ramp, 5)[:, 0], [0.5, 2.5, 4.5, 6.5, 8.5])


def test_bad_sequences_are_reported_and_skipped(root, caplog):
    bad_json = root / "annotation" / UP_A / "BVa" / "BVa_seq_0002.json"
    bad_json.write_text('{"right": [[0.0,')
    short = _write_sequence(root, UP_A, "BVa", 3, frames=100)
    short_audio = _write_sequence(root, UP_A, "BVa", 4, frames=300, audio_s=6.0)
    no_audio = _write_sequence(root, UP_A, "BVa", 5, frames=300)
    (root / "audio" / UP_A / "BVa" / "BVa_seq_0005.mp3").unlink()
    excluded = _write_sequence(root, "676539782", "BV1QY411T7Xg", 3, frames=300)
    _write_splits(root, {"test": [f"{UP_A} BVa", "676539782 BV1QY411T7Xg", f"{UP_A} BVgone"]})
    with caplog.at_level(logging.WARNING, logger="s2c_core.data.pianomotion"):
        ds = PianoMotionDataset(root, "test", up_list=None)
    assert [seq.name for seq in ds.sequences] == ["BVa_seq_0000", "BVa_seq_0001"]
    reasons = {s.path.name: s.reason for s in ds.skipped}
    assert "unreadable annotation" in reasons[bad_json.name]
    assert reasons[short.name] == "too short: 100 usable frames < 240 for one window"
    assert reasons[short_audio.name] == "too short: 180 usable frames < 240 for one window"
    assert "no such audio file" in reasons[no_audio.name]
    assert "excluded by the reference" in reasons[excluded.name]
    assert "no annotation folder" in reasons["BVgone"]
    assert len(ds.skipped) == 6
    for skipped in ds.skipped:
        assert any(str(skipped.path) in record.getMessage() for record in caplog.records)


def test_a_file_that_fails_to_decode_is_skipped_at_load_time(root, caplog):
    silent = root / "audio" / UP_A / "BVa" / "BVa_seq_0000.mp3"
    sf.write(silent, np.zeros(10 * SR, dtype=np.float32), SR, format="WAV", subtype="FLOAT")
    ds = PianoMotionDataset(root, "train", up_list=[UP_A], random_crop=False)
    bad = next(i for i, seq in enumerate(ds.sequences) if seq.name == "BVa_seq_0000")
    with caplog.at_level(logging.WARNING, logger="s2c_core.data.pianomotion"):
        item = ds[bad]
    assert item["key"] != ds.sequences[bad].key  # the next usable sequence instead
    assert [s.reason for s in ds.skipped] == [f"{silent}: silent audio (peak below -80 dBFS)"]
    assert "silent audio" in caplog.text


def test_real_mp3_audio_is_decoded(root):
    mp3 = root / "audio" / UP_A / "BVv" / "BVv_seq_0000.mp3"
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(10 * 44100) / 44100)
    sf.write(mp3, tone.astype(np.float32), 44100, format="MP3")
    item = PianoMotionDataset(root, "valid")[0]
    assert item["audio"].shape == (128000,)
    assert 0.2 < np.abs(item["audio"][SR : 2 * SR]).max() < 0.4  # the tone, resampled to 16 kHz
