"""Both training stages on the synthetic dataset with tiny models (CPU)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import torch

from s2c_core.cli import main
from s2c_core.engines.s2c import S2C
from s2c_core.train.gesture import train_gesture
from s2c_core.train.position import MissingHubertError, train_position
from tests.train.helpers import gesture_config, position_config


@pytest.mark.slow
def test_both_stages_reduce_validation_loss_and_write_checkpoints(tmp_path, dataset, stage1):
    stage1_dir, first = stage1
    assert first.val_loss[20] < 0.5 * first.val_loss[0], first.val_loss
    out = tmp_path / "stage2"
    second = train_gesture(gesture_config(dataset, stage1_dir, out, iterations=30))
    assert second.val_loss[30] < 0.9 * second.val_loss[0], second.val_loss

    for run in (stage1_dir, out):
        assert {"best", "last", "latest.json", "best.json", "train_config.json", "tb"} <= {
            p.name for p in run.iterdir()
        }
    _check_stage1_export(stage1_dir)
    best = S2C.from_pretrained(out / "best")
    official = S2C.from_pretrained(out / "official")  # the official-format export
    for key, value in best.state_dict().items():
        assert torch.equal(value, official.state_dict()[key]), key
    # stage 2 trains only the U-Nets: the stage-1 predictors are unchanged
    start = S2C.from_pretrained(stage1_dir / "best").state_dict()
    for key, value in best.state_dict().items():
        assert torch.equal(value, start[key]) == (".unet." not in key or "cross_attn" in key), key


def _check_stage1_export(run: Path) -> None:
    """Stage 1 in the reference's layout: Piano2Posi state dicts under the official names."""
    best = S2C.from_pretrained(run / "best")
    for hand in ("left", "right"):
        (path,) = (run / "official").glob(f"piano2posi-{hand}-iter=*.ckpt")
        with torch.serialization.safe_globals([argparse.Namespace]):
            state = torch.load(path, weights_only=True)["state_dict"]
        ours = best.hands[hand].position.state_dict()
        assert len(state) == len(ours)
        assert torch.equal(state["bs_map_r.0.weight"], ours["head.0.weight"])
    assert (run / "official" / "args.txt").is_file()


@pytest.mark.slow
def test_resume_continues_with_identical_losses(tmp_path, dataset, stage1):
    stage1_dir, _ = stage1
    full = train_gesture(gesture_config(dataset, stage1_dir, tmp_path / "full", iterations=16))
    out = tmp_path / "resumed"
    train_gesture(gesture_config(dataset, stage1_dir, out, iterations=8, save_every=8))
    with pytest.raises(FileExistsError, match="--resume"):
        train_gesture(gesture_config(dataset, stage1_dir, out, iterations=16))
    resumed = train_gesture(
        gesture_config(dataset, stage1_dir, out, iterations=16, save_every=8, resume=True)
    )
    assert sorted(resumed.train_loss) == list(range(9, 17))
    assert resumed.train_loss == {k: v for k, v in full.train_loss.items() if k > 8}
    assert resumed.val_loss[16] == full.val_loss[16]
    assert sorted(p.name for p in (out / "state").iterdir()) == [
        "step_00000008.pt", "step_00000016.pt"
    ]  # fmt: skip


def test_resume_refuses_a_changed_recipe(tmp_path, dataset, hubert):
    out = tmp_path / "run"
    out.mkdir()
    (out / "train_config.json").write_text('{"lr": 0.5}')
    config = position_config(dataset, hubert, out, resume=True)
    with pytest.raises(ValueError, match="changed settings: lr"):
        train_position(config)


def test_missing_hubert_folder_is_one_clear_error(tmp_path, dataset, capsys):
    missing = tmp_path / "no-hubert"
    with pytest.raises(MissingHubertError, match="no HuBERT model here"):
        train_position(position_config(dataset, missing, tmp_path / "run"))
    status = main(["train-position", str(dataset), "--hubert", str(missing),
                   "--out", str(tmp_path / "run"), "--no-progress-bar"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and "hubert-large-ls960-ft" in err[0], err
