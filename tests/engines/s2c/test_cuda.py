"""Device handling on a GPU (skipped on CPU-only machines)."""

from __future__ import annotations

import pytest
import torch

from s2c_core.engines.s2c import S2C
from tests.engines.s2c.tiny_s2c import tiny_audio, tiny_inputs

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def test_cuda_matches_cpu_and_samples(tiny_official):
    exp, _ = tiny_official
    cpu, gpu = S2C.from_pretrained(exp), S2C.from_pretrained(exp, device="cuda")
    x, t = tiny_inputs(2)
    with torch.no_grad():
        ref = cpu.denoise(x, t, cpu.encode_audio(tiny_audio(2)))
        cond = gpu.encode_audio(tiny_audio(2))  # CPU audio is moved to the model's device
        out = gpu.denoise({h: v.cuda() for h, v in x.items()}, t.cuda(), cond)
    for hand in ref:
        torch.testing.assert_close(out[hand].cpu(), ref[hand], atol=2e-3, rtol=2e-3)
    # a CPU generator drives GPU sampling reproducibly
    a, b = (gpu.sample(cond, generator=torch.Generator().manual_seed(0)) for _ in range(2))
    for hand in a:
        assert a[hand].device.type == "cuda" and a[hand].shape == (2, 48, 240)
        assert torch.equal(a[hand], b[hand]) and a[hand].abs().max() <= 1
