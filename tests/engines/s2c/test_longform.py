import numpy as np
import pytest
import torch

from s2c_core.engines.s2c.longform import WindowPlan, generate_long
from s2c_core.engines.s2c.ode_samplers import select_sampler
from s2c_core.engines.s2c.to_motion import motion_from_prediction, seam_jump_ratio
from s2c_core.hand.rig import builtin_rig
from s2c_core.motion import MotionMetadata


def _audio(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.normal(size=t.size)).astype(np.float32)


def test_window_plan():
    plan = WindowPlan(240, 48)
    assert plan.hop == 192 and plan.starts(240) == [0]
    assert plan.starts(900) == [0, 192, 384, 576, 768]
    assert plan.starts(10) == [0]
    with pytest.raises(ValueError, match="multiples of 24"):
        WindowPlan(250, 48)


@pytest.mark.slow
def test_30_seconds_give_900_frames_without_visible_seams(tiny_model):
    sampler = select_sampler("dpm", steps=10)
    progress = []
    result = generate_long(tiny_model, _audio(30.0), sampler,
                           generator=torch.Generator().manual_seed(0),
                           progress=lambda d, t, m: progress.append((d, t)))  # fmt: skip
    assert all(result.pose[h].shape == (900, 48) for h in ("left", "right"))
    assert all(np.abs(result.pose[h]).max() <= 1.0 for h in ("left", "right"))
    assert result.seams == [(216, 240), (408, 432), (600, 624), (792, 816)]
    assert progress[-1] == (5, 5)
    motion = motion_from_prediction(result.pose, result.position, builtin_rig(),
                                    MotionMetadata(engine="s2c"))  # fmt: skip
    assert motion.num_frames == 900
    # A random tiny model's output is rough everywhere, and "max jump near 4 seams over the
    # median jump" is then ~2 even at points where nothing happens; so the bound of 1.5 is
    # applied relative to the same statistic at control points in the middle of windows.
    controls = [(first - 120, last - 120) for first, last in result.seams]
    for hand in ("left", "right"):
        joints = motion.hand(hand).joints
        ratio = seam_jump_ratio(joints, result.seams) / seam_jump_ratio(joints, controls)
        assert ratio <= 1.5, f"{hand} seam ratio {ratio:.2f} relative to mid-window points"


def test_overlap_frames_continue_the_previous_window_exactly(tiny_model):
    plan = WindowPlan(48, 24)
    result = generate_long(tiny_model, _audio(3.2), select_sampler("ddim", steps=4), plan=plan,
                           generator=torch.Generator().manual_seed(1))  # fmt: skip
    assert result.pose["left"].shape == (96, 48) and result.seams == [(36, 48), (60, 72)]
    # positions are cross-faded: no jump at the window joins either
    steps = np.abs(np.diff(result.position["right"], axis=0)).max(axis=1)
    assert steps[[47, 71]].max() <= 3 * np.median(steps) + 1e-6


def test_seam_ratio_detects_a_jump():
    joints = np.cumsum(np.full((100, 21, 3), 0.001), axis=0)
    assert seam_jump_ratio(joints, [(50, 52)]) == pytest.approx(1.0)
    joints[50:] += 0.05
    assert seam_jump_ratio(joints, [(48, 49)]) > 10


def test_batched_stage_one_gives_the_same_result(tiny_model):
    audio = _audio(6.4, seed=2)
    results = [
        generate_long(
            tiny_model,
            audio,
            select_sampler("ddim", steps=3),
            plan=WindowPlan(48, 24, batch=batch),
            generator=torch.Generator().manual_seed(3),
        )  # fmt: skip
        for batch in (1, 4)
    ]
    for hand in ("left", "right"):
        np.testing.assert_allclose(results[0].pose[hand], results[1].pose[hand], atol=1e-5)
        np.testing.assert_allclose(results[0].position[hand], results[1].position[hand],
                                   atol=1e-5)  # fmt: skip
