"""A small synthetic dataset, a tiny HuBERT folder and tiny training configs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from transformers import HubertModel

from s2c_core.data.synthetic import SyntheticOptions, make_dataset
from s2c_core.train.config import GestureTrainConfig, PositionTrainConfig
from tests.engines.midi.midi_files import run, write_midi
from tests.engines.s2c.tiny_s2c import tiny_hubert_config

SECONDS = 4  # training window: 64 000 samples, 120 frames


def write_pieces(folder: Path, count: int) -> Path:
    """`count` MIDI files of ~13 s: a right-hand melody over a slower left-hand line."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        rng = np.random.default_rng(i)
        right = run([int(p) for p in 60 + rng.integers(0, 12, 42)], step=0.3)
        left = run([int(p) for p in 43 + rng.integers(0, 10, 21)], step=0.6)
        write_midi(folder / f"piece{i}.mid", {"right": right, "left": left})
    return folder


def write_dataset(root: Path, pieces: int = 3) -> Path:
    out = root / "dataset"
    options = SyntheticOptions(seconds_per_sequence=6, render="builtin", valid_share=0.34)
    make_dataset(write_pieces(root / "midi", pieces), out, options)
    return out


def write_hubert(folder: Path) -> Path:
    torch.manual_seed(0)
    HubertModel(tiny_hubert_config()).save_pretrained(folder)
    return folder


def _common(data: Path, out: Path, **overrides) -> dict:
    knobs = dict(
        data_root=data, out_dir=out, seconds=SECONDS, batch_size=2, lr=1e-3, workers=0,
        val_every=10, save_every=10, log_every=5, val_sequences=4, val_batch_size=4,
        progress_bar=False,
    )  # fmt: skip
    return {**knobs, **overrides}


def position_config(data: Path, hubert: Path, out: Path, **overrides) -> PositionTrainConfig:
    tiny = dict(feature_dim=16, num_layer=1, unet_dim=16, unet_layers=1, iterations=20)
    return PositionTrainConfig(hubert=hubert, **{**tiny, **_common(data, out, **overrides)})


def gesture_config(data: Path, stage1: Path, out: Path, **overrides) -> GestureTrainConfig:
    return GestureTrainConfig(
        stage1=stage1, **_common(data, out, **{"iterations": 20, **overrides})
    )
