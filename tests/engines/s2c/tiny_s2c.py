"""Tiny S2C builders shared by the S2C tests (and later pipeline/training tests).

Everything is random-initialised from a seed; official-format folders are written exactly as
the release lays them out, with a tiny HuBERT saved through `save_pretrained`.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import HubertConfig, HubertModel

from s2c_core.engines.s2c import S2C, CompatConfig, S2CConfig
from s2c_core.engines.s2c.config import DiffusionConfig, PositionConfig, UnetConfig
from s2c_core.engines.s2c.official_export import write_official_experiment

WINDOW_SAMPLES = 128_000  # the reference 8 s window
WINDOW_FRAMES = 240


def tiny_hubert_config() -> HubertConfig:
    return HubertConfig(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16, 16),
        conv_kernel=(10, 3),
        conv_stride=(5, 2),
        conv_bias=True,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        mask_time_prob=0.05,
        vocab_size=32,
    )


def tiny_config(timesteps: int = 1000) -> S2CConfig:
    """`timesteps` < 1000 makes the reference's every-step DDPM quick to run in tests."""
    return S2CConfig(
        hubert=tiny_hubert_config().to_dict(),
        position=PositionConfig(feature_dim=16, num_layer=1),
        unet=UnetConfig(dim=16, num_layer=1),
        diffusion=DiffusionConfig(timesteps=timesteps),
    )


def build_tiny_model(
    seed: int = 0, compat: CompatConfig | None = None, timesteps: int = 1000
) -> S2C:
    torch.manual_seed(seed)
    model = S2C(tiny_config(timesteps), compat)
    # default inits leave norms at exactly 1/0; perturb every tensor so that any weight
    # loaded into the wrong place changes the outputs
    with torch.no_grad():
        for param in model.parameters():
            param.add_(torch.randn_like(param) * 0.02)
    return model


def write_tiny_official(exp_dir: Path, seed: int = 0, legacy_weight_norm: bool = False) -> S2C:
    """Official-format experiment folder with a relative `wav2vec_path`; returns the model."""
    model = build_tiny_model(seed)
    HubertModel(tiny_hubert_config()).save_pretrained(exp_dir / "hubert")
    write_official_experiment(model, exp_dir, "hubert", legacy_weight_norm)
    return model


def tiny_audio(batch: int = 1, samples: int = WINDOW_SAMPLES, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, samples, generator=g) * 0.1).float()


def tiny_inputs(batch: int = 1, frames: int = WINDOW_FRAMES, seed: int = 1):
    """Noisy x per hand and a timestep batch for `denoise`."""
    g = torch.Generator().manual_seed(seed)
    x = {hand: torch.randn(batch, 48, frames, generator=g) for hand in ("left", "right")}
    t = torch.randint(0, 1000, (batch,), generator=g)
    return x, t


def with_compat(model: S2C, compat: CompatConfig) -> S2C:
    """The same weights under other reference-quirk options."""
    model.compat = compat
    return model.eval()  # re-applies the dropout choice
