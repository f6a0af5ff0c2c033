"""`s2c preview`: options forwarded to the Blender side, one-line errors, a real render."""

from __future__ import annotations

import pytest

from s2c_core.cli import build_parser
from s2c_core.commands.preview import blender_argv
from tests.python_module import run_s2c


def test_options_reach_the_blender_side_with_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(
        ["preview", "t.npz", "--out", "p.mp4", "--audio", "a.wav", "--size", "64", "36",
         "--fps", "12", "--end", "2.5", "--overwrite"]
    )  # fmt: skip
    argv = blender_argv(args)
    assert argv[:3] == ["--size", "64", "36"]
    assert f"--out={tmp_path / 'p.mp4'}" in argv and f"--audio={tmp_path / 'a.wav'}" in argv
    assert {"--fps=12.0", "--end=2.5", "--start=0.0", "--tiles=6", "--overwrite"} <= set(argv)
    assert not any(a.startswith("--contact-sheet") for a in argv)


def test_a_missing_take_is_one_line_and_no_output(tmp_path):
    result = run_s2c("preview", str(tmp_path / "none.npz"), "--out", str(tmp_path / "p.mp4"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"s2c: error: preview failed: {tmp_path / 'none.npz'}: " + (
        "no such HandMotion file"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.blender
def test_renders_a_take_through_blender(tmp_path):
    pytest.importorskip("bpy")
    from s2c_core.motion import save_motion
    from tests.blender_addon.conftest import random_motion

    take = save_motion(random_motion(frames=6, seed=2), tmp_path / "take.npz")
    out = tmp_path / "p.mp4"
    result = run_s2c("preview", str(take), "--out", str(out), "--size", "32", "18")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[4:8] == b"ftyp"
    assert result.stdout.strip() == f"wrote {out}"
