import argparse
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from s2c_core.evaluate import metrics
from s2c_core.evaluate.autoencoder import CONV_SLOPE, IDENTITY_SLOPE, N_FRAMES
from s2c_core.evaluate.metrics import (
    GestureAutoencoder,
    fid_per_window,
    frechet_distance,
    position_distance,
    smoothness,
    wgd,
)

# Two zero-mean orthogonal columns: sample covariance of `_gaussian_cloud` is exactly
# diag(scale^2) * 4/3 (unbiased, n = 4), so Fréchet distances have a closed form.
_BASIS = np.array([[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])


def _gaussian_cloud(mean, scale) -> np.ndarray:
    return _BASIS * np.asarray(scale) + np.asarray(mean)


def _closed_form(mean_a, scale_a, mean_b, scale_b) -> float:
    """|mu_a - mu_b|^2 + sum (sigma_a - sigma_b)^2 for commuting (diagonal) covariances."""
    sd_a = np.asarray(scale_a) * math.sqrt(4 / 3)
    sd_b = np.asarray(scale_b) * math.sqrt(4 / 3)
    return float(np.sum((np.subtract(mean_a, mean_b)) ** 2) + np.sum((sd_a - sd_b) ** 2))


@pytest.fixture
def windows():
    rng = np.random.default_rng(0)
    return rng.normal(size=(240, 48)) * 0.3, rng.normal(size=(240, 48)) * 0.4 + 0.1


# --- per-window FID -------------------------------------------------------------------------


def test_fid_of_identical_windows_is_zero(windows):
    gt, _ = windows
    assert fid_per_window(gt, gt) == pytest.approx(0.0, abs=1e-9)


def test_fid_matches_the_closed_form_for_diagonal_gaussians():
    gt = _gaussian_cloud([0.5, -1.0], [1.0, 2.0])
    pred = _gaussian_cloud([1.5, 1.0], [3.0, 0.5])
    expected = _closed_form([0.5, -1.0], [1.0, 2.0], [1.5, 1.0], [3.0, 0.5])
    assert fid_per_window(gt, pred) == pytest.approx(expected, rel=1e-12)


def test_fid_of_a_shifted_window_is_the_squared_shift(windows):
    gt, _ = windows
    shift = np.linspace(-0.2, 0.3, 48)
    assert fid_per_window(gt, gt + shift) == pytest.approx(shift @ shift, rel=1e-9)


def test_fid_stays_finite_for_rank_deficient_covariances():
    """5 frames in 48-D: round-off makes some eigenvalues negative; complex sqrt keeps 0."""
    rng = np.random.default_rng(1)
    value = fid_per_window(rng.normal(size=(5, 48)), rng.normal(size=(5, 48)))
    assert np.isfinite(value) and value > 0


# --- WGD ------------------------------------------------------------------------------------


def test_wgd_of_identical_windows_is_zero_and_of_different_ones_in_unit_range(windows):
    gt, pred = windows
    assert wgd(gt, gt) == pytest.approx(0.0, abs=1e-12)
    assert 0.0 < wgd(gt, pred) <= 1.0  # cost normalised by its max, weights sum to 1


def test_wgd_ignores_offsets_because_each_window_gets_its_own_pca(windows):
    """Quirk kept: the separately fitted (and centred) PCA bases hide a constant offset."""
    gt, _ = windows
    assert wgd(gt, gt + 5.0) == pytest.approx(0.0, abs=1e-12)


def test_earth_movers_distance_on_a_hand_computed_plan():
    cost = np.array([[0.0, 1.0], [1.0, 0.0]])
    # move 0.5 of mass across at cost 1: the rest stays in place for free
    value = metrics._earth_movers(np.array([0.25, 0.75]), np.array([0.75, 0.25]), cost)
    assert value == pytest.approx(0.5, abs=1e-9)


# --- PD -------------------------------------------------------------------------------------


def test_position_distance_uses_x_and_y_only():
    gt = np.array([[0.0, 0.0, 25.0], [1.0, 2.0, 20.0]])
    pred = gt + np.array([3.0, 4.0, 100.0])  # the 3-4-5 triangle in xy, a big z error
    assert position_distance(gt, pred) == pytest.approx(5.0)
    assert position_distance(gt[:, :2], pred[:, :2]) == pytest.approx(5.0)


def test_position_distance_averages_frames():
    gt = np.zeros((2, 3))
    pred = np.array([[1.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    assert position_distance(gt, pred) == pytest.approx(2.0)


def test_metrics_refuse_mismatched_windows(windows):
    gt, pred = windows
    with pytest.raises(ValueError, match="differ in shape"):
        position_distance(gt[:, :3], pred[:10, :3])
    with pytest.raises(ValueError, match="one \\(frames, dims\\) window"):
        smoothness(gt[None], pred[None])


# --- Smoothness -----------------------------------------------------------------------------


def test_smoothness_reproduces_the_reference_formula_by_hand():
    """Constant velocity (3, 4) per frame: consecutive acceleration would be 0, not here.

    move to the LAST frame: (-9,-12), (-6,-8), (-3,-4) -> speed 15, 10, 5;
    acc_t = speed_t - speed_last for the first two: 10, 5 -> mean 7.5; still gt -> 0.
    """
    pred = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [9.0, 12.0]])
    still = np.zeros_like(pred)
    assert smoothness(still, pred) == pytest.approx(7.5)
    assert smoothness(pred, still) == pytest.approx(7.5)  # an absolute difference
    assert smoothness(pred, pred) == 0.0


# --- FGD (Fréchet distance of features) ----------------------------------------------------


def test_frechet_distance_matches_two_gaussians_in_closed_form():
    a = _gaussian_cloud([0.0, 2.0], [1.0, 3.0])
    b = _gaussian_cloud([1.0, -1.0], [2.0, 1.0])
    expected = _closed_form([0.0, 2.0], [1.0, 3.0], [1.0, -1.0], [2.0, 1.0])
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_of_equal_covariances_is_the_squared_mean_gap():
    feats = np.random.default_rng(2).normal(size=(64, 16))
    gap = np.full(16, 0.5)
    assert frechet_distance(feats, feats) == pytest.approx(0.0, abs=1e-8)
    assert frechet_distance(feats, feats + gap) == pytest.approx(gap @ gap, rel=1e-6)


def test_frechet_distance_needs_two_rows_of_equal_width():
    with pytest.raises(ValueError, match="need >= 2 rows"):
        frechet_distance(np.zeros((1, 4)), np.zeros((3, 4)))


# --- Gesture autoencoder --------------------------------------------------------------------


def _random_autoencoder(pose_dim: int = 96) -> GestureAutoencoder:
    torch.manual_seed(0)
    model = GestureAutoencoder(pose_dim)
    for module in model.modules():  # non-trivial running statistics, as a trained net has
        if isinstance(module, nn.BatchNorm1d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return model


def _save_reference_layout(model: GestureAutoencoder, path: Path) -> Path:
    args = argparse.Namespace(n_poses=N_FRAMES, name="gesture_autoencoder")
    torch.save(
        {"args": args, "epoch": 10, "pose_dim": model.pose_dim, "gen_dict": model.state_dict()},
        path,
    )
    return path


def test_leaky_relu_true_quirk_gives_slope_one():
    model = GestureAutoencoder()
    slopes = [m.negative_slope for m in model.pose_encoder.out_net if isinstance(m, nn.LeakyReLU)]
    assert slopes == [IDENTITY_SLOPE, IDENTITY_SLOPE] == [1.0, 1.0]
    assert {
        m.negative_slope for m in model.pose_encoder.net.modules() if isinstance(m, nn.LeakyReLU)
    } == {CONV_SLOPE}
    x = torch.tensor([-2.0, 3.0])
    assert torch.equal(model.pose_encoder.out_net[2](x), x)  # an identity
    assert torch.equal(nn.LeakyReLU(True)(x), x)  # the reference's spelling does the same


def test_autoencoder_matches_the_reference_key_listing_and_size():
    state = GestureAutoencoder(96).state_dict()
    prefixes = {k.rsplit(".", 1)[0] for k in state}
    expected = (
        {f"pose_encoder.net.{i}.{j}" for i in range(3) for j in range(2)}
        | {"pose_encoder.net.3", "pose_encoder.fc_mu", "pose_encoder.fc_logvar"}
        | {f"pose_encoder.out_net.{i}" for i in (0, 1, 3, 4, 6)}
        | {f"decoder.pre_net.{i}" for i in (0, 1, 3)}
        | {f"decoder.net.{i}" for i in (0, 1, 3, 4, 6, 7)}
    )
    assert prefixes == expected
    params = sum(p.numel() for p in GestureAutoencoder(96).parameters())
    assert params == 2_426_368  # "2.43 M params"


def test_load_and_encode_a_checkpoint_in_the_reference_layout(tmp_path):
    model = _random_autoencoder()
    path = _save_reference_layout(model, tmp_path / "gesture_autoencoder_checkpoint_best.bin")
    loaded = GestureAutoencoder.load(path)
    poses = np.random.default_rng(3).normal(size=(3, N_FRAMES, 96)).astype(np.float32)
    feats = loaded.encode(poses)
    assert feats.shape == (3, 256) and feats.dtype == np.float32
    with torch.no_grad():
        expected = model.eval().pose_encoder(torch.from_numpy(poses)).numpy()
    np.testing.assert_allclose(feats, expected, rtol=1e-5, atol=1e-5)
    # eval-mode BatchNorm: a window's features do not depend on its batch
    np.testing.assert_allclose(loaded.encode(poses[1]), feats[1:2], rtol=1e-5, atol=1e-5)


def test_encode_checks_the_window_shape():
    with pytest.raises(ValueError, match="expected \\(N, 240, 96\\)"):
        GestureAutoencoder(96).encode(np.zeros((2, 120, 96)))


class _Exploit:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_load_refuses_a_malicious_pickle(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.bin"
    torch.save({"pose_dim": 96, "gen_dict": {}, "payload": _Exploit(marker)}, path)
    with pytest.raises(ValueError, match="evil.bin: refused to unpickle") as err:
        GestureAutoencoder.load(path)
    assert "\n" not in str(err.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a checkpoint at all", "cannot read checkpoint"),
        (None, "gesture autoencoder checkpoint not found"),
    ],
)
def test_load_names_the_file_for_unreadable_input(tmp_path, content, message):
    path = tmp_path / "ae.bin"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=f"ae.bin: {message}") as err:
        GestureAutoencoder.load(path)
    assert "\n" not in str(err.value)


def test_load_rejects_a_foreign_layout_and_mismatched_weights(tmp_path):
    path = tmp_path / "ae.bin"
    torch.save({"state_dict": {}}, path)
    with pytest.raises(ValueError, match="'pose_dim' and dict 'gen_dict'"):
        GestureAutoencoder.load(path)
    torch.save({"pose_dim": 96, "gen_dict": GestureAutoencoder(48).state_dict()}, path)
    with pytest.raises(ValueError, match="weights do not fit EmbeddingNet"):
        GestureAutoencoder.load(path)
