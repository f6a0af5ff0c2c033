from __future__ import annotations

import math

import pytest
import torch

from s2c_core.engines.s2c import DiffusionSchedule


def test_matches_cosine_formula():
    s, T = 0.008, 1000
    f = [math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2 for t in range(T + 1)]
    betas = torch.tensor([min(1 - f[t + 1] / f[t], 0.999) for t in range(T)], dtype=torch.float64)
    schedule = DiffusionSchedule.cosine(T)
    assert torch.allclose(schedule.betas.double(), betas, rtol=1e-6, atol=1e-9)
    assert schedule.sqrt_alphas_cumprod[0].item() == pytest.approx(0.99998, abs=1e-5)
    assert schedule.betas[-1].item() == pytest.approx(0.999, abs=1e-6)
    assert schedule.sqrt_alphas_cumprod[-1].item() == pytest.approx(4.9e-5, abs=1e-6)
    assert all(v.dtype == torch.float32 and v.shape == (T,) for v in schedule.tables().values())


def test_v_prediction_round_trip_and_weight():
    schedule = DiffusionSchedule.cosine()
    g = torch.Generator().manual_seed(0)
    x0, noise = torch.rand(4, 48, 24, generator=g) * 2 - 1, torch.randn(4, 48, 24, generator=g)
    t = torch.tensor([0, 10, 500, 999])
    x_t = schedule.q_sample(x0, t, noise)
    v = schedule.velocity(x0, t, noise)
    assert torch.allclose(schedule.x0_from_v(x_t, t, v), x0, atol=1e-5)
    ac = schedule.alphas_cumprod
    assert torch.allclose(schedule.loss_weight, ac, atol=1e-6)  # SNR/(SNR+1) == alpha_bar


def test_posterior_variance_is_clamped_before_log():
    schedule = DiffusionSchedule.cosine()
    assert schedule.posterior_variance[0] == 0
    assert schedule.posterior_log_variance_clipped[0].item() == pytest.approx(
        math.log(1e-20), abs=1e-3
    )
