"""`s2c evaluate` end to end on a tiny synthetic PianoMotion10M and a tiny random S2C."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from s2c_core.cli import main
from s2c_core.data.synthetic import SyntheticOptions, make_dataset
from s2c_core.evaluate.autoencoder import GestureAutoencoder
from s2c_core.evaluate.report import markdown
from s2c_core.evaluate.runner import EvalOptions, evaluate
from s2c_core.evaluate.scoring import composite, jitter, metric_names, to_motion
from s2c_core.evaluate.windows import Targets, crop_notes
from s2c_core.hand.rig import builtin_rig
from s2c_core.music.midi import read_midi
from tests.engines.midi.midi_files import run, write_midi
from tests.engines.s2c.tiny_s2c import build_tiny_model

HANDS = ("right", "left")
FAST = EvalOptions(runs=3, sampler="dpm", steps=2, device="cpu", seed=0)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    """(checkpoint, data root): three 18 s pieces cut into 9 s sequences, one valid video."""
    tmp = tmp_path_factory.mktemp("evaluate")
    midi_dir = tmp / "midi_in"
    midi_dir.mkdir()
    for i in range(3):
        right = run([60 + (k * (i + 2)) % 12 for k in range(70)], start=0.2, step=0.25)
        left = run([40 + (k * 5) % 10 for k in range(35)], start=0.2, step=0.5)
        write_midi(midi_dir / f"piece{i}.mid", {"right": right, "left": left})
    root = tmp / "data"
    make_dataset(midi_dir, root, SyntheticOptions(seconds_per_sequence=9.0, render="builtin"))
    checkpoint = tmp / "ckpt"
    build_tiny_model().save_pretrained(checkpoint)
    return checkpoint, root


@pytest.fixture(scope="module")
def report(files) -> dict:
    return evaluate(*files, "valid", FAST)


def test_report_has_every_metric_for_both_hands_as_mean_and_best(report):
    s2c = report["engines"]["s2c"]
    assert report["windows"] == s2c["windows"] == 2
    for hand in HANDS:
        for name in ("fid", "wgd", "pd", "smooth", "jitter"):
            assert f"{name}_{hand}" in report["metrics"]
    for summary in (s2c["mean"], s2c["best"]):
        assert set(summary) == set(metric_names())
        assert all(summary[name] is not None for name in metric_names() if name != "fgd")
    assert summary["fgd"] is None and "autoencoder" in report["not_computed"]["fgd"]
    assert len(s2c["runs"]) == len(s2c["composite"]) == FAST.runs


def test_best_run_is_the_lowest_composite_and_beats_the_mean(report):
    s2c = report["engines"]["s2c"]
    assert s2c["composite"][s2c["best_run"]] == min(s2c["composite"])
    assert s2c["best"] == s2c["runs"][s2c["best_run"]]
    # the composite is linear, so the best run's is at most the mean's; single metrics of
    # the best run may still exceed their mean (the reference picks by the composite)
    assert composite(s2c["best"]) <= composite(s2c["mean"]) + 1e-9
    for name in metric_names():
        values = [run[name] for run in s2c["runs"] if run[name] is not None]
        if values:
            assert min(values) - 1e-12 <= s2c["mean"][name] <= max(values) + 1e-12


def test_runs_are_seeded_one_generator_per_run(files, report):
    again = evaluate(*files, "valid", EvalOptions(**{**FAST.__dict__, "runs": 2, "seed": 1}))
    runs = report["engines"]["s2c"]["runs"]
    # run r uses seed + r: seed 1's runs are seed 0's runs 1 and 2, bit for bit
    assert again["engines"]["s2c"]["runs"] == runs[1:]
    assert runs[0] != runs[1]
    assert again["engines"]["midi"] == report["engines"]["midi"]


def test_midi_engine_on_its_own_synthetic_data(report):
    midi, truth = report["engines"]["midi"]["mean"], report["engines"]["ground_truth"]["mean"]
    assert report["engines"]["midi"]["windows"] == 2
    assert midi["key_contact"] >= 0.95 and truth["key_contact"] >= 0.8
    assert report["engines"]["s2c"]["mean"]["key_contact"] < 0.5  # a random model
    for hand in HANDS:  # the same engine on a cut of the same notes: nearly the truth
        assert midi[f"pd_{hand}"] < 0.05 and midi[f"fid_{hand}"] < 0.1
        assert midi[f"jitter_{hand}"] < 10 * truth[f"jitter_{hand}"]


def test_cli_writes_json_and_markdown(files, tmp_path, capsys):
    checkpoint, root = files
    out = tmp_path / "eval.json"
    args = ["evaluate", str(checkpoint), "--data-root", str(root), "--split", "valid",
            "--runs", "1", "--sampler", "dpm", "--steps", "1", "--limit", "1",
            "--device", "cpu", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    written = json.loads(out.read_text())
    assert written["windows"] == 1 and written["options"]["runs"] == 1
    md = out.with_suffix(".md").read_text()
    assert "| S2C | mean | 1 |" in md and "| MIDI engine | mean | 1 |" in md
    assert "fgd not computed" in md
    assert "| S2C | mean |" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("missing_checkpoint", "checkpoint not found"),
        ("bad_checkpoint", "config.json"),
        ("missing_root", "data root not found"),
        ("root_without_splits", "valid.txt: split list not found"),
    ],
)
def test_bad_inputs_fail_with_one_line_naming_the_path(files, tmp_path, capsys, which, message):
    checkpoint, root = files
    bad = tmp_path / which
    if which == "bad_checkpoint":
        bad.mkdir()
        (bad / "config.json").write_text("{not json")
        (bad / "model.safetensors").write_bytes(b"")
        checkpoint = bad
    elif which == "missing_checkpoint":
        checkpoint = bad
    else:
        if which == "root_without_splits":
            bad.mkdir()
        root = bad
    args = ["evaluate", str(checkpoint), "--data-root", str(root), "--split", "valid",
            "--out", str(tmp_path / "r.json")]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and str(bad) in err
    assert not (tmp_path / "r.json").exists()


def test_fgd_with_an_autoencoder_counts_in_the_composite(files, tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "gesture_autoencoder_checkpoint_best.bin"
    torch.save({"pose_dim": 96, "gen_dict": GestureAutoencoder(96).state_dict()}, path)
    options = EvalOptions(**{**FAST.__dict__, "runs": 1, "steps": 1, "autoencoder": path})
    result = evaluate(*files, "valid", options)
    s2c, midi = result["engines"]["s2c"], result["engines"]["midi"]
    assert s2c["mean"]["fgd"] > 0 and midi["mean"]["fgd"] >= 0
    assert "fgd" not in result["not_computed"]
    without_fgd = composite({**s2c["mean"], "fgd": None})
    assert s2c["composite"][0] == pytest.approx(without_fgd + 0.3 * s2c["mean"]["fgd"] / 1000)


def test_bad_autoencoder_and_options_fail_with_one_line(files, tmp_path, capsys):
    checkpoint, root = files
    bad = tmp_path / "ae.bin"
    bad.write_bytes(b"not a checkpoint")
    common = ["evaluate", str(checkpoint), "--data-root", str(root), "--split", "valid",
              "--out", str(tmp_path / "r.json")]  # fmt: skip
    for extra, message in (
        (["--autoencoder", str(bad)], str(bad)),
        (["--sampler", "ddpm", "--steps", "20"], "1000 steps"),
        (["--limit", "0"], "at least 1"),
    ):
        assert main([*common, *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err


def test_without_midi_our_metrics_say_why(files, tmp_path):
    checkpoint, root = files
    shutil.copytree(root, tmp_path / "data", ignore=shutil.ignore_patterns("midi"))
    options = EvalOptions(**{**FAST.__dict__, "runs": 1, "steps": 1, "limit": 1})
    result = evaluate(checkpoint, tmp_path / "data", "valid", options)
    assert result["engines"]["midi"] is None
    assert result["engines"]["s2c"]["mean"]["key_contact"] is None
    assert result["engines"]["s2c"]["mean"]["jitter_left"] is not None
    assert {"key_contact", "midi_engine"} <= set(result["not_computed"])
    assert "| MIDI engine |" not in markdown(result)


def test_crop_notes_keeps_onsets_in_the_window_on_its_clock(tmp_path):
    path = write_midi(
        tmp_path / "m.mid", {"piano": [(60, 0.5, 1.5), (62, 1.9, 2.6), (64, 2.2, 9.0)]}
    )
    notes = crop_notes(read_midi(path), start=1.0, seconds=4.0)
    assert notes.pitch.tolist() == [62, 64]
    assert np.allclose(notes.onset, [0.9, 1.2]) and np.allclose(notes.offset, [1.6, 4.0])


def test_jitter_is_zero_for_a_still_hand():
    still = Targets(
        {hand: np.zeros((30, 48)) for hand in HANDS},
        {hand: np.tile([0.1, 0.2, 0.9], (30, 1)) for hand in HANDS},
    )
    motion = to_motion(still, builtin_rig("right"))
    assert all(jitter(motion, hand) < 1e-6 for hand in HANDS)
