"""Loading the official S2C release (S2C_REFERENCE §4): an experiment folder with `args.txt`,
`args_posi.txt` and one `piano2pose-{left,right}-*.ckpt` per hand.

Each checkpoint is `{'state_dict': GaussianDiffusion1D_piano2pose.state_dict(),
'hyper_parameters': argparse.Namespace}`. We unpickle it with `weights_only=True` (only
tensors, containers and `argparse.Namespace` allowed) and memory-map it, build the model on
the meta device and assign the mapped tensors, so RAM stays near the checkpoint size.

A loader: it reads files into plain data (a config, a state dict in our key layout) and never
builds the model, so loading flows one way: loaders -> `S2C.from_pretrained`.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import Tensor
from transformers import HubertConfig

from ...safe_torch_load import is_legacy_torch_file, load_checkpoint_dict
from .config import (
    HANDS,
    DiffusionConfig,
    S2CConfig,
    int_arg,
    position_config_from_args,
    read_args_file,
    unet_config_from_args,
)
from .errors import CheckpointError
from .schedule import DiffusionSchedule

# official prefix -> ours, first match wins (specific prefixes before `model.`)
KEY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("piano2posi.audio_encoder_cont.lm_head.", "position.audio_encoder.lm_head."),
    ("piano2posi.audio_encoder_cont.", "position.audio_encoder.hubert."),
    ("piano2posi.audio_feature_map_cont.", "position.feature_map."),
    ("piano2posi.pos_feature_map.", "position.pos_feature_map."),
    ("piano2posi.transformer_encoder.", "position.refiner.encoder."),
    ("piano2posi.transformer_decoder.", "position.refiner.decoder."),
    ("piano2posi.bs_map_r.", "position.head."),
    ("model.transformer_encoder.", "unet.cond_refiner.encoder."),
    ("model.transformer_decoder.", "unet.cond_refiner.decoder."),
    ("model.", "unet."),
)
# HuBERT's positional conv uses weight norm; torch < 2.1 stacks save the legacy names
WEIGHT_NORM_NAMES: tuple[tuple[str, str], ...] = (
    (".weight_g", ".parametrizations.weight.original0"),
    (".weight_v", ".parametrizations.weight.original1"),
)


def swap_prefix(key: str, pairs: tuple[tuple[str, str], ...], reverse: bool) -> str | None:
    for official, ours in pairs:
        src, dst = (ours, official) if reverse else (official, ours)
        if key.startswith(src):
            return dst + key[len(src) :]
    return None


def _align_weight_norm(key: str, targets: set[str]) -> str:
    """Rename a weight-norm key to whichever of the two naming forms `targets` uses."""
    if key in targets:
        return key
    for a, b in WEIGHT_NORM_NAMES:
        for src, dst in ((a, b), (b, a)):
            if key.endswith(src) and key[: -len(src)] + dst in targets:
                return key[: -len(src)] + dst
    return key


# --------------------------------------------------------------------------- files


def read_official_checkpoint(path: Path) -> dict[str, Tensor]:
    """The memory-mapped `state_dict` of one official checkpoint, loaded without running code."""
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint file not found")
    if not zipfile.is_zipfile(path) and not is_legacy_torch_file(path):
        raise CheckpointError(
            f"{path}: not a PyTorch checkpoint (neither the zip nor the legacy format: "
            "corrupt or truncated?)"
        )
    ckpt = load_checkpoint_dict(path, CheckpointError, mmap=True)
    state = ckpt.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, Tensor) for v in state.values()):
        raise CheckpointError(f"{path}: no 'state_dict' of tensors (not an S2C checkpoint)")
    return state


def checkpoint_iteration(name: str) -> int:
    """The `iter=` number of a checkpoint file name (-1 without one)."""
    match = re.search(r"iter=(\d+)", name)
    return int(match.group(1)) if match else -1


def find_checkpoint(exp_dir: Path, hand: str) -> Path:
    """`piano2pose-<hand>-*.ckpt`; with several, the highest `iter=` (as eval.py picks)."""
    found = sorted(exp_dir.glob(f"piano2pose-{hand}-*.ckpt"))
    if not found:
        raise CheckpointError(f"{exp_dir}: no piano2pose-{hand}-*.ckpt checkpoint in the folder")
    return max(found, key=lambda path: checkpoint_iteration(path.name))


def _read_hubert(hubert_dir: Path) -> tuple[HubertConfig, bool]:
    """HuBERT architecture and the processor's `do_normalize` (weights come from the ckpt)."""
    config_file = hubert_dir / "config.json"
    if not config_file.is_file():
        raise CheckpointError(
            f"{config_file}: HuBERT config not found (pass hubert_path= / --hubert to point at "
            f"hubert-large-ls960-ft)"
        )
    try:
        config = HubertConfig.from_json_file(config_file)
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{config_file}: unreadable HuBERT config ({exc})") from exc
    preprocessor = hubert_dir / "preprocessor_config.json"
    do_normalize = True
    if preprocessor.is_file():
        do_normalize = bool(read_args_file(preprocessor).get("do_normalize", True))
    return config, do_normalize


def is_official_experiment(path: Path) -> bool:
    return (path / "args.txt").is_file()


def config_from_experiment(exp_dir: Path, hubert_path: Path | None) -> S2CConfig:
    if not is_official_experiment(exp_dir):
        raise CheckpointError(
            f"{exp_dir}: neither our format (config.json) nor an official experiment (args.txt)"
        )
    args = read_args_file(exp_dir / "args.txt")
    posi = read_args_file(exp_dir / "args_posi.txt")
    if hubert_path is None:
        hubert_path = Path(posi.get("wav2vec_path", "hubert-large-ls960-ft"))
        if not hubert_path.is_absolute():
            hubert_path = exp_dir / hubert_path
    hubert, do_normalize = _read_hubert(Path(hubert_path))
    return S2CConfig(
        hubert=hubert.to_dict(),
        position=position_config_from_args(posi, exp_dir / "args_posi.txt"),
        unet=unet_config_from_args(args, exp_dir / "args.txt"),
        diffusion=DiffusionConfig(timesteps=int_arg(args, "timesteps", 1000, exp_dir / "args.txt")),
        normalize_audio=do_normalize,
    )


# --------------------------------------------------------------------------- mapping


def _check_schedule(state: dict[str, Tensor], schedule: DiffusionSchedule, path: Path) -> None:
    """Pop the 13 schedule buffers, insisting they equal our cosine schedule."""
    for name, ours in schedule.tables().items():
        theirs = state.pop(name, None)
        if theirs is None:
            raise CheckpointError(f"{path}: schedule buffer '{name}' missing")
        if theirs.shape != ours.shape or not torch.allclose(theirs, ours, rtol=1e-4, atol=1e-6):
            raise CheckpointError(
                f"{path}: schedule buffer '{name}' differs from the cosine schedule with "
                f"T={schedule.timesteps}"
            )


def remap_official(
    state: dict[str, Tensor], targets: Mapping[str, Tensor], path: Path
) -> dict[str, Tensor]:
    """Official keys -> our keys for one hand (`targets`: that hand's state dict), strictly:
    every tensor lands, none missing."""
    mapped: dict[str, Tensor] = {}
    for key, value in state.items():
        ours = swap_prefix(key, KEY_PREFIXES, reverse=False)
        if ours is None or (ours := _align_weight_norm(ours, set(targets))) not in targets:
            raise CheckpointError(f"{path}: unexpected tensor '{key}'")
        if value.shape != targets[ours].shape:
            raise CheckpointError(
                f"{path}: '{key}' has shape {tuple(value.shape)}, the configuration in args*.txt "
                f"gives {tuple(targets[ours].shape)}"
            )
        mapped[ours] = value
    missing = sorted(set(targets) - set(mapped))
    if missing:
        raise CheckpointError(
            f"{path}: {len(missing)} tensors missing, e.g. '{missing[0]}' (wrong args*.txt?)"
        )
    return mapped


def read_official_weights(
    exp_dir: Path, expected: Mapping[str, Tensor], schedule: DiffusionSchedule
) -> dict[str, Tensor]:
    """Both hands' checkpoints as one state dict in our layout (`expected`: the model's state
    dict, keys `hands.<hand>.<module>`), the schedule buffers checked and dropped."""
    out: dict[str, Tensor] = {}
    for hand in HANDS:
        prefix = f"hands.{hand}."
        targets = {k.removeprefix(prefix): v for k, v in expected.items() if k.startswith(prefix)}
        path = find_checkpoint(exp_dir, hand)
        state = read_official_checkpoint(path)
        _check_schedule(state, schedule, path)
        out.update({prefix + k: v for k, v in remap_official(state, targets, path).items()})
    return out
