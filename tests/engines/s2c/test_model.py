"""Tiny-model behaviour of the public API: shapes, determinism, errors, reference quirks."""

from __future__ import annotations

import pytest
import torch

from s2c_core.engines.s2c import CompatConfig
from s2c_core.engines.s2c.audio_encoder import normalise_audio
from s2c_core.engines.s2c.transformer_refiner import alibi_slopes, periodic_causal_mask
from tests.engines.s2c.tiny_s2c import tiny_audio, tiny_inputs, with_compat


def _run(model, batch=2, audio_seed=0):
    cond = model.encode_audio(tiny_audio(batch, seed=audio_seed))
    x, t = tiny_inputs(batch)
    with torch.no_grad():
        return cond, model.denoise(x, t, cond)


def test_shapes_and_eval_mode(tiny_model):
    assert not tiny_model.training
    cond, out = _run(tiny_model)
    for hand in ("left", "right"):
        assert cond.position[hand].shape == (2, 240, 3)
        assert cond.position[hand].abs().max() < 1  # tanh head
        assert cond.hidden[hand].shape == (2, 240, 32)
        assert out[hand].shape == (2, 48, 240)
    assert not torch.equal(out["left"], out["right"])


def test_deterministic(tiny_model):
    _, a = _run(tiny_model)
    _, b = _run(tiny_model)
    assert all(torch.equal(a[h], b[h]) for h in a)


def test_shorter_window(tiny_model):
    cond = tiny_model.encode_audio(tiny_audio(1, samples=12_800))
    x, t = tiny_inputs(1, frames=24)
    assert tiny_model.denoise(x, t, cond)["right"].shape == (1, 48, 24)


@pytest.mark.parametrize("samples", [128_001, 16_000, 0])
def test_wrong_window_length_is_clear(tiny_model, samples):
    with pytest.raises(ValueError, match="multiple of 12800 samples"):
        tiny_model.encode_audio(torch.zeros(1, samples))


def test_wrong_denoise_inputs_are_clear(tiny_model):
    cond = tiny_model.encode_audio(tiny_audio(1))
    x, t = tiny_inputs(1, frames=232)
    with pytest.raises(ValueError, match=r"x\['left'\] has shape \(1, 48, 232\), expected"):
        tiny_model.denoise(x, t, cond)
    x, t = tiny_inputs(1)
    with pytest.raises(ValueError, match="keys 'left' and 'right'"):
        tiny_model.denoise({"left": x["left"]}, t, cond)
    with pytest.raises(ValueError, match="t must be int64"):
        tiny_model.denoise(x, t.float(), cond)
    with pytest.raises(ValueError, match=r"audio must be \(batch, samples\)"):
        tiny_model.encode_audio(torch.zeros(128_000))


def test_normalisation_per_clip_vs_batch():
    audio = torch.stack((torch.randn(1600), 5 * torch.randn(1600) + 2))
    per_clip = normalise_audio(audio, batch_joint=False)
    assert torch.allclose(per_clip.std(dim=1, unbiased=False), torch.ones(2), atol=1e-4)
    joint = normalise_audio(audio, batch_joint=True)
    assert joint.std(unbiased=False).item() == pytest.approx(1, abs=1e-4)
    assert joint[0].std().item() < 0.5


def test_periodic_causal_mask_values():
    assert alibi_slopes(4) == [1 / 4, 1 / 16, 1 / 64, 1 / 256]
    mask = periodic_causal_mask(4, 90, 30)
    assert mask[0, 0, 1] == float("-inf")
    assert mask[1, 65, 5] == -2 / 16  # floor(60 / 30) = 2
    assert mask[3, 29, 0] == 0


def test_reference_quirks(tiny_model):
    _, default = _run(tiny_model, batch=1)
    # the periodic mask at batch size 1 changes the outputs, "never" (default) does not
    model = with_compat(tiny_model, CompatConfig(causal_mask="batch1"))
    _, masked = _run(model, batch=1)
    assert not torch.equal(default["left"], masked["left"])
    # dropout at inference: the transformer stacks stay in train mode, HuBERT does not
    model = with_compat(tiny_model, CompatConfig(dropout_at_inference=True))
    assert model.hands["left"].unet.cond_refiner.training
    assert not model.hands["left"].position.audio_encoder.training
    _, a = _run(model, batch=1)
    _, b = _run(model, batch=1)
    assert not torch.equal(a["left"], b["left"])
    assert CompatConfig.reference() == CompatConfig(True, "batch1", True, True)
    with pytest.raises(ValueError, match="causal_mask"):
        CompatConfig(causal_mask="sometimes")
