"""Fast deterministic samplers for the v-prediction model: DDIM and DPM-Solver++(2M).

Both follow samplers.Sampler's signature, evaluate the network `steps` times instead of the
reference's 1000, and step both hands together. With a_t = sqrt(alphas_cumprod[t]) and
s_t = sqrt(1 - alphas_cumprod[t]), a v-prediction gives x0 = a x_t - s v and
eps = s x_t + a v. The last evaluation's x0 is the sample (the step to noise level zero).

- DDIM (Song et al. 2021, eta = 0): x_next = a_next x0 + s_next eps.
- DPM-Solver++(2M) (Lu et al. 2022), data prediction, multistep second order in
  lambda = log(a / s): x_next = (s_next / s) x - a_next (e^{-h} - 1) D with
  D = (1 + 1/(2r)) x0_i - 1/(2r) x0_{i-1}, r = h_prev / h, first order on the first step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch

from .config import HANDS
from .samplers import DenoiseFn, HandTensors, ProgressFn, Sampler, ddpm_sample
from .schedule import DiffusionSchedule


def sampling_timesteps(timesteps: int, steps: int) -> list[int]:
    """`steps` distinct integer timesteps from T-1 down to 0, quadratic in time.

    t_i = (T-1)(1 - i/(N-1))^2 puts more steps at low noise, where the cosine schedule's
    log-SNR changes fastest and narrow data (poses / pi) is resolved (DPM-Solver's
    "time_quadratic" grid); evenly spaced t loses ~15 % of the data variance at 20 steps.
    """
    if not 1 <= steps <= timesteps:
        raise ValueError(f"steps must be between 1 and {timesteps}, got {steps}")
    if steps == 1:
        return [timesteps - 1]
    grid = {round((timesteps - 1) * (1 - i / (steps - 1)) ** 2) for i in range(steps)}
    t = 1
    while len(grid) < steps:  # rounding merges the first few low-noise steps: fill upwards
        grid.add(t)
        t += 1
    return sorted(grid, reverse=True)


def _coefficients(schedule: DiffusionSchedule, t: int) -> tuple[float, float]:
    alpha_bar = float(schedule.alphas_cumprod[t])
    return alpha_bar**0.5, (1.0 - alpha_bar) ** 0.5


def _predict_x0(
    denoise_fn: DenoiseFn, schedule: DiffusionSchedule, x: HandTensors, t: int, clip: bool
) -> HandTensors:
    batch = x["left"].shape[0]
    t_tensor = torch.full((batch,), t, dtype=torch.long, device=x["left"].device)
    v = denoise_fn(x, t_tensor)
    a, s = _coefficients(schedule, t)
    x0 = {hand: a * x[hand] - s * v[hand] for hand in HANDS}
    return {hand: value.clamp(-1.0, 1.0) for hand, value in x0.items()} if clip else x0


# An update moves x from t to t_next given the model's x0 at t; `history` holds earlier
# (x0, h) pairs for multistep solvers.
Update = Callable[
    [DiffusionSchedule, HandTensors, HandTensors, int, int, list[tuple[HandTensors, float]]],
    HandTensors,
]


def _integrate(
    denoise_fn: DenoiseFn,
    schedule: DiffusionSchedule,
    x_T: HandTensors,
    steps: int,
    clip_x0: bool,
    callback: ProgressFn | None,
    update: Update,
) -> HandTensors:
    grid = sampling_timesteps(schedule.timesteps, steps)
    x, history = dict(x_T), []
    for i, t in enumerate(grid):
        x0 = _predict_x0(denoise_fn, schedule, x, t, clip_x0)
        x = x0 if i + 1 == len(grid) else update(schedule, x, x0, t, grid[i + 1], history)
        if callback is not None:
            callback(i + 1, len(grid))
    return x


def ddim_sample(
    denoise_fn: DenoiseFn,
    schedule: DiffusionSchedule,
    x_T: HandTensors,
    *,
    steps: int = 50,
    clip_x0: bool = True,
    generator: torch.Generator | None = None,
    callback: ProgressFn | None = None,
) -> HandTensors:
    """Deterministic DDIM; `generator` is unused (the noise is all in x_T)."""
    return _integrate(denoise_fn, schedule, x_T, steps, clip_x0, callback, _ddim_update)


def dpm_solver_sample(
    denoise_fn: DenoiseFn,
    schedule: DiffusionSchedule,
    x_T: HandTensors,
    *,
    steps: int = 20,
    clip_x0: bool = True,
    generator: torch.Generator | None = None,
    callback: ProgressFn | None = None,
) -> HandTensors:
    """DPM-Solver++(2M); `generator` is unused (the noise is all in x_T)."""
    return _integrate(denoise_fn, schedule, x_T, steps, clip_x0, callback, _dpm_update)


def _ddim_update(
    schedule: DiffusionSchedule,
    x: HandTensors,
    x0: HandTensors,
    t: int,
    t_next: int,
    history: list[tuple[HandTensors, float]],
) -> HandTensors:
    a, s = _coefficients(schedule, t)
    a_next, s_next = _coefficients(schedule, t_next)
    return {k: a_next * x0[k] + s_next * (x[k] - a * x0[k]) / s for k in HANDS}


def _dpm_update(
    schedule: DiffusionSchedule,
    x: HandTensors,
    x0: HandTensors,
    t: int,
    t_next: int,
    history: list[tuple[HandTensors, float]],
) -> HandTensors:
    a, s = _coefficients(schedule, t)
    a_next, s_next = _coefficients(schedule, t_next)
    h = _log_snr_half(a_next, s_next) - _log_snr_half(a, s)
    if history:
        x0_prev, h_prev = history[-1]
        r = h_prev / h
        d = {k: (1 + 0.5 / r) * x0[k] - (0.5 / r) * x0_prev[k] for k in HANDS}
    else:  # first step: first order
        d = x0
    history.append((x0, h))
    factor = a_next * (torch.expm1(torch.tensor(-h, dtype=torch.float64))).item()
    return {k: (s_next / s) * x[k] - factor * d[k] for k in HANDS}


def _log_snr_half(a: float, s: float) -> float:
    """lambda = log(a / s), half the log signal-to-noise ratio."""
    return float(torch.log(torch.tensor(a / s, dtype=torch.float64)))


def select_sampler(name: str, steps: int | None = None) -> Sampler:
    """'ddpm' (the reference, all T steps), 'ddim' or 'dpm' with `steps` evaluations."""
    if name == "ddpm":
        if steps not in (None, 1000):
            raise ValueError("the ddpm sampler always takes 1000 steps; use ddim or dpm for fewer")
        return ddpm_sample
    samplers = {"ddim": (ddim_sample, 50), "dpm": (dpm_solver_sample, 20)}
    if name not in samplers:
        raise ValueError(f"unknown sampler {name!r} (choose ddpm, ddim or dpm)")
    if steps is not None and steps < 1:  # 0 must not quietly become the default
        raise ValueError(f"steps must be at least 1, got {steps}")
    function, default_steps = samplers[name]
    return functools.partial(function, steps=steps or default_steps)
