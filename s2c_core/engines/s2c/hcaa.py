"""Bottleneck fusion between the two hands (S2C_REFERENCE §3.2 steps 6-7)."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

LAMBDA_INIT = 0.1  # fixed in the reference; its `depth` argument is ignored


class MultiheadFusionAttn(nn.Module):
    """HCAA: causal self-attention of the own hand minus lambda x that of the other hand.

    Both attentions are self-attention within one stream; the other hand enters only through
    its attention output (differential "common-mode rejection" across hands). No residual.
    """

    def __init__(self, embed_dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        # registration order follows the reference so state_dict listings line up
        for name in ("lambda_q_left", "lambda_k_left", "lambda_q_right", "lambda_k_right"):
            self.register_parameter(name, nn.Parameter(torch.randn(self.head_dim) * 0.1))
        for name in ("q", "k", "v"):
            for side in ("left", "right"):
                setattr(self, f"{name}_proj_{side}", nn.Linear(embed_dim, embed_dim, bias=False))
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=False)
        self.subln = nn.LayerNorm(embed_dim)
        self.mlp = nn.Sequential(
            nn.Linear(embed_dim, 2 * embed_dim), nn.ReLU(), nn.Linear(2 * embed_dim, embed_dim)
        )

    def _heads(self, x: Tensor) -> Tensor:
        b, n, _ = x.shape
        return x.view(b, n, self.num_heads, self.head_dim).transpose(1, 2)

    def _attend(self, x: Tensor, side: str, mask: Tensor) -> Tensor:
        q, k, v = (self._heads(getattr(self, f"{n}_proj_{side}")(x)) for n in ("q", "k", "v"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + mask
        return scores.softmax(dim=-1) @ v

    def lambda_full(self) -> Tensor:
        left = torch.exp(torch.sum(self.lambda_q_left * self.lambda_k_left))
        right = torch.exp(torch.sum(self.lambda_q_right * self.lambda_k_right))
        return left - right + LAMBDA_INIT

    def forward(self, x_self: Tensor, x_other: Tensor) -> Tensor:
        """Bottlenecks (B, C, L) of this hand and the other -> fused (B, C, L) for this hand."""
        x_self, x_other = x_self.transpose(1, 2), x_other.transpose(1, 2)
        b, n, c = x_self.shape
        mask = torch.full((n, n), float("-inf"), device=x_self.device, dtype=x_self.dtype).triu(1)
        out = self._attend(x_self, "left", mask) - self.lambda_full() * self._attend(
            x_other, "right", mask
        )
        out = self.out_proj(self.subln(out.transpose(1, 2).reshape(b, n, c)))
        return self.mlp(out).transpose(1, 2)


class CrossAttentionFusion(nn.Module):
    """Weights only. The reference builds this for every fusion mode != 0, so its 33.6 M
    parameters sit in the official checkpoints; HCAA (fusion 4) never calls it."""

    def __init__(self, embed_dim: int, num_heads: int) -> None:
        super().__init__()
        self.cross_attn = nn.MultiheadAttention(embed_dim, num_heads)
        self.norm = nn.LayerNorm(embed_dim)
        self.mlp = nn.Sequential(
            nn.Linear(embed_dim, 2 * embed_dim), nn.ReLU(), nn.Linear(2 * embed_dim, embed_dim)
        )
