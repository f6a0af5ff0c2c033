"""Our checkpoint format: `config.json` (format tag + `S2CConfig`) and `model.safetensors`
holding both hands under our module names. No pickle anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .config import CompatConfig, S2CConfig
from .errors import CheckpointError
from .model import S2C

FORMAT = "s2c-hands"
FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


def is_our_format(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file() and (path / WEIGHTS_FILE).is_file()


def save_ours(model: S2C, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "config": model.config.to_dict()}
    (out_dir / CONFIG_FILE).write_text(json.dumps(meta, indent=1))
    # contiguous() is a no-op for our parameters; safetensors refuses views otherwise
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out_dir / WEIGHTS_FILE), metadata={"format": FORMAT})


def _read_config(path: Path) -> S2CConfig:
    try:
        meta = json.loads(path.read_text())
        if meta.get("format") != FORMAT:
            raise CheckpointError(
                f"{path}: not an S2C Hands config (format {meta.get('format')!r})"
            )
        if meta.get("version") != FORMAT_VERSION:
            raise CheckpointError(f"{path}: unsupported format version {meta.get('version')!r}")
        return S2CConfig.from_dict(meta["config"])
    except CheckpointError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"{path}: unreadable config ({type(exc).__name__}: {exc})") from exc


def load_ours(path: Path, compat: CompatConfig | None) -> S2C:
    config = _read_config(path / CONFIG_FILE)
    weights = path / WEIGHTS_FILE
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{weights}: unreadable safetensors file ({exc})") from exc
    with torch.device("meta"):
        model = S2C(config, compat)
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        first = (missing or unexpected)[0]
        raise CheckpointError(
            f"{weights}: {len(missing)} tensors missing, {len(unexpected)} unexpected "
            f"(e.g. '{first}')"
        )
    bad = next((k for k, v in state.items() if v.shape != expected[k].shape), None)
    if bad is not None:
        raise CheckpointError(
            f"{weights}: '{bad}' has shape {tuple(state[bad].shape)}, "
            f"config.json gives {tuple(expected[bad].shape)}"
        )
    model.load_state_dict(state, strict=True, assign=True)
    return model
