import pytest

from s2c_core.outputs import OutputError, StagedOutputs


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
