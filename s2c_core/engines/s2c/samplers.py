"""Samplers as plain functions of a denoiser and a schedule, for both hands at once.

`denoise_fn(x, t) -> v` maps {"left": (B, 48, T), "right": ...} and t (B,) int64 to the raw
v-predictions; the model supplies it with the audio condition bound. New samplers (DDIM,
DPM-Solver, windowed long-form) follow the `Sampler` signature and need no model changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import torch
from torch import Tensor

from .config import HANDS
from .schedule import DiffusionSchedule

HandTensors = dict[str, Tensor]
DenoiseFn = Callable[[HandTensors, Tensor], HandTensors]
ProgressFn = Callable[[int, int], None]


class Sampler(Protocol):
    def __call__(
        self,
        denoise_fn: DenoiseFn,
        schedule: DiffusionSchedule,
        x_T: HandTensors,
        *,
        generator: torch.Generator | None = None,
        callback: ProgressFn | None = None,
    ) -> HandTensors: ...


def randn(
    shape: tuple[int, ...], generator: torch.Generator | None, device: torch.device | str
) -> Tensor:
    """Standard normal noise on `device`, drawn on the generator's own device so that a CPU
    generator gives the same numbers whatever device the model runs on."""
    source = generator.device if generator is not None else device
    return torch.randn(shape, generator=generator, device=source).to(device)


def initial_noise(
    shape: tuple[int, ...],
    *,
    generator: torch.Generator | None,
    device: torch.device | str = "cpu",
    shared: bool = False,
) -> HandTensors:
    """x_T per hand (left drawn first); `shared` copies the left noise to the right hand,
    as the reference code does (S2C_REFERENCE §8.4)."""
    left = randn(shape, generator, device)
    right = left.clone() if shared else randn(shape, generator, device)
    return {"left": left, "right": right}


def ddpm_sample(
    denoise_fn: DenoiseFn,
    schedule: DiffusionSchedule,
    x_T: HandTensors,
    *,
    generator: torch.Generator | None = None,
    callback: ProgressFn | None = None,
) -> HandTensors:
    """The reference ancestral sampler: every one of the T steps, x0 from v clamped to
    [-1, 1], posterior mean plus exp(0.5 log var) z; no noise on the last step. Both hands
    step together (the model exchanges their bottlenecks), with independent z per hand."""
    x = dict(x_T)
    batch = x["left"].shape[0]
    device = x["left"].device
    total = schedule.timesteps
    for step, step_t in enumerate(reversed(range(total))):
        t = torch.full((batch,), step_t, dtype=torch.long, device=device)
        v = denoise_fn(x, t)
        for hand in HANDS:
            x0 = schedule.x0_from_v(x[hand], t, v[hand]).clamp(-1.0, 1.0)
            mean, log_var = schedule.posterior(x0, x[hand], t)
            if step_t > 0:
                z = randn(tuple(mean.shape), generator, device)
                mean = mean + (0.5 * log_var).exp() * z
            x[hand] = mean
        if callback is not None:
            callback(step + 1, total)
    return x
