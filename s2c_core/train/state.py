"""Run folder bookkeeping: resumable training states, `latest.json`, best/last models.

    OUT/train_config.json      the config the run started with
    OUT/latest.json            {"step": N, "state": "state/step_0000000N.pt"}
    OUT/state/step_*.pt        trained weights, optimizer, grad scaler, step, best val loss
    OUT/best/, OUT/last/       our model format (config.json + model.safetensors)
    OUT/best.json              {"step": N, "val_loss": x}

Every file and folder is written under a temporary name and renamed, so an interrupted
write never leaves a half state that `--resume` would pick up.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch

from ..engines.s2c import S2C

LATEST = "latest.json"
STATE_DIR = "state"


def state_name(step: int) -> str:
    return f"step_{step:08d}.pt"  # zero-padded so names sort by step


def write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def save_state(out_dir: Path, step: int, state: dict[str, Any], keep: int) -> Path:
    folder = out_dir / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / state_name(step)
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    write_json(out_dir / LATEST, {"step": step, "state": f"{STATE_DIR}/{path.name}"})
    for old in sorted(folder.glob("step_*.pt"))[: -max(keep, 1)]:
        old.unlink()
    return path


def load_latest(out_dir: Path, device: torch.device) -> dict[str, Any] | None:
    """The state `latest.json` points at, or None when the folder holds no run."""
    latest = out_dir / LATEST
    if not latest.is_file():
        return None
    entry = json.loads(latest.read_text())
    path = out_dir / entry["state"]
    if not path.is_file():
        raise FileNotFoundError(f"{latest}: names {path}, which does not exist")
    # our own file, but plain tensors and numbers only, so the safe loader suffices
    return torch.load(path, map_location=device, weights_only=True)


def publish_model(model: S2C, dest: Path) -> None:
    """`save_pretrained` into a sibling folder, then swap it in place of `dest`."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    old = dest.with_name(f".{dest.name}.old")
    if dest.exists():
        dest.rename(old)
    tmp.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


def subset_state(model: S2C, prefixes: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """The weights a stage trains (the rest is rebuilt from its source at resume)."""
    return {k: v for k, v in model.state_dict().items() if k.startswith(prefixes)}


def load_subset(model: S2C, weights: dict[str, torch.Tensor], prefixes: tuple[str, ...]) -> None:
    expected = set(subset_state(model, prefixes))
    if set(weights) != expected:
        diff = sorted(expected ^ set(weights))
        raise ValueError(f"training state does not match the model (e.g. '{diff[0]}')")
    model.load_state_dict(weights, strict=False)
