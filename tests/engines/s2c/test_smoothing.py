"""Savitzky-Golay (5, 2): keeps what a quadratic fits, damps frame-to-frame noise."""

from __future__ import annotations

import numpy as np

from s2c_core.engines.s2c.smoothing import savgol_smooth


def test_quadratics_pass_unchanged_and_noise_is_damped():
    t = np.linspace(-1, 1, 60)[:, None]
    quadratic = np.hstack([t**2, 3 * t - 1]).astype(np.float32)
    np.testing.assert_allclose(savgol_smooth(quadratic), quadratic, atol=1e-5)
    noise = np.random.default_rng(0).standard_normal((240, 48)).astype(np.float32)
    smooth = savgol_smooth(noise)
    assert smooth.dtype == np.float32 and smooth.shape == noise.shape
    jerk = lambda x: np.abs(np.diff(x, n=3, axis=0)).mean()  # noqa: E731
    assert jerk(smooth) < 0.5 * jerk(noise)


def test_tracks_shorter_than_the_window_are_kept():
    short = np.arange(8, dtype=np.float32).reshape(4, 2) ** 2
    np.testing.assert_array_equal(savgol_smooth(short), short)
