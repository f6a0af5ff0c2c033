"""Stage 2 per-hand denoiser: `Unet1D` with the condition refiner and HCAA at the bottleneck
(S2C_REFERENCE §3.2). Split into `down` and `up` because the two hands exchange bottlenecks
in between."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .config import UnetConfig
from .hcaa import CrossAttentionFusion, MultiheadFusionAttn
from .transformer_refiner import TransformerRefiner
from .unet_blocks import (
    Attention,
    LinearAttention,
    ResnetBlock,
    SinusoidalPosEmb,
    downsample,
    residual_prenorm,
    upsample,
)


@dataclass
class DownState:
    """What the up path needs from the down path of the same hand."""

    bottleneck: Tensor  # (B, 8*dim, T/8)
    stem: Tensor  # output of init_conv, for the final skip
    time_emb: Tensor
    skips: list[Tensor]


class Unet1D(nn.Module):
    def __init__(self, config: UnetConfig, cond_dim: int) -> None:
        super().__init__()
        dim, groups = config.dim, config.resnet_groups
        time_dim = dim * 4
        dims = [dim, *(dim * m for m in config.dim_mults)]
        in_out = list(zip(dims[:-1], dims[1:], strict=True))
        mid_dim = dims[-1]

        def block(d_in: int, d_out: int) -> ResnetBlock:
            return ResnetBlock(d_in, d_out, time_dim, groups)

        # condition refiner: same enc/dec as stage 1 but at the HuBERT width
        self.cond_refiner = TransformerRefiner(
            cond_dim,
            config.nhead,
            config.num_layer,
            config.encoder_ffn,
            config.max_seq_len,
            config.period,
        )
        self.cond_feature_map = nn.Linear(config.channels, cond_dim)  # `remap_noise`
        self.init_conv = nn.Conv1d(2 * cond_dim + config.guide_dim, dim, 7, padding=3)
        self.time_mlp = nn.Sequential(
            SinusoidalPosEmb(dim),
            nn.Linear(dim, time_dim),
            nn.GELU(),
            nn.Linear(time_dim, time_dim),
        )
        attn = {"heads": config.attn_heads, "dim_head": config.attn_dim_head}
        self.downs = nn.ModuleList(
            nn.ModuleList(
                [
                    block(d_in, d_in),
                    block(d_in, d_in),
                    residual_prenorm(d_in, LinearAttention(d_in, **attn)),
                    nn.Conv1d(d_in, d_out, 3, padding=1) if last else downsample(d_in, d_out),
                ]
            )
            for last, (d_in, d_out) in _flag_last(in_out)
        )
        self.mid_block1 = block(mid_dim, mid_dim)
        self.mid_attn = residual_prenorm(mid_dim, Attention(mid_dim, **attn))
        self.mid_block2 = block(mid_dim, mid_dim)
        self.cross_attn = CrossAttentionFusion(mid_dim, config.fusion_heads)
        self.diff_attn = MultiheadFusionAttn(mid_dim, config.fusion_heads)
        self.ups = nn.ModuleList(
            nn.ModuleList(
                [
                    block(d_out + d_in, d_out),
                    block(d_out + d_in, d_out),
                    residual_prenorm(d_out, LinearAttention(d_out, **attn)),
                    nn.Conv1d(d_out, d_in, 3, padding=1) if last else upsample(d_out, d_in),
                ]
            )
            for last, (d_in, d_out) in _flag_last(list(reversed(in_out)))
        )
        self.final_res_block = block(dim * 2, dim)
        self.final_conv = nn.Conv1d(dim, config.channels, 1)

    def refine_condition(self, hidden: Tensor, causal: bool) -> Tensor:
        """HuBERT hidden (B, T, C) -> refined condition (B, C, T); once per sampling run."""
        return self.cond_refiner(hidden, causal).transpose(1, 2)

    def down(self, x: Tensor, t: Tensor, context: Tensor, guide: Tensor) -> DownState:
        """x (B, 48, T), t (B,), context (B, C, T), guide (B, 6, T) -> bottleneck state."""
        remapped = self.cond_feature_map(x.transpose(1, 2)).transpose(1, 2)
        x = self.init_conv(torch.cat((context, remapped, guide), dim=1))
        stem = x
        time_emb = self.time_mlp(t)
        skips = []
        for block1, block2, attn, down in self.downs:
            x = block1(x, time_emb)
            skips.append(x)
            x = attn(block2(x, time_emb))
            skips.append(x)
            x = down(x)
        # fusion mode 4 runs the whole mid block per hand before the hands meet
        x = self.mid_block2(self.mid_attn(self.mid_block1(x, time_emb)), time_emb)
        return DownState(x, stem, time_emb, skips)

    def up(self, state: DownState, other_bottleneck: Tensor) -> Tensor:
        """HCAA with the other hand's bottleneck, then the up path -> (B, 48, T)."""
        x = self.diff_attn(state.bottleneck, other_bottleneck)
        skips, time_emb = list(state.skips), state.time_emb
        for block1, block2, attn, up in self.ups:
            x = block1(torch.cat((x, skips.pop()), dim=1), time_emb)
            x = attn(block2(torch.cat((x, skips.pop()), dim=1), time_emb))
            x = up(x)
        x = self.final_res_block(torch.cat((x, state.stem), dim=1), time_emb)
        return self.final_conv(x)


def _flag_last(pairs: list[tuple[int, int]]) -> list[tuple[bool, tuple[int, int]]]:
    return [(i == len(pairs) - 1, pair) for i, pair in enumerate(pairs)]
