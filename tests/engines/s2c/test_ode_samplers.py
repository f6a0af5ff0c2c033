"""Sampler mathematics on a case with a known answer.

For Gaussian data x0 ~ N(mu, C) the optimal denoiser is closed-form:
E[x0 | x_t] = mu + a C (a^2 C + s^2 I)^-1 (x_t - a mu), so a correct sampler driven by it
must return samples with mean mu and covariance C. The data is as narrow as our targets
(pose / pi, std 0.1-0.15), which is the hard case for few-step solvers.

Tolerances: with n = 20,000 samples the mean's standard error is ~0.001 (tolerance 0.01)
and a covariance entry's ~1 % relative, so 6 % is the bound where the sampler is exact in
the limit (DDPM-1000, ODE solvers at 1000 steps). Fewer steps add the solver's own
discretisation bias, measured on this case: DPM-Solver++(2M) (second order) +1 % at 50
and +6 % at 20 steps, so 6 % / 10 %; DDIM (first order) shrinks the variance by ~8 % at 50
and ~18 % at 20 steps, so 12 % / 25 %, and DDIM is additionally checked against the exact
covariance its update rule must produce for this linear case. A wrong coefficient moves
the moments far more (the last test shows a broken sampler failing).
"""

import pytest
import torch

from s2c_core.engines.s2c.ode_samplers import (
    ddim_sample,
    dpm_solver_sample,
    sampling_timesteps,
    select_sampler,
)
from s2c_core.engines.s2c.samplers import ddpm_sample
from s2c_core.engines.s2c.schedule import DiffusionSchedule

N_SAMPLES = 20_000
MEAN = {"left": torch.tensor([0.2, -0.1, 0.05]), "right": torch.tensor([-0.15, 0.1, 0.0])}
_L = torch.tensor([[0.15, 0.0, 0.0], [0.05, 0.10, 0.0], [-0.02, 0.03, 0.12]])
COV = {"left": _L @ _L.T, "right": 0.5 * (_L @ _L.T) + 0.004 * torch.eye(3)}


def gaussian_denoiser(schedule: DiffusionSchedule):
    """v-prediction of the optimal denoiser for each hand's Gaussian, x: (B, 3, 1)."""

    def denoise(x, t):
        alpha_bar = schedule.alphas_cumprod.double()[t[0]]
        a, s = alpha_bar.sqrt(), (1 - alpha_bar).sqrt()
        out = {}
        for hand, x_t in x.items():
            mu, cov = MEAN[hand].double(), COV[hand].double()
            gain = a * cov @ torch.linalg.inv(a * a * cov + s * s * torch.eye(3, dtype=cov.dtype))
            x0 = mu + (x_t[..., 0].double() - a * mu) @ gain.T
            out[hand] = ((a * x_t[..., 0].double() - x0) / s)[..., None].float()
        return out

    return denoise


def _sample(sampler, **kwargs):
    schedule = DiffusionSchedule.cosine(1000)
    generator = torch.Generator().manual_seed(0)
    x_T = {hand: torch.randn(N_SAMPLES, 3, 1, generator=generator) for hand in ("left", "right")}
    return sampler(gaussian_denoiser(schedule), schedule, x_T, generator=generator, **kwargs)


def _assert_moments(samples, cov_tolerance=0.06, expected_cov=None):
    for hand, x in samples.items():
        x = x[..., 0].double()
        torch.testing.assert_close(x.mean(0), MEAN[hand].double(), atol=0.01, rtol=0)
        target = COV[hand].double() if expected_cov is None else expected_cov[hand]
        scale = target.diagonal().max()
        torch.testing.assert_close(torch.cov(x.T), target, atol=cov_tolerance * scale, rtol=0)


def ddim_exact_covariance(steps: int) -> dict[str, torch.Tensor]:
    """The covariance DDIM's update must give for this Gaussian: every step is linear in x,
    x_next - m_next = K (x - m) with K = (s'/s) I + (a' - a s'/s) a C (a^2 C + s^2 I)^-1."""
    schedule = DiffusionSchedule.cosine(1000)
    grid = sampling_timesteps(1000, steps)
    alpha_bar = schedule.alphas_cumprod.double()
    out = {}
    for hand in ("left", "right"):
        cov, eye = COV[hand].double(), torch.eye(3, dtype=torch.float64)
        total = eye
        for i, t in enumerate(grid):
            a, s = alpha_bar[t].sqrt(), (1 - alpha_bar[t]).sqrt()
            gain = a * cov @ torch.linalg.inv(a * a * cov + s * s * eye)
            if i + 1 == len(grid):
                total = gain @ total
            else:
                a2, s2 = alpha_bar[grid[i + 1]].sqrt(), (1 - alpha_bar[grid[i + 1]]).sqrt()
                total = ((s2 / s) * eye + (a2 - a * s2 / s) * gain) @ total
        out[hand] = total @ total.T
    return out


@pytest.mark.slow
def test_ddpm_1000_matches_the_gaussian():
    _assert_moments(_sample(ddpm_sample))


@pytest.mark.parametrize(
    ("steps", "tolerance"),
    [pytest.param(1000, 0.06, marks=pytest.mark.slow), (50, 0.12), (20, 0.25)],
)
def test_ddim_matches_the_gaussian(steps, tolerance):
    samples = _sample(ddim_sample, steps=steps, clip_x0=False)
    _assert_moments(samples, tolerance)
    _assert_moments(samples, 0.04, expected_cov=ddim_exact_covariance(steps))


@pytest.mark.parametrize(
    ("steps", "tolerance"),
    [pytest.param(1000, 0.06, marks=pytest.mark.slow), (50, 0.06), (20, 0.10)],
)
def test_dpm_solver_matches_the_gaussian(steps, tolerance):
    _assert_moments(_sample(dpm_solver_sample, steps=steps, clip_x0=False), tolerance)


def test_a_wrong_sampler_fails_the_moment_check():
    """Guard that the check has teeth: dropping DDIM's noise direction collapses variance."""

    def broken(denoise_fn, schedule, x_T, **kwargs):
        return {h: torch.zeros_like(v) + MEAN[h][:, None] for h, v in x_T.items()}

    with pytest.raises(AssertionError):
        _assert_moments(_sample(broken))


def test_timestep_grid():
    assert sampling_timesteps(1000, 5) == [999, 562, 250, 62, 0]
    assert sampling_timesteps(1000, 1000) == list(range(999, -1, -1))
    grid = sampling_timesteps(1000, 50)
    assert len(set(grid)) == 50 and grid[0] == 999 and grid[-1] == 0
    with pytest.raises(ValueError, match="steps must be between 1 and 1000"):
        sampling_timesteps(1000, 0)


def test_progress_callback_counts_network_evaluations():
    seen = []
    _sample(dpm_solver_sample, steps=7, callback=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 7) for i in range(1, 8)]


@pytest.mark.parametrize("sampler", ["ddim", "dpm"])
def test_zero_steps_is_an_error_not_the_default(sampler):
    with pytest.raises(ValueError, match="steps must be at least 1, got 0"):
        select_sampler(sampler, 0)
