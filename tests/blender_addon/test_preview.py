"""python -m blender_addon.preview: a side-by-side MP4 with sound and a contact sheet."""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np
import pytest
import soundfile

from blender_addon import preview
from s2c_core.motion import save_motion

from .conftest import random_motion

pytestmark = pytest.mark.blender


@pytest.fixture
def take(tmp_path) -> Path:
    return save_motion(random_motion(frames=12, seed=5, fps=30.0), tmp_path / "take.npz")


def read_png_size(path: Path) -> tuple[int, int]:
    image = bpy.data.images.load(str(path))
    try:
        return tuple(image.size)
    finally:
        bpy.data.images.remove(image)


@pytest.mark.slow
def test_renders_a_video_with_sound_and_a_contact_sheet(take, tmp_path):
    audio = tmp_path / "take.wav"
    soundfile.write(audio, 0.1 * np.sin(np.linspace(0, 880 * np.pi, 8000)), 16000)
    out, sheet = tmp_path / "out" / "p.mp4", tmp_path / "out" / "sheet.png"
    out.parent.mkdir()
    argv = [str(take), "--out", str(out), "--audio", str(audio), "--contact-sheet", str(sheet),
            "--size", "32", "18", "--fps", "10", "--start", "0.1", "--tiles", "3"]  # fmt: skip
    assert preview.main(argv) == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["p.mp4", "sheet.png"]
    data = out.read_bytes()
    assert data[4:8] == b"ftyp" and b"avc1" in data and b"mp4a" in data  # H.264 + AAC
    clip = bpy.data.movieclips.load(str(out))
    assert tuple(clip.size) == (64, 18) and clip.frame_duration == 3  # 0.1..0.4 s at 10 fps
    # passages 1 s apart: a 0.4 s take has one, shown beside a blank tile (two per row)
    assert read_png_size(sheet) == (2 * 64, 18)


def test_take_frames_follow_the_requested_rate_and_range():
    motion = random_motion(frames=30, fps=30.0)
    settings = preview.PreviewSettings(fps=10.0, start_s=0.5, end_s=0.8)
    np.testing.assert_array_equal(preview.take_frames(motion, settings), [15, 18, 21])
    everything = preview.take_frames(motion, preview.PreviewSettings())
    np.testing.assert_array_equal(everything, np.arange(30))
    with pytest.raises(ValueError, match="lasts only"):
        preview.take_frames(motion, preview.PreviewSettings(start_s=2.0))


@pytest.mark.parametrize(
    "make_argv, message",
    [
        (lambda t, d: [str(d / "missing.npz"), "--out", str(d / "p.mp4")], "missing.npz"),
        (lambda t, d: [str(t), "--out", str(d / "p.avi")], "must be an .mp4"),
        (lambda t, d: [str(t), "--out", str(d / "no" / "p.mp4")], "does not exist"),
        (lambda t, d: [str(t), "--out", str(d / "p.mp4"), "--audio", str(d / "x.wav")], "x.wav"),
        (lambda t, d: [str(t), "--out", str(d / "p.mp4"), "--size", "31", "18"], "even"),
        (lambda t, d: [str(t), "--out", str(d / "p.mp4"), "--start", "5"], "lasts only"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(take, tmp_path, capsys, make_argv, message):
    before = sorted(tmp_path.iterdir())
    assert preview.main(make_argv(take, tmp_path)) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and message in err
    assert sorted(tmp_path.iterdir()) == before


def test_an_existing_video_is_kept_unless_overwrite(take, tmp_path, capsys):
    out = tmp_path / "p.mp4"
    out.write_bytes(b"mine")
    assert preview.main([str(take), "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"mine"


def test_a_tile_label_is_stamped_on_the_pianists_view_only(tmp_path):
    motion = random_motion(frames=6, seed=5, fps=30.0)
    settings = preview.PreviewSettings(width=96, height=54)
    scene, cameras, _ = preview._build_scene(motion, "take", settings, np.arange(6))
    plain = preview._render_frame(scene, cameras, 1, tmp_path / "plain.png")
    labelled = preview._render_frame(scene, cameras, 1, tmp_path / "labelled.png", "0.03 s")
    changed = np.abs(preview._read_png(labelled) - preview._read_png(plain)).max(axis=-1) > 0.05
    assert changed[:18, :48].any()  # the label, top left of the pianist's view
    assert not changed[:, 96:].any() and not changed[27:].any()  # nothing else
