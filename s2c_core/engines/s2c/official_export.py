"""Writing a model in the official on-disk layout (S2C_REFERENCE §4): args files plus one
`piano2pose-<hand>-iter=0-val_loss=0.ckpt` per hand. Used to build official-format fixtures
without the real release (tests, benchmarks) and to hand our weights to the reference code."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from torch import Tensor

from .config import HANDS, S2CConfig
from .model import S2C, HandModel
from .official import KEY_PREFIXES, WEIGHT_NORM_NAMES, swap_prefix
from .schedule import DiffusionSchedule


def official_state_dict(
    hand: HandModel, schedule: DiffusionSchedule, legacy_weight_norm: bool = False
) -> dict[str, Tensor]:
    """Our hand module in the official key layout, schedule buffers included (for writing
    official-format files, e.g. in tests and benchmarks)."""
    out: dict[str, Tensor] = dict(schedule.tables())
    for key, value in hand.state_dict().items():
        official = swap_prefix(key, KEY_PREFIXES, reverse=True)
        if official is None:
            raise KeyError(f"no official name for {key}")
        if legacy_weight_norm:
            for old, new in WEIGHT_NORM_NAMES:
                official = official.replace(new, old)
        out[official] = value
    return out


def _position_args(config: S2CConfig, wav2vec_path: str) -> dict:
    pos = config.position
    return {
        "feature_dim": pos.feature_dim,
        "num_layer": pos.num_layer,
        "bs_dim": pos.pos_dim,
        "latest_layer": "tanh",
        "encoder_type": "transformer",
        "hidden_type": "audio_f",
        "max_seq_len": pos.max_seq_len,
        "period": pos.period,
        "wav2vec_path": wav2vec_path,
    }


def write_official_args(exp_dir: Path, config: S2CConfig, wav2vec_path: str) -> None:
    """`args.txt` / `args_posi.txt` with the keys our parser reads (tests and benchmarks)."""
    unet = config.unet
    args = {
        "unet_dim": unet.dim,
        "bs_dim": 2 * unet.channels,
        "num_layer": unet.num_layer,
        "fusion": 4,
        "obj": "pred_v",
        "xyz_guide": True,
        "remap_noise": True,
        "encoder_type": "transformer",
        "timesteps": config.diffusion.timesteps,
        "train_sec": 8,
    }
    (exp_dir / "args.txt").write_text(json.dumps(args, indent=1))
    posi = _position_args(config, wav2vec_path)
    (exp_dir / "args_posi.txt").write_text(json.dumps(posi, indent=1))


def write_official_experiment(
    model: S2C, exp_dir: Path, wav2vec_path: str, legacy_weight_norm: bool = False
) -> None:
    """Everything `S2C.from_pretrained` reads from an official folder except the HuBERT
    config folder at `wav2vec_path`."""
    exp_dir.mkdir(parents=True, exist_ok=True)
    write_official_args(exp_dir, model.config, wav2vec_path)
    hyper = argparse.Namespace(unet_dim=model.config.unet.dim, fusion=4, obj="pred_v")
    for hand in HANDS:
        state = official_state_dict(model.hands[hand], model.schedule, legacy_weight_norm)
        path = exp_dir / f"piano2pose-{hand}-iter=0-val_loss=0.0000000000000000.ckpt"
        torch.save({"state_dict": state, "hyper_parameters": hyper}, path)


STAGE1_PREFIX = "piano2posi."  # the stage-2 checkpoint holds Piano2Posi under this name


def write_official_stage1(model: S2C, exp_dir: Path, wav2vec_path: str) -> None:
    """Stage 1 as the reference's stage-1 run folder: `args.txt` plus one
    `piano2posi-<hand>-iter=0-val_loss=0.ckpt` per hand holding the Piano2Posi state dict,
    which the reference's train_diffusion.py reads through --piano2posi_path."""
    exp_dir.mkdir(parents=True, exist_ok=True)
    args = _position_args(model.config, wav2vec_path)
    (exp_dir / "args.txt").write_text(json.dumps(args, indent=1))
    hyper = argparse.Namespace(**args)
    for hand in HANDS:
        full = official_state_dict(model.hands[hand], model.schedule)
        state = {
            key.removeprefix(STAGE1_PREFIX): value
            for key, value in full.items()
            if key.startswith(STAGE1_PREFIX)
        }
        path = exp_dir / f"piano2posi-{hand}-iter=0-val_loss=0.0000000000000000.ckpt"
        torch.save({"state_dict": state, "hyper_parameters": hyper}, path)
