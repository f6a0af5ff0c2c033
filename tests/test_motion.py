import io
import json
import zipfile

import numpy as np
import pytest

from s2c_core.hand.fk import build_track
from s2c_core.hand.rig import builtin_rig
from s2c_core.motion import (
    HandMotion,
    MotionFormatError,
    MotionMetadata,
    load_motion,
    save_motion,
)


def make_motion(frames: int = 12, seed: int = 0) -> HandMotion:
    rng = np.random.default_rng(seed)
    tracks = {}
    for side in ("left", "right"):
        rig = builtin_rig(side)
        pose = rig.pose_from_angles(
            rng.uniform(rig.abd_limits[:, 0], rig.abd_limits[:, 1], (frames, 15)),
            rng.uniform(rig.flex_limits[:, 0], rig.flex_limits[:, 1], (frames, 15)),
        )
        tracks[side] = build_track(
            rig, rng.normal(size=(frames, 3)) * 0.3, pose, rng.normal(size=(frames, 3)),
            rng.random(frames) > 0.2,
        )  # fmt: skip
    notes = np.array([[60, 0.0, 0.5, 80, 1, 1], [48, 0.1, 0.4, 70, 0, 5]], dtype=float)
    return HandMotion(30.0, tracks["left"], tracks["right"],
                      MotionMetadata(engine="test", source="x.mid", seed=7), notes)  # fmt: skip


def test_round_trip_keeps_every_array_and_metadata(tmp_path):
    motion = make_motion()
    path = save_motion(motion, tmp_path / "take.npz")
    loaded = load_motion(path)
    assert loaded.fps == 30.0 and loaded.num_frames == 12
    for side in ("left", "right"):
        for name in ("transl", "global_orient", "hand_pose", "joints"):
            np.testing.assert_allclose(getattr(loaded.hand(side), name),
                                       getattr(motion.hand(side), name), atol=1e-6)  # fmt: skip
        np.testing.assert_array_equal(loaded.hand(side).present, motion.hand(side).present)
    assert loaded.metadata.seed == 7 and loaded.metadata.engine == "test"
    np.testing.assert_array_equal(loaded.notes, motion.notes)
    assert not list(tmp_path.glob(".*tmp"))


def test_substitutions_round_trip_and_older_files_have_none(tmp_path):
    motion = make_motion()
    assert motion.substitutions.shape == (0, 3)
    motion.substitutions = np.array([[0, 2, 0.25]])  # the thumb's C4 taken over by 2
    path = save_motion(motion, tmp_path / "take.npz")
    np.testing.assert_array_equal(load_motion(path).substitutions, motion.substitutions)
    _rewrite(path, substitutions=None)  # as written before substitutions existed
    assert load_motion(path).substitutions.shape == (0, 3)


def _rewrite(path, **changes):
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays.update(changes)
    for key, value in list(arrays.items()):
        if value is None:
            del arrays[key]
    np.savez(path, **arrays)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": np.array(99)}, "version 99 is not supported"),
        ({"format": np.array("other")}, "not a HandMotion file"),
        ({"right_hand_pose": np.zeros((12, 44), np.float32)}, "hand_pose has shape"),
        ({"left_transl": np.full((12, 3), np.nan, np.float32)}, "NaN"),
        ({"left_present": np.ones(12, np.float32)}, "present must be bool"),
        ({"right_global_orient": np.zeros((12, 3), np.int64)}, "must be floating point"),
        ({"right_transl": None}, "missing arrays right_transl"),
        ({"metadata_json": np.array("{not json")}, "metadata is not valid JSON"),
        ({"fps": np.array(-1.0)}, "fps must be between 1 and 1000, got -1.0"),
    ],
)
def test_invalid_files_are_refused_with_one_clear_line(tmp_path, change, message):
    path = save_motion(make_motion(), tmp_path / "take.npz")
    _rewrite(path, **change)
    with pytest.raises(MotionFormatError, match=message) as info:
        load_motion(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(MotionFormatError, match="no such HandMotion file"):
        load_motion(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(MotionFormatError, match="not a readable"):
        load_motion(bad)


def test_save_refuses_invalid_motion_and_leaves_nothing(tmp_path):
    motion = make_motion()
    motion.right.hand_pose = motion.right.hand_pose[:, :40]
    with pytest.raises(MotionFormatError):
        save_motion(motion, tmp_path / "take.npz")
    assert list(tmp_path.iterdir()) == []


def test_metadata_is_plain_json(tmp_path):
    path = save_motion(make_motion(), tmp_path / "take.npz")
    with np.load(path) as data:
        meta = json.loads(str(data["metadata_json"]))
    assert meta["engine"] == "test" and meta["source"] == "x.mid"


def _rewrite_metadata(path, **changes):
    with np.load(path) as data:
        metadata = json.loads(str(data["metadata_json"]))
    metadata.update(changes)
    _rewrite(path, metadata_json=np.array(json.dumps(metadata)))


def _notes_with(row: list[float]) -> np.ndarray:
    return np.array([[60, 0.0, 0.5, 80, 1, 1], row], dtype=float)


_DEGENERATE_REST = np.zeros((21, 3)).tolist()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fps": np.array([30.0, 30.0])}, r"fps has shape \(2,\), expected \(\)"),
        ({"version": np.array([1, 1])}, r"version has shape \(2,\), expected \(\)"),
        ({"version": np.array("abc")}, r"version must be a single number, got <U3 .*'abc'"),
        ({"fps": np.array(1e9)}, "fps must be between 1 and 1000"),
        ({"notes": _notes_with([7, 0.0, 0.5, 80, 1, 1])}, "note 1 has pitch outside 21..108"),
        ({"notes": _notes_with([60, -1.0, 0.5, 80, 1, 1])}, "note 1 has negative onset"),
        ({"notes": _notes_with([60, 0.5, 0.5, 80, 1, 1])}, "note 1 has offset not after onset"),
        ({"notes": _notes_with([60, 0.1, 0.5, 80, 2, 1])}, "note 1 has hand not -1, 0 or 1"),
        ({"notes": np.array([["a"] * 6])}, "notes must be a numeric"),
        ({"format": np.array(["s2c-hands/HandMotion"])}, r"format has shape \(1,\)"),
        ({"substitutions": np.array([[2, 2, 0.2]])}, "substitution 0 has no note of that row"),
        ({"substitutions": np.array([[0, 1, 0.2]])}, "has a finger not 1..5 or the note's own"),
        ({"substitutions": np.array([[0, 6, 0.2]])}, "has a finger not 1..5"),
        ({"substitutions": np.array([[0, 2, 0.5]])}, "has a time outside the note"),
        ({"substitutions": np.array([[0, 2, 0.2], [0, 3, 0.3]])}, "has a note substituted twice"),
        ({"substitutions": np.array([[0, 2]])}, r"substitutions has shape \(1, 2\)"),
    ],
)
def test_malformed_values_are_refused_by_the_reader_itself(tmp_path, change, message):
    path = save_motion(make_motion(), tmp_path / "take.npz")
    _rewrite(path, **change)
    with pytest.raises(MotionFormatError, match=message) as info:
        load_motion(path)
    assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"extra": [1, 2]}, "metadata 'extra' must be an object, got list"),
        ({"extra": {"rest_joints": [[float("nan")] * 3] * 21}}, "rest_joints contain NaN"),
        ({"extra": {"rest_joints": _DEGENERATE_REST}}, "rest_joints are degenerate"),
        ({"extra": {"rest_joints": [[0.0, 0.0]]}}, r"rest_joints must have shape \(21, 3\)"),
    ],
)
def test_malformed_metadata_is_refused_by_the_reader_itself(tmp_path, changes, message):
    path = save_motion(make_motion(), tmp_path / "take.npz")
    _rewrite_metadata(path, **changes)
    with pytest.raises(MotionFormatError, match=message) as info:
        load_motion(path)
    assert str(info.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("member", "shape", "message"),
    [
        ("right_transl", (10**12, 3), "right_transl claims 1000000000000 frames"),
        ("left_joints", (10**12, 21, 3), r"left_joints has shape \(1000000000000, 21, 3\)"),
        ("notes", (10**12, 6), r"notes has shape \(1000000000000, 6\)"),
        ("fps", (10**12,), r"fps has shape \(1000000000000,\)"),
    ],
)
def test_an_absurd_npy_header_is_refused_before_allocating(tmp_path, member, shape, message):
    path = save_motion(make_motion(), tmp_path / "take.npz")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": shape}
    )
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[f"{member}.npy"] = b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + bytes(64)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(MotionFormatError, match=message):
        load_motion(path)


def test_a_directory_is_not_a_motion_file(tmp_path):
    with pytest.raises(MotionFormatError, match="is a directory"):
        load_motion(tmp_path)
