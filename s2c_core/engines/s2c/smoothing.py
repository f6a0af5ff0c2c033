"""Savitzky–Golay smoothing of S2C output along time, as the reference's renders apply it.

The authors' infer.py passes angles (pred x pi) and wrist positions (guide x scale) through
`scipy.signal.savgol_filter(window_length=5, polyorder=2)` per channel before drawing
(S2C_REFERENCE §6.1 step 4). The filter is linear and the (de)normalisation is a per-channel
scale, so smoothing the normalised arrays is the same thing.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import savgol_filter

WINDOW = 5
POLYORDER = 2


def savgol_smooth(track: np.ndarray) -> np.ndarray:
    """(F, C) -> (F, C) smoothed along frames; tracks shorter than the window are returned
    unchanged (the filter needs `WINDOW` frames)."""
    if len(track) < WINDOW:
        return track
    return savgol_filter(track, WINDOW, POLYORDER, axis=0).astype(track.dtype)
