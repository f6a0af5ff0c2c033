"""Handing a finished run to the reference code: its best model in the official layout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from transformers import HubertConfig

from ..engines.s2c import S2C

OFFICIAL_HUBERT = "hubert"  # relative wav2vec_path of the export: a config-only folder


def export_official(out_dir: Path, writer: Callable[[S2C, Path, str], None]) -> None:
    """Write OUT/best in the official layout to OUT/official with `writer` (stage 1 or 2).

    The checkpoints hold every weight, HuBERT's included; the loaders only need HuBERT's
    architecture from `wav2vec_path`, so the export carries a config-only folder.
    """
    best = S2C.from_pretrained(out_dir / "best")
    official = out_dir / "official"
    writer(best, official, OFFICIAL_HUBERT)
    HubertConfig.from_dict(best.config.hubert).save_pretrained(official / OFFICIAL_HUBERT)
