"""Cosine noise schedule with v-prediction helpers (S2C_REFERENCE §3.3).

A plain object, not an nn.Module: the official checkpoints carry these 13 tables as buffers,
but they are a pure function of T, so we check them on load and keep them out of our weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch
from torch import Tensor


def cosine_betas(timesteps: int, s: float = 0.008) -> Tensor:
    """Nichol & Dhariwal cosine schedule in float64, betas clipped to [0, 0.999]."""
    x = torch.linspace(0, timesteps, timesteps + 1, dtype=torch.float64, device="cpu")
    alphas_cumprod = torch.cos((x / timesteps + s) / (1 + s) * math.pi * 0.5) ** 2
    alphas_cumprod = alphas_cumprod / alphas_cumprod[0]
    betas = 1 - alphas_cumprod[1:] / alphas_cumprod[:-1]
    return betas.clamp(0, 0.999)


@dataclass(frozen=True)
class DiffusionSchedule:
    """The reference's tables, computed in float64 and stored as float32 like its buffers.
    Field names and order equal the official buffer names."""

    betas: Tensor
    alphas_cumprod: Tensor
    alphas_cumprod_prev: Tensor
    sqrt_alphas_cumprod: Tensor
    sqrt_one_minus_alphas_cumprod: Tensor
    log_one_minus_alphas_cumprod: Tensor
    sqrt_recip_alphas_cumprod: Tensor
    sqrt_recipm1_alphas_cumprod: Tensor
    posterior_variance: Tensor
    posterior_log_variance_clipped: Tensor
    posterior_mean_coef1: Tensor
    posterior_mean_coef2: Tensor
    loss_weight: Tensor

    @classmethod
    def cosine(cls, timesteps: int = 1000) -> DiffusionSchedule:
        betas = cosine_betas(timesteps)
        alphas = 1 - betas
        ac = torch.cumprod(alphas, dim=0)
        ac_prev = torch.cat((torch.ones(1, dtype=ac.dtype, device=ac.device), ac[:-1]))
        posterior_variance = betas * (1 - ac_prev) / (1 - ac)
        snr = ac / (1 - ac)
        tables = {
            "betas": betas,
            "alphas_cumprod": ac,
            "alphas_cumprod_prev": ac_prev,
            "sqrt_alphas_cumprod": ac.sqrt(),
            "sqrt_one_minus_alphas_cumprod": (1 - ac).sqrt(),
            "log_one_minus_alphas_cumprod": (1 - ac).log(),
            "sqrt_recip_alphas_cumprod": (1 / ac).sqrt(),
            "sqrt_recipm1_alphas_cumprod": (1 / ac - 1).sqrt(),
            "posterior_variance": posterior_variance,
            # the posterior variance is 0 at t=0, hence the clamp before the log
            "posterior_log_variance_clipped": posterior_variance.clamp(min=1e-20).log(),
            "posterior_mean_coef1": betas * ac_prev.sqrt() / (1 - ac),
            "posterior_mean_coef2": (1 - ac_prev) * alphas.sqrt() / (1 - ac),
            "loss_weight": snr / (snr + 1),  # v-prediction: SNR / (SNR + 1)
        }
        return cls(**{name: value.float() for name, value in tables.items()})

    @property
    def timesteps(self) -> int:
        return self.betas.shape[0]

    def tables(self) -> dict[str, Tensor]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to(self, device: torch.device | str) -> DiffusionSchedule:
        return DiffusionSchedule(**{k: v.to(device) for k, v in self.tables().items()})

    # ----------------------------------------------------------------------- v-prediction

    @staticmethod
    def _at(table: Tensor, t: Tensor, x: Tensor) -> Tensor:
        """Gather per-sample coefficients at timesteps t and broadcast over x (B, ...)."""
        return table.to(x.device)[t].reshape(-1, *([1] * (x.dim() - 1))).to(x.dtype)

    def q_sample(self, x0: Tensor, t: Tensor, noise: Tensor) -> Tensor:
        return (
            self._at(self.sqrt_alphas_cumprod, t, x0) * x0
            + self._at(self.sqrt_one_minus_alphas_cumprod, t, x0) * noise
        )

    def velocity(self, x0: Tensor, t: Tensor, noise: Tensor) -> Tensor:
        """Training target v = sqrt(a_t) eps - sqrt(1 - a_t) x0."""
        return (
            self._at(self.sqrt_alphas_cumprod, t, x0) * noise
            - self._at(self.sqrt_one_minus_alphas_cumprod, t, x0) * x0
        )

    def x0_from_v(self, x_t: Tensor, t: Tensor, v: Tensor) -> Tensor:
        return (
            self._at(self.sqrt_alphas_cumprod, t, x_t) * x_t
            - self._at(self.sqrt_one_minus_alphas_cumprod, t, x_t) * v
        )

    def posterior(self, x0: Tensor, x_t: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
        """Mean and clipped log-variance of q(x_{t-1} | x_t, x0)."""
        mean = (
            self._at(self.posterior_mean_coef1, t, x_t) * x0
            + self._at(self.posterior_mean_coef2, t, x_t) * x_t
        )
        return mean, self._at(self.posterior_log_variance_clipped, t, x_t)
