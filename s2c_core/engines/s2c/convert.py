"""Official experiment folder -> our format (safetensors + JSON config)."""

from __future__ import annotations

from pathlib import Path

from .errors import CheckpointError
from .model import S2C
from .official import is_official_experiment


def convert_official(exp_dir: Path, out_dir: Path, hubert_path: Path | None = None) -> S2C:
    """Load strictly from the official files (memory-mapped) and write our format; the
    HuBERT architecture is recorded in our config, so the result needs no HuBERT folder."""
    if not is_official_experiment(exp_dir):
        raise CheckpointError(f"{exp_dir}: not an official S2C experiment (no args.txt)")
    model = S2C.from_pretrained(exp_dir, hubert_path)
    model.save_pretrained(out_dir)
    return model
