"""Building blocks of the 1-D U-Net, in the lucidrains `denoising-diffusion-pytorch` layout
that the official checkpoint keys follow (S2C_REFERENCE §3.2 step 4, §4.2)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class SinusoidalPosEmb(nn.Module):
    def __init__(self, dim: int, theta: float = 10_000.0) -> None:
        super().__init__()
        self.dim, self.theta = dim, theta

    def forward(self, t: Tensor) -> Tensor:
        half = self.dim // 2
        freqs = torch.exp(
            torch.arange(half, device=t.device) * -(math.log(self.theta) / (half - 1))
        )
        angles = t.float()[:, None] * freqs[None, :]
        return torch.cat((angles.sin(), angles.cos()), dim=-1)


class RMSNorm(nn.Module):
    """normalize(x, dim=1) * g * sqrt(C); the gain is stored as `g` of shape (1, C, 1)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.g = nn.Parameter(torch.ones(1, dim, 1))

    def forward(self, x: Tensor) -> Tensor:
        return F.normalize(x, dim=1) * self.g * math.sqrt(x.shape[1])


class PreNorm(nn.Module):
    def __init__(self, dim: int, fn: nn.Module) -> None:
        super().__init__()
        self.fn, self.norm = fn, RMSNorm(dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(self.norm(x))


class Residual(nn.Module):
    def __init__(self, fn: nn.Module) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(x) + x


def residual_prenorm(dim: int, fn: nn.Module) -> Residual:
    """`Residual(PreNorm(fn))`, which gives the `fn.fn.` / `fn.norm.` checkpoint keys."""
    return Residual(PreNorm(dim, fn))


class Block(nn.Module):
    """Conv k3 -> GroupNorm -> optional FiLM from the time embedding -> SiLU."""

    def __init__(self, dim: int, dim_out: int, groups: int) -> None:
        super().__init__()
        self.proj = nn.Conv1d(dim, dim_out, 3, padding=1)
        self.norm = nn.GroupNorm(groups, dim_out)

    def forward(self, x: Tensor, scale_shift: tuple[Tensor, Tensor] | None = None) -> Tensor:
        x = self.norm(self.proj(x))
        if scale_shift is not None:
            scale, shift = scale_shift
            x = x * (scale + 1) + shift
        return F.silu(x)


class ResnetBlock(nn.Module):
    def __init__(self, dim: int, dim_out: int, time_dim: int, groups: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.SiLU(), nn.Linear(time_dim, dim_out * 2))
        self.block1 = Block(dim, dim_out, groups)
        self.block2 = Block(dim_out, dim_out, groups)
        self.res_conv = nn.Conv1d(dim, dim_out, 1) if dim != dim_out else nn.Identity()

    def forward(self, x: Tensor, time_emb: Tensor) -> Tensor:
        scale_shift = self.mlp(time_emb)[:, :, None].chunk(2, dim=1)
        h = self.block2(self.block1(x, scale_shift))
        return h + self.res_conv(x)


def _split_heads(x: Tensor, heads: int) -> Tensor:
    """(B, heads*d, N) -> (B, heads, d, N)."""
    b, c, n = x.shape
    return x.reshape(b, heads, c // heads, n)


class LinearAttention(nn.Module):
    """Linear attention: q softmax over channels, k softmax over time; output RMS-normed."""

    def __init__(self, dim: int, heads: int = 4, dim_head: int = 32) -> None:
        super().__init__()
        hidden = heads * dim_head
        self.heads, self.scale = heads, dim_head**-0.5
        self.to_qkv = nn.Conv1d(dim, hidden * 3, 1, bias=False)
        self.to_out = nn.Sequential(nn.Conv1d(hidden, dim, 1), RMSNorm(dim))

    def forward(self, x: Tensor) -> Tensor:
        q, k, v = (_split_heads(part, self.heads) for part in self.to_qkv(x).chunk(3, dim=1))
        q = q.softmax(dim=-2) * self.scale
        k = k.softmax(dim=-1)
        context = torch.einsum("bhdn,bhen->bhde", k, v)
        out = torch.einsum("bhde,bhdn->bhen", context, q)
        return self.to_out(out.flatten(1, 2))


class Attention(nn.Module):
    """Full softmax self-attention over time (the bottleneck's `mid_attn`)."""

    def __init__(self, dim: int, heads: int = 4, dim_head: int = 32) -> None:
        super().__init__()
        hidden = heads * dim_head
        self.heads, self.scale = heads, dim_head**-0.5
        self.to_qkv = nn.Conv1d(dim, hidden * 3, 1, bias=False)
        self.to_out = nn.Conv1d(hidden, dim, 1)

    def forward(self, x: Tensor) -> Tensor:
        q, k, v = (_split_heads(part, self.heads) for part in self.to_qkv(x).chunk(3, dim=1))
        attn = torch.einsum("bhdi,bhdj->bhij", q * self.scale, k).softmax(dim=-1)
        out = torch.einsum("bhij,bhdj->bhdi", attn, v)
        return self.to_out(out.flatten(1, 2))


def downsample(dim: int, dim_out: int) -> nn.Conv1d:
    return nn.Conv1d(dim, dim_out, 4, 2, 1)


def upsample(dim: int, dim_out: int) -> nn.Sequential:
    # a Sequential, hence the `.3.1.` checkpoint index of the conv
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv1d(dim, dim_out, 3, padding=1)
    )
