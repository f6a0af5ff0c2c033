"""The L1 terms of the reference's stage-1 loss and of both stages' validation metrics."""

from __future__ import annotations

from torch import Tensor

VALID_FLAG = 0.5  # resampled flags are fractional; a frame counts when mostly annotated


def masked_l1_and_velocity(pred: Tensor, target: Tensor, flag: Tensor) -> tuple[Tensor, Tensor]:
    """pred/target (B, T, C), flag (B, T) -> per item (B,): L1 over annotated frames, and L1
    of the frame-to-frame differences over all frames (the reference masks only the first)."""
    pred = pred.float()
    valid = (flag >= VALID_FLAG).unsqueeze(-1).float()
    annotated = (valid.sum(dim=(1, 2)) * pred.shape[-1]).clamp(min=1)
    rec = ((pred - target).abs() * valid).sum(dim=(1, 2)) / annotated
    vel = (pred.diff(dim=1) - target.diff(dim=1)).abs().mean(dim=(1, 2))
    return rec, vel
