"""The reference evaluation metrics, quirks included (S2C_REFERENCE §5.2).

Each function takes ONE window of ONE hand (the reference loops over samples and hands and
averages the per-window values), except `frechet_distance`, which takes the features of all
windows. Poses are the 48-D `[global_orient, hand_pose]` in radians, translations are
un-normalised camera-space values with `adjust` applied; frames are rows.

Key in `S2C:eval.py` -> function here -> paper column:
`fid` -> `fid_per_window` (FID), `MW` -> `wgd` (WGD), `dist` -> `position_distance` (PD),
`smooth` -> `smoothness` (Smooth), `FID2` -> `frechet_distance` of `GestureAutoencoder.encode`
features (FGD; the mapping of FID/FID2 to the paper's columns is disputed upstream, §5.4).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, optimize
from scipy.spatial.distance import cdist
from sklearn.decomposition import IncrementalPCA
from sklearn.mixture import GaussianMixture

from .autoencoder import GestureAutoencoder

__all__ = [
    "GestureAutoencoder",
    "fid_per_window",
    "frechet_distance",
    "position_distance",
    "smoothness",
    "wgd",
]

WGD_PCA_COMPONENTS = 10
WGD_PCA_BATCH = 16
WGD_MIXTURES = 13
WGD_MAX_ITER = 200
FRECHET_EPS = 1e-6


def _window(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name}: expected one (frames, dims) window, got shape {x.shape}")
    return x


def _pair(gt: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gt, pred = _window(gt, "gt"), _window(pred, "pred")
    if gt.shape != pred.shape:
        raise ValueError(f"gt {gt.shape} and pred {pred.shape} differ in shape")
    return gt, pred


def fid_per_window(gt: np.ndarray, pred: np.ndarray) -> float:
    """Fréchet distance between the frames of one window seen as two 48-D Gaussians.

    Mirrors `fid(real, fake)` (`S2C:models/evaluate.py:14-42`):
    ||mu_gt - mu_pred||^2 + tr S_gt + tr S_pred - 2 * sum Re(sqrt(eig(S_pred @ S_gt))), with
    unbiased (n - 1) covariances over the 240 frames. The eigenvalues are square-rooted as
    complex numbers (the reference uses torch.linalg.eigvals), so tiny negative eigenvalues
    from round-off contribute 0 instead of NaN. Computed in float64 (the reference inherits
    float32 from its tensors). Identical windows give 0 up to round-off.
    """
    gt, pred = _pair(gt, pred)
    diff = gt.mean(axis=0) - pred.mean(axis=0)
    cov_gt, cov_pred = np.cov(gt, rowvar=False), np.cov(pred, rowvar=False)
    eig = np.linalg.eigvals(cov_pred @ cov_gt).astype(np.complex128)
    return float(diff @ diff + np.trace(cov_gt) + np.trace(cov_pred) - 2 * np.sqrt(eig).real.sum())


def _fit_gmm(window: np.ndarray) -> GaussianMixture:
    """PCA to 10-D then a 13-component GMM, both fitted on this window alone."""
    reduced = IncrementalPCA(
        n_components=WGD_PCA_COMPONENTS, batch_size=WGD_PCA_BATCH
    ).fit_transform(window)
    return GaussianMixture(n_components=WGD_MIXTURES, random_state=0, max_iter=WGD_MAX_ITER).fit(
        reduced
    )


def _earth_movers(a: np.ndarray, b: np.ndarray, cost: np.ndarray) -> float:
    """min <gamma, cost> over gamma >= 0 with marginals a, b (what `ot.emd` solves).

    Solved as a linear programme; the optimal value is unique even when the plan is not, so
    it equals POT's. Both weight vectors are rescaled to sum 1 (POT also equalises the sums).
    """
    n, m = cost.shape
    rows = np.kron(np.eye(n), np.ones(m))  # sum_j gamma_ij = a_i
    cols = np.kron(np.ones(n), np.eye(m))  # sum_i gamma_ij = b_j
    result = optimize.linprog(
        cost.ravel(),
        A_eq=np.vstack([rows, cols]),
        b_eq=np.concatenate([a / a.sum(), b / b.sum()]),
        bounds=(0, None),
        method="highs",
    )
    if not result.success:
        raise RuntimeError(f"earth mover's distance failed: {result.message}")
    return float(result.fun)


def wgd(gt: np.ndarray, pred: np.ndarray) -> float:
    """Wasserstein gesture distance between GMMs fitted to the two windows (`MW`).

    Mirrors `MW2` (`S2C:models/evaluate.py:52-88,111-128`): each window (240 x 48) is reduced
    with its OWN `IncrementalPCA(10, batch_size=16)` (the GT and prediction bases are not
    aligned), a `GaussianMixture(13, random_state=0, max_iter=200)` is fitted to each, the
    cost is the UNSQUARED Euclidean distance between component means divided by its maximum,
    and the result is the earth mover's cost sum(gamma * C) between the mixture weights.
    Choice where the reference divides 0 by 0 (all means coincide): the distance is 0.
    Identical windows give 0: the fits are deterministic, so the means pair up at zero cost.
    """
    gt, pred = _pair(gt, pred)
    gmm_gt, gmm_pred = _fit_gmm(gt), _fit_gmm(pred)
    cost = cdist(gmm_gt.means_, gmm_pred.means_)
    if cost.max() == 0:
        return 0.0
    return _earth_movers(gmm_gt.weights_, gmm_pred.weights_, cost / cost.max())


def position_distance(gt_xyz: np.ndarray, pred_xyz: np.ndarray) -> float:
    """Mean over frames of the Euclidean distance in x and y only (`dist`, paper PD).

    Mirrors `loc_distance(gt[:, :2], pred[:, :2])` (`S2C:models/evaluate.py:44-49`, called
    from `S2C:eval.py` with the xy slice): z (depth, up to ~25 units) is ignored. Inputs are
    (frames, 3) or (frames, 2) un-normalised translations: GT with `adjust`, prediction
    `guide * [1.5, 1.5, 25]`. No MANO is involved.
    """
    gt, pred = _pair(gt_xyz, pred_xyz)
    return float(np.mean(np.linalg.norm(gt[:, :2] - pred[:, :2], axis=1)))


def _reference_acceleration(window: np.ndarray) -> float:
    """The reference's `acceleration` (`S2C:models/evaluate.py:91-103`), reproduced as is.

    Every frame but the last is compared with the LAST frame (not its neighbour), the norms
    of those 48-D differences are again compared with the last of them, and the result is
    averaged: move_t = J_t - J_{T-1} (t < T-1), speed_t = |move_t|, acc_t = speed_t -
    speed_{T-2} (t < T-2), return mean_t acc_t.
    """
    speed = np.linalg.norm(window[:-1] - window[-1], axis=1)
    return float(np.mean(speed[:-1] - speed[-1]))


def smoothness(gt: np.ndarray, pred: np.ndarray) -> float:
    """|a(pred) - a(gt)| with the reference's odd `acceleration` a (`smooth`, paper Smooth).

    This is the PM commit 86539e5 version ("fix evaluate.py to reproduce the results"), where
    `acceleration` returns the mean, so `np.mean(np.abs(a(pred) - a(gt)))` in `eval.py` is the
    absolute difference of two scalars. See `_reference_acceleration` for a(J).
    """
    gt, pred = _pair(gt, pred)
    return abs(_reference_acceleration(pred) - _reference_acceleration(gt))


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (`FID2`, paper FGD).

    Mirrors `EmbeddingSpaceEvaluator.calculate_frechet_distance` (`S2C:models/evaluate.py`,
    after pytorch-fid): rows are samples (one per window, `GestureAutoencoder.encode`
    features over ALL evaluated windows), unbiased covariances, `scipy.linalg.sqrtm` of
    S_a @ S_b; if that is not finite, 1e-6 is added to both diagonals and it is retried; the
    real part of the square root is kept. Result: |mu_a - mu_b|^2 + tr(S_a + S_b - 2 sqrt).
    """
    a, b = _window(feats_a, "feats_a"), _window(feats_b, "feats_b")
    if a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"need >= 2 rows of equal width in each, got {a.shape} and {b.shape}")
    diff = a.mean(axis=0) - b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(covmean).all():
        offset = FRECHET_EPS * np.eye(len(cov_a))
        covmean = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    return float(diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(covmean.real))
