"""Our S2C against numbers the authors' code computed (reference_fixture.py): loading an
official experiment whose HuBERT is 32 wide and whose stage 1 is 48 wide, then every stored
tensor (stage-1 positions, HuBERT states, v and x0 at batch 2, and the batch-1 path). The
whole 1000-step DDPM sample is reproduced through the `--reference-compat` path in
test_reference_infer.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from s2c_core.engines.s2c import S2C, CompatConfig
from tests.engines.s2c.reference_fixture import (
    ATOL_STAGE1,
    ATOL_UNET,
    load_arrays,
    require_fixture,
)

HANDS = ("left", "right")
# what the fixture's official run did: eval() (dropout off), the processor's normalisation over
# the whole batch, the causal mask at batch 1 and one starting noise for both hands
FIXTURE_COMPAT = CompatConfig(
    batch_joint_normalisation=True, causal_mask="batch1", shared_initial_noise=True
)


@pytest.fixture(scope="module")
def official() -> S2C:
    return S2C.from_pretrained(require_fixture(), compat=FIXTURE_COMPAT)


@pytest.fixture(scope="module")
def inputs() -> dict[str, np.ndarray]:
    return load_arrays("inputs.npz")


@pytest.fixture(scope="module")
def expected() -> dict[str, np.ndarray]:
    return load_arrays("expected.npz")


def _close(ours: torch.Tensor, theirs: np.ndarray, atol: float) -> None:
    np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=0, atol=atol)


def test_loads_hard_coded_unused_layer_sizes(official):
    # the reference sizes these whatever the HuBERT (32 here) and feature_dim (48 here) are
    position = official.hands["left"].position
    assert tuple(position.audio_encoder.lm_head.weight.shape) == (32, 1024)
    assert tuple(position.pos_feature_map.weight.shape) == (512, 6)
    assert tuple(position.feature_map.weight.shape) == (48, 32)


def test_batch2_stage1_and_v(official, inputs, expected):
    cond = official.encode_audio(torch.from_numpy(inputs["audio"]))
    x = {hand: torch.from_numpy(inputs[f"x_t_{hand}"]) for hand in HANDS}
    t = torch.from_numpy(inputs["t"])
    with torch.no_grad():
        v = official.denoise(x, t, cond)
    for hand in HANDS:
        _close(cond.position[hand], expected[f"position_{hand}"], ATOL_STAGE1)
        _close(cond.hidden[hand], expected[f"hidden_{hand}"], ATOL_STAGE1)
        _close(v[hand], expected[f"v_{hand}"], ATOL_UNET)
        x0 = official.schedule.x0_from_v(x[hand], t, v[hand])
        _close(x0, expected[f"x0_{hand}"], ATOL_UNET)


def test_batch1_stage1_and_v(official, inputs, expected):
    cond = official.encode_audio(torch.from_numpy(inputs["audio1"]))
    noise = torch.from_numpy(inputs["noise1"])
    with torch.no_grad():
        v = official.denoise({"left": noise, "right": noise}, torch.tensor([640]), cond)
    for hand in HANDS:
        _close(cond.position[hand], expected[f"position1_{hand}"], ATOL_STAGE1)
        _close(cond.hidden[hand], expected[f"hidden1_{hand}"], ATOL_STAGE1)
        _close(v[hand], expected[f"v1_{hand}"], ATOL_UNET)


def test_without_the_batch1_mask_the_numbers_differ(official, inputs, expected):
    # guards against a test that cannot fail: the causal mask must matter at this size
    unmasked = S2C(official.config, CompatConfig(batch_joint_normalisation=True))
    unmasked.load_state_dict(official.state_dict())
    cond = unmasked.encode_audio(torch.from_numpy(inputs["audio1"]))
    gap = np.abs(cond.position["left"].numpy() - expected["position1_left"]).max()
    assert gap > 100 * ATOL_STAGE1
