"""Our checkpoint format: `config.json` (format tag + `S2CConfig`) and `model.safetensors`
holding both hands under our module names. No pickle anywhere.

A loader: it reads files into plain data (a config, a state dict) and never builds the model,
so loading flows one way: loaders -> `S2C.from_pretrained`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import Tensor

from .config import S2CConfig
from .errors import CheckpointError

FORMAT = "s2c-hands"
FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"


def is_our_format(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file() and (path / WEIGHTS_FILE).is_file()


def save_ours(config: S2CConfig, state: Mapping[str, Tensor], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "config": config.to_dict()}
    (out_dir / CONFIG_FILE).write_text(json.dumps(meta, indent=1))
    # contiguous() is a no-op for our parameters; safetensors refuses views otherwise
    tensors = {k: v.detach().contiguous() for k, v in state.items()}
    save_file(tensors, str(out_dir / WEIGHTS_FILE), metadata={"format": FORMAT})


def read_our_config(path: Path) -> S2CConfig:
    """The `S2CConfig` in `path/config.json`."""
    config_file = path / CONFIG_FILE
    try:
        meta = json.loads(config_file.read_text())
        if meta.get("format") != FORMAT:
            raise CheckpointError(
                f"{config_file}: not an S2C Hands config (format {meta.get('format')!r})"
            )
        if meta.get("version") != FORMAT_VERSION:
            raise CheckpointError(
                f"{config_file}: unsupported format version {meta.get('version')!r}"
            )
        return S2CConfig.from_dict(meta["config"])
    except CheckpointError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(
            f"{config_file}: unreadable config ({type(exc).__name__}: {exc})"
        ) from exc


def read_our_weights(path: Path, expected: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """`path/model.safetensors`, checked strictly against the model's (meta) state dict."""
    weights = path / WEIGHTS_FILE
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{weights}: unreadable safetensors file ({exc})") from exc
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
    return state
