import errno
import os
import subprocess
import sys

import pytest

from s2c_core.outputs import _HOST, STAGING_PREFIX, OutputError, StagedOutputs, atomic_file


def test_commit_moves_every_output_into_place(tmp_path):
    finals = {"a": tmp_path / "a.txt", "b": tmp_path / "b.txt"}
    with StagedOutputs(finals) as staged:
        staged.path("a").write_text("A")
        staged.path("b").write_text("B")
        staged.commit()
    assert finals["a"].read_text() == "A" and finals["b"].read_text() == "B"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_failure_leaves_nothing_behind(tmp_path):
    finals = {"a": tmp_path / "a.txt", "b": tmp_path / "b.txt"}
    with pytest.raises(RuntimeError), StagedOutputs(finals) as staged:
        staged.path("a").write_text("A")
        raise RuntimeError("the second step failed")
    assert list(tmp_path.iterdir()) == []


def test_missing_output_refuses_to_commit_any(tmp_path):
    finals = {"a": tmp_path / "a.txt", "b": tmp_path / "b.txt"}
    with (
        pytest.raises(OutputError, match="b output was not produced"),
        StagedOutputs(finals) as staged,
    ):
        staged.path("a").write_text("A")
        staged.commit()
    assert list(tmp_path.iterdir()) == []


def test_existing_files_need_overwrite(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(OutputError, match="already exists"), StagedOutputs({"a": target}):
        pass
    assert target.read_text() == "old"
    with StagedOutputs({"a": target}, overwrite=True) as staged:
        staged.path("a").write_text("new")
        staged.commit()
    assert target.read_text() == "new"


def test_unwritable_or_missing_folders(tmp_path, monkeypatch):
    with (
        pytest.raises(OutputError, match="does not exist"),
        StagedOutputs({"a": tmp_path / "nope" / "a.txt"}),
    ):
        pass
    # root bypasses permission bits, so simulate a read-only folder at the access check
    monkeypatch.setattr("s2c_core.outputs.os.access", lambda *a, **k: False)
    with (
        pytest.raises(OutputError, match="is not writable"),
        StagedOutputs({"a": tmp_path / "a.txt"}),
    ):
        pass


def _refused(finals, inputs=(), overwrite=True):
    with (
        pytest.raises(OutputError, match="same file|names the input"),
        StagedOutputs(finals, overwrite=overwrite, inputs=inputs),
    ):
        pass


def test_outputs_that_name_one_file_are_refused_even_with_overwrite(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "real.npz").write_bytes(b"x")
    (tmp_path / "link.npz").symlink_to(tmp_path / "real.npz")
    os.link(tmp_path / "real.npz", tmp_path / "hard.npz")
    a = tmp_path / "a.npz"
    _refused({"out": a, "audio_out": a})
    _refused({"out": a, "blend": tmp_path / "sub" / ".." / "a.npz"})
    _refused({"blend": tmp_path / "Scene.blend", "fbx": tmp_path / "scene.BLEND"})
    _refused({"out": tmp_path / "real.npz", "fbx": tmp_path / "link.npz"})
    _refused({"out": tmp_path / "real.npz", "fbx": tmp_path / "hard.npz"})
    assert (tmp_path / "real.npz").read_bytes() == b"x"


def test_an_output_that_is_the_input_is_refused_even_with_overwrite(tmp_path):
    source = tmp_path / "song.mid"
    source.write_bytes(b"MThd")
    (tmp_path / "alias.mid").symlink_to(source)
    _refused({"out": source}, inputs=[source])
    _refused({"out": tmp_path / "alias.mid"}, inputs=[source])
    _refused({"out": source}, inputs=[tmp_path / "alias.mid"])
    assert source.read_bytes() == b"MThd"


def test_a_file_written_meanwhile_is_not_clobbered(tmp_path):
    """Two runs to one path: both pass the start check, only the first may commit."""
    target = tmp_path / "t.npz"
    with StagedOutputs({"out": target}) as first, StagedOutputs({"out": target}) as second:
        first.path("out").write_text("first")
        second.path("out").write_text("second")
        first.commit()
        with pytest.raises(OutputError, match="already exists"):
            second.commit()
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["t.npz"]


def test_a_clobbering_commit_takes_back_the_outputs_it_placed(tmp_path):
    finals = {"a": tmp_path / "a.txt", "b": tmp_path / "b.txt"}
    with StagedOutputs(finals) as staged:
        staged.path("a").write_text("A")
        staged.path("b").write_text("B")
        finals["b"].write_text("someone else's")
        with pytest.raises(OutputError, match="b.txt: already exists"):
            staged.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]
    assert finals["b"].read_text() == "someone else's"


def test_overwrite_replaces_a_file_written_meanwhile(tmp_path):
    target = tmp_path / "t.npz"
    with StagedOutputs({"out": target}, overwrite=True) as staged:
        staged.path("out").write_text("mine")
        target.write_text("theirs")
        staged.commit()
    assert target.read_text() == "mine"


def test_staging_of_a_killed_run_is_swept_by_the_next(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{STAGING_PREFIX}{_HOST}-{dead.pid}-abc"
    live = tmp_path / f"{STAGING_PREFIX}{_HOST}-{os.getpid()}-abc"
    foreign = tmp_path / f"{STAGING_PREFIX}otherhost-{dead.pid}-abc"
    for folder in (stale, live, foreign):
        (folder / "half.fbx").parent.mkdir()
        (folder / "half.fbx").write_bytes(b"x")
    with StagedOutputs({"out": tmp_path / "t.npz"}):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, foreign.name])


def test_a_read_only_folder_names_the_users_file(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(kwargs.get("dir")))

    monkeypatch.setattr("s2c_core.outputs.tempfile.mkdtemp", read_only)
    target = tmp_path / "t.npz"
    with pytest.raises(OutputError) as caught, StagedOutputs({"out": target}):
        pass
    assert str(caught.value) == f"{target}: cannot write in {tmp_path} (Read-only file system)"


def test_a_failure_inside_the_staging_folder_names_the_users_file(tmp_path):
    target = tmp_path / "t.npz"
    with pytest.raises(OutputError) as caught, StagedOutputs({"out": target}) as staged:
        raise OSError(errno.ENOSPC, "No space left on device", str(staged.path("out")))
    assert str(caught.value) == f"{target}: No space left on device"
    with pytest.raises(OutputError) as caught, StagedOutputs({"fbx": target}) as staged:
        scratch = staged.scratch("take.npz")
        raise RuntimeError(f"building the Blender scene failed: {scratch}: NaN\nmore")
    assert str(caught.value) == f"building the Blender scene failed: {tmp_path}: NaN"
    assert list(tmp_path.iterdir()) == []


def test_an_atomic_file_appears_whole_with_the_usual_mode_or_not_at_all(tmp_path):
    path = tmp_path / "take.npz"
    with atomic_file(path) as staging:
        assert staging.parent == tmp_path and staging != path
        staging.write_bytes(b"whole")
        assert not path.exists()  # nothing at the final path until the body is done
    assert path.read_bytes() == b"whole" and list(tmp_path.iterdir()) == [path]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(OSError, match="disk full"), atomic_file(path) as staging:
        staging.write_bytes(b"half")
        raise OSError("disk full")
    assert path.read_bytes() == b"whole" and list(tmp_path.iterdir()) == [path]
