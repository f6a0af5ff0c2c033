"""The authors' `infer.py`, window by window (S2C_REFERENCE §6.1), for `--reference-compat`.

The reference samples one 8 s window (240 frames) at batch 1 and has no long-form mode, so
the piece is cut into consecutive 8 s windows (the last one zero-padded) and each is
generated as infer.py generates its one window:
- stage 1 then DDPM-1000 in float32, at batch 1, so the periodic causal mask is on in both
  transformer stacks and the processor's normalisation is per clip;
- one starting noise for both hands, drawn before the condition refiners run (`sample()`);
- dropout where the model's `CompatConfig` leaves it on (the reference never calls .eval());
- every draw (noise and dropout) from torch's default generator, seeded once per run, like
  `torch.manual_seed(seed)` before the reference code; the caller's global RNG is restored.
Smoothing (savgol 5, 2) is applied per window afterwards, as infer.py does before rendering.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .config import FPS, HANDS, SAMPLE_RATE
from .longform import LongformResult
from .model import S2C
from .smoothing import savgol_smooth

WINDOW_SAMPLES = 128_000  # the reference's train_sec = 8 at 16 kHz
WINDOW_FRAMES = WINDOW_SAMPLES * FPS // SAMPLE_RATE

ProgressFn = Callable[[int, int, str], None]


def reference_windows(audio: np.ndarray) -> np.ndarray:
    """(N,) -> (W, 128000): consecutive 8 s windows, the last one zero-padded."""
    count = max(1, -(-len(audio) // WINDOW_SAMPLES))
    padded = np.zeros(count * WINDOW_SAMPLES, dtype=np.float32)
    padded[: len(audio)] = audio
    return padded.reshape(count, WINDOW_SAMPLES)


def sample_reference_window(model: S2C, window: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """One 8 s window (128000,) -> {"pose": per hand (240, 48), "position": per hand (240, 3)},
    normalised and unsmoothed, drawing from torch's default generator."""
    cond = model.encode_audio(torch.from_numpy(window)[None])
    pose = model.sample(cond, generator=None)
    return {
        "pose": {hand: pose[hand][0].T.cpu().numpy() for hand in HANDS},
        "position": {hand: cond.position[hand][0].cpu().numpy() for hand in HANDS},
    }


def generate_reference(
    model: S2C,
    audio: np.ndarray,
    seed: int,
    *,
    smooth: bool = True,
    progress: ProgressFn | None = None,
) -> LongformResult:
    """audio (N,) float32 at 16 kHz -> poses and positions for every frame, per window as the
    reference. `model` must carry the reference's `CompatConfig` (see module docstring)."""
    frames = int(np.ceil(len(audio) * FPS / SAMPLE_RATE))
    windows = reference_windows(audio)
    pose = {hand: [] for hand in HANDS}
    position = {hand: [] for hand in HANDS}
    devices = [model.device] if model.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices), torch.no_grad():
        torch.manual_seed(seed)
        for index, window in enumerate(windows):
            out = sample_reference_window(model, window)
            for hand in HANDS:
                pose[hand].append(_maybe_smooth(out["pose"][hand], smooth))
                position[hand].append(_maybe_smooth(out["position"][hand], smooth))
            if progress is not None:
                progress(index + 1, len(windows), f"window {index + 1}/{len(windows)}")
    starts = range(WINDOW_FRAMES, len(windows) * WINDOW_FRAMES, WINDOW_FRAMES)
    return LongformResult(
        {hand: np.concatenate(pose[hand])[:frames] for hand in HANDS},
        {hand: np.concatenate(position[hand])[:frames] for hand in HANDS},
        [(start, start) for start in starts if start < frames],  # hard cuts, as the reference
    )


def _maybe_smooth(track: np.ndarray, smooth: bool) -> np.ndarray:
    return savgol_smooth(track) if smooth else track
