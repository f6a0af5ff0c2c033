"""`s2c generate` through the S2C engine, on tiny checkpoints the tests write themselves."""

import json

import numpy as np
import pytest
import soundfile as sf

from s2c_core.cli import main
from s2c_core.motion import load_motion
from s2c_core.pipeline import InputError, resolve_engine
from tests.engines.s2c.tiny_s2c import build_tiny_model, write_tiny_official
from tests.test_cli import EXAMPLE


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt") / "tiny"
    build_tiny_model(seed=0).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """30 s of piano-like audio at 44.1 kHz (resampled to 16 kHz on load)."""
    path = tmp_path_factory.mktemp("audio") / "take one.wav"
    t = np.arange(30 * 44100) / 44100
    tone = sum(np.sin(2 * np.pi * f * t) * np.exp(-3 * (t % 0.5)) for f in (262, 330, 392))
    sf.write(path, (0.2 * tone).astype(np.float32), 44100)
    return path


def test_a_30_second_recording_gives_900_frames(tmp_path, tiny_checkpoint, recording, capsys):
    out = tmp_path / "take.npz"
    code = main(["generate", str(recording), "--engine", "s2c", "--checkpoint",
                 str(tiny_checkpoint), "--sampler", "dpm", "--steps", "4", "--seed", "3",
                 "--out", str(out), "--progress", "jsonl", "--device", "cpu"])  # fmt: skip
    assert code == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["event"] == "done" and events[-1]["frames"] == 900
    windows = [e for e in events if e["event"] == "progress"]
    assert windows[-1]["done"] == windows[-1]["total"] == 5
    motion = load_motion(out)
    assert motion.num_frames == 900 and motion.metadata.engine == "s2c"
    assert motion.metadata.seed == 3 and motion.metadata.extra["sampler"] == "dpm"
    assert "key_contact" not in motion.metadata.extra  # no notes: no refinement by default


def test_same_seed_same_take(tmp_path, tiny_checkpoint, recording):
    takes = []
    for name in ("a.npz", "b.npz"):
        assert (
            main(
                [
                    "generate",
                    str(recording),
                    "--checkpoint",
                    str(tiny_checkpoint),
                    "--steps",
                    "3",
                    "--out",
                    str(tmp_path / name),
                    "--progress",
                    "none",
                ]
            )
            == 0
        )
        takes.append(load_motion(tmp_path / name))  # fmt: skip
    np.testing.assert_array_equal(takes[0].right.hand_pose, takes[1].right.hand_pose)


def test_midi_through_s2c_is_rendered_and_refined(tmp_path):
    exp = tmp_path / "official"
    write_tiny_official(exp)
    out = tmp_path / "take.npz"
    assert main(["generate", str(EXAMPLE), "--engine", "s2c", "--checkpoint", str(exp),
                 "--sampler", "ddim", "--steps", "3", "--out", str(out),
                 "--progress", "none"]) == 0  # fmt: skip
    motion = load_motion(out)
    contact = motion.metadata.extra["key_contact"]
    assert contact["after"] > contact["before"]
    assert len(motion.notes) == 97 and set(np.unique(motion.notes[:, 4])) <= {0.0, 1.0}


def test_engine_choice(tmp_path):
    audio, midi = tmp_path / "a.wav", tmp_path / "b.mid"
    assert resolve_engine(midi, "auto", None) == "midi"
    assert resolve_engine(audio, "auto", None) == "midi"  # via transcription
    assert resolve_engine(audio, "auto", tmp_path) == "s2c"
    assert resolve_engine(midi, "s2c", tmp_path) == "s2c"
    with pytest.raises(InputError, match="needs --checkpoint"):
        resolve_engine(audio, "s2c", None)


def test_bad_checkpoint_and_sampler_settings_are_one_line(tmp_path, recording, capsys):
    (tmp_path / "empty").mkdir()
    args = ["generate", str(recording), "--engine", "s2c", "--out", str(tmp_path / "t.npz")]
    assert main([*args, "--checkpoint", str(tmp_path / "empty")]) != 0
    assert str(tmp_path / "empty") in capsys.readouterr().err
    assert main([*args, "--checkpoint", str(tmp_path), "--sampler", "ddpm", "--steps", "5"]) != 0
    assert "ddpm sampler always takes 1000 steps" in capsys.readouterr().err
    assert not (tmp_path / "t.npz").exists()


def test_reference_compat_through_the_cli(tmp_path, capsys):
    # a 10-step schedule keeps the reference's every-step DDPM quick
    build_tiny_model(seed=0, timesteps=10).save_pretrained(tmp_path / "ckpt")
    wav = tmp_path / "two seconds.wav"
    sf.write(wav, (0.1 * np.random.default_rng(0).standard_normal(32_000)).astype(np.float32),
             16_000)  # fmt: skip
    args = ["generate", str(wav), "--checkpoint", str(tmp_path / "ckpt"), "--reference-compat",
            "--device", "cpu", "--progress", "none"]  # fmt: skip
    assert main([*args, "--sampler", "dpm", "--out", str(tmp_path / "x.npz")]) != 0
    assert "--reference-compat samples as the reference does" in capsys.readouterr().err
    for name in ("a.npz", "b.npz"):
        assert main([*args, "--seed", "5", "--out", str(tmp_path / name)]) == 0
    a, b = load_motion(tmp_path / "a.npz"), load_motion(tmp_path / "b.npz")
    assert a.num_frames == 60
    extra = a.metadata.extra
    assert extra["reference_compat"] and extra["smooth"] and extra["sampler"] == "ddpm"
    assert (extra["window"], extra["overlap"]) == (240, 0)
    np.testing.assert_array_equal(a.right.hand_pose, b.right.hand_pose)  # dropout, seeded


def test_smoothing_is_on_by_default_and_lowers_jitter(tmp_path, tiny_checkpoint):
    from s2c_core.evaluate.scoring import jitter

    wav = tmp_path / "three seconds.wav"
    sf.write(wav, (0.1 * np.random.default_rng(1).standard_normal(48_000)).astype(np.float32),
             16_000)  # fmt: skip
    args = ["generate", str(wav), "--checkpoint", str(tiny_checkpoint), "--steps", "2",
            "--device", "cpu", "--progress", "none"]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "on.npz")]) == 0
    assert main([*args, "--no-smooth", "--out", str(tmp_path / "off.npz")]) == 0
    on, off = load_motion(tmp_path / "on.npz"), load_motion(tmp_path / "off.npz")
    assert on.metadata.extra["smooth"] and not off.metadata.extra["smooth"]
    assert jitter(on, "right") < jitter(off, "right")
