"""`--reference-compat`: the authors' infer.py per 8 s window. With dropout off (the fixture was
made in eval mode) it reproduces the fixture's 1000-step sample from its noise stream; with
dropout on (as infer.py runs) it is reproducible from the seed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from s2c_core.engines.s2c import S2C, CompatConfig
from s2c_core.engines.s2c.reference_infer import WINDOW_SAMPLES, generate_reference
from s2c_core.engines.s2c.smoothing import savgol_smooth
from tests.engines.s2c.reference_fixture import (
    ATOL_STAGE1,
    ATOL_UNET,
    SAMPLE_SEED,
    load_arrays,
    require_fixture,
)
from tests.engines.s2c.tiny_s2c import build_tiny_model

HANDS = ("left", "right")
EVAL_MODE = dataclasses.replace(CompatConfig.reference(), dropout_at_inference=False)


@pytest.mark.slow  # 1000 dual-stream steps: about 16 s on one CPU thread
def test_reproduces_the_fixture_sample_from_its_noise_stream():
    model = S2C.from_pretrained(require_fixture(), compat=EVAL_MODE)
    inputs, expected = load_arrays("inputs.npz"), load_arrays("expected.npz")
    first_draw = torch.randn((1, 48, 240), generator=torch.Generator().manual_seed(SAMPLE_SEED))
    assert torch.equal(first_draw, torch.from_numpy(inputs["noise1"]))  # the stream we replay
    result = generate_reference(model, inputs["audio1"][0], SAMPLE_SEED, smooth=False)
    for hand in HANDS:
        np.testing.assert_allclose(
            result.pose[hand], expected[f"sample1_{hand}"][0].T, rtol=0, atol=ATOL_UNET
        )
        np.testing.assert_allclose(
            result.position[hand], expected[f"position1_{hand}"][0], rtol=0, atol=ATOL_STAGE1
        )


def _short_schedule_model(compat: CompatConfig) -> S2C:
    """The tiny model with a 10-step schedule, so that a full DDPM run takes a moment."""
    return build_tiny_model(seed=0, compat=compat, timesteps=10)


@pytest.fixture(scope="module")
def nine_seconds() -> np.ndarray:
    rng = np.random.default_rng(0)
    return (0.1 * rng.standard_normal(WINDOW_SAMPLES + 16_000)).astype(np.float32)


def test_dropout_on_is_reproducible_from_the_seed(nine_seconds):
    model = _short_schedule_model(CompatConfig.reference())
    assert any(m.training for m in model.modules()), "dropout must stay on, as in infer.py"
    rng_before = torch.get_rng_state()
    a, b, c = (generate_reference(model, nine_seconds, seed) for seed in (3, 3, 4))
    assert torch.equal(torch.get_rng_state(), rng_before)  # the caller's RNG is untouched
    for hand in HANDS:
        assert a.pose[hand].shape == (270, 48) and a.position[hand].shape == (270, 3)
        np.testing.assert_array_equal(a.pose[hand], b.pose[hand])
        np.testing.assert_array_equal(a.position[hand], b.position[hand])
        assert not np.allclose(a.pose[hand], c.pose[hand])
    assert a.seams == [(240, 240)]  # windows meet with a hard cut, as the reference has them
    # dropout is what made the runs differ from eval mode under the same seed
    eval_mode = generate_reference(_short_schedule_model(EVAL_MODE), nine_seconds, 3)
    assert not np.allclose(a.position["left"], eval_mode.position["left"])


def test_smoothing_is_savgol_per_window(nine_seconds):
    model = _short_schedule_model(EVAL_MODE)
    raw = generate_reference(model, nine_seconds, 0, smooth=False)
    smooth = generate_reference(model, nine_seconds, 0, smooth=True)
    for hand in HANDS:
        for track in ("pose", "position"):
            ours, base = getattr(smooth, track)[hand], getattr(raw, track)[hand]
            np.testing.assert_allclose(ours[:240], savgol_smooth(base[:240]), atol=1e-6)
            assert not np.allclose(ours[:240], base[:240])
