from __future__ import annotations

import pytest
import torch

from s2c_core.engines.s2c import CompatConfig, DiffusionSchedule, ddpm_sample, initial_noise
from tests.engines.s2c.tiny_s2c import tiny_audio, with_compat


def test_initial_noise_shared_or_independent():
    g = torch.Generator().manual_seed(0)
    independent = initial_noise((1, 48, 24), generator=g)
    shared = initial_noise((1, 48, 24), generator=g, shared=True)
    assert not torch.equal(independent["left"], independent["right"])
    assert torch.equal(shared["left"], shared["right"])


def test_reference_compat_shares_initial_noise(tiny_model):
    model = with_compat(tiny_model, CompatConfig(shared_initial_noise=True))
    cond = model.encode_audio(tiny_audio(1, samples=12_800))
    seen = {}

    def first_step_only(denoise_fn, schedule, x_T, *, generator=None, callback=None):
        seen.update(x_T)
        return x_T

    model.sample(cond, generator=torch.Generator().manual_seed(0), sampler=first_step_only)
    assert torch.equal(seen["left"], seen["right"])


@pytest.mark.slow
def test_ddpm_1000_steps_tiny_model(tiny_model):
    cond = tiny_model.encode_audio(tiny_audio(1))
    progress = []
    out = tiny_model.sample(
        cond,
        generator=torch.Generator().manual_seed(0),
        callback=lambda done, total: progress.append((done, total)),
    )
    assert progress[0] == (1, 1000) and progress[-1] == (1000, 1000) and len(progress) == 1000
    for hand in ("left", "right"):
        assert out[hand].shape == (1, 48, 240)
        assert out[hand].abs().max() <= 1.0
        assert torch.isfinite(out[hand]).all()
    assert not torch.equal(out["left"], out["right"])


def test_sampling_is_seeded(tiny_model):
    """The reference loop on a 5-step cosine schedule: same seed, same result."""
    cond = tiny_model.encode_audio(tiny_audio(1, samples=12_800))

    def five_steps(denoise_fn, schedule, x_T, **kwargs):
        return ddpm_sample(denoise_fn, DiffusionSchedule.cosine(5), x_T, **kwargs)

    a, b, c = (
        tiny_model.sample(cond, generator=torch.Generator().manual_seed(seed), sampler=five_steps)
        for seed in (3, 3, 4)
    )
    assert torch.equal(a["left"], b["left"]) and torch.equal(a["right"], b["right"])
    assert not torch.equal(a["left"], c["left"])
    assert a["left"].abs().max() <= 1
