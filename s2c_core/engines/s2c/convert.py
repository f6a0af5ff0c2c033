"""Official experiment folder -> our format (safetensors + JSON config)."""

from __future__ import annotations

from pathlib import Path

from .model import S2C
from .official import load_official


def convert_official(exp_dir: Path, out_dir: Path, hubert_path: Path | None = None) -> S2C:
    """Load strictly from the official files (memory-mapped) and write our format; the
    HuBERT architecture is recorded in our config, so the result needs no HuBERT folder."""
    model = load_official(exp_dir, hubert_path, compat=None)
    model.save_pretrained(out_dir)
    return model
