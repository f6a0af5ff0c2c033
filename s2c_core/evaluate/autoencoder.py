"""The reference's gesture autoencoder, whose encoder features give FGD (`FID2`).

Mirrors `EmbeddingNet(pose_dim, n_frames=240)` of `S2C:models/evaluate.py:455-589`
(S2C_REFERENCE §5.2), itself derived from the Trimodal gesture code. Module names follow the
reference so its `gesture_autoencoder_checkpoint_best.bin` (`{'pose_dim': int, 'gen_dict':
state_dict, ...}`) loads with strict=True. Features are `fc_mu(out_net(net(poses)))`: the
mean of the latent Gaussian, never a sample.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..safe_torch_load import load_checkpoint_dict, one_line_reason

N_FRAMES = 240  # the encoder's Linear(3680) and the decoder's Linear(960) fix the length
FEATURE_DIM = 256
# The reference writes `nn.LeakyReLU(True)`: True lands in negative_slope, so the slope is 1.0
# and those activations are identities. Kept, since the released weights were trained so.
IDENTITY_SLOPE = 1.0
CONV_SLOPE = 0.2


def _conv_bn_lrelu(c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, kernel, stride), nn.BatchNorm1d(c_out), nn.LeakyReLU(CONV_SLOPE)
    )


def _encoded_length(n_frames: int) -> int:
    """Time steps left after the encoder's convolutions: k3, k3, k4/s2, k3 (240 -> 115)."""
    length = n_frames - 2 - 2
    length = (length - 4) // 2 + 1
    return length - 2


class PoseEncoder(nn.Module):
    """`PoseEncoderConv`: (B, T, pose_dim) poses -> (B, 256) latent means."""

    def __init__(self, pose_dim: int, n_frames: int = N_FRAMES) -> None:
        super().__init__()
        self.net = nn.Sequential(
            _conv_bn_lrelu(pose_dim, 32, 3),
            _conv_bn_lrelu(32, 64, 3),
            _conv_bn_lrelu(64, 64, 4, stride=2),
            nn.Conv1d(64, 32, 3),
        )
        self.out_net = nn.Sequential(
            nn.Linear(32 * _encoded_length(n_frames), 512),
            nn.BatchNorm1d(512),
            nn.LeakyReLU(IDENTITY_SLOPE),
            nn.Linear(512, 256),
            nn.BatchNorm1d(256),
            nn.LeakyReLU(IDENTITY_SLOPE),
            nn.Linear(256, FEATURE_DIM),
        )
        self.fc_mu = nn.Linear(FEATURE_DIM, FEATURE_DIM)
        self.fc_logvar = nn.Linear(FEATURE_DIM, FEATURE_DIM)

    def forward(self, poses: torch.Tensor) -> torch.Tensor:
        out = self.net(poses.transpose(1, 2)).flatten(1)
        return self.fc_mu(self.out_net(out))


class PoseDecoder(nn.Module):
    """`PoseDecoderConv(240)`: unused by the metrics, present so the checkpoint loads strictly."""

    def __init__(self, pose_dim: int, n_frames: int = N_FRAMES) -> None:
        super().__init__()
        self.pre_net = nn.Sequential(
            nn.Linear(FEATURE_DIM, 128),
            nn.BatchNorm1d(128),
            nn.LeakyReLU(IDENTITY_SLOPE),
            nn.Linear(128, 4 * n_frames),
        )
        self.net = nn.Sequential(
            nn.ConvTranspose1d(4, 32, 3),
            nn.BatchNorm1d(32),
            nn.LeakyReLU(CONV_SLOPE),
            nn.ConvTranspose1d(32, 32, 3),
            nn.BatchNorm1d(32),
            nn.LeakyReLU(CONV_SLOPE),
            nn.Conv1d(32, 32, 3),
            nn.Conv1d(32, pose_dim, 3),
        )


class GestureAutoencoder(nn.Module):
    """`EmbeddingNet`: `pose_encoder` + `decoder`; `encode` gives the FGD features."""

    def __init__(self, pose_dim: int = 96) -> None:
        super().__init__()
        self.pose_dim = pose_dim
        self.pose_encoder = PoseEncoder(pose_dim)
        self.decoder = PoseDecoder(pose_dim)
        self.eval()

    @classmethod
    def load(cls, path: str | os.PathLike) -> GestureAutoencoder:
        """Read the reference checkpoint without running pickled code (weights_only=True).

        Only tensors, containers and `argparse.Namespace` (the Trimodal trainer stores its
        `args` beside the weights) are accepted; anything else, a damaged file or mismatched
        weights raises a one-line ValueError naming the file.
        """
        path = Path(path)
        ckpt = _read_checkpoint(path)
        pose_dim, state = ckpt.get("pose_dim"), ckpt.get("gen_dict")
        if not isinstance(pose_dim, int) or not isinstance(state, dict):
            raise ValueError(f"{path}: expected a dict with int 'pose_dim' and dict 'gen_dict'")
        model = cls(pose_dim)
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ValueError(
                f"{path}: weights do not fit EmbeddingNet: {one_line_reason(exc)}"
            ) from exc
        return model.eval()

    @torch.no_grad()
    def encode(self, poses: np.ndarray) -> np.ndarray:
        """(N, 240, pose_dim) or (240, pose_dim) poses in radians -> (N, 256) float32 features.

        Always in eval mode (BatchNorm running statistics), as the reference evaluator is.
        """
        x = torch.as_tensor(np.asarray(poses, dtype=np.float32))
        if x.ndim == 2:
            x = x[None]
        if x.shape[1:] != (N_FRAMES, self.pose_dim):
            raise ValueError(
                f"expected (N, {N_FRAMES}, {self.pose_dim}) poses, got {tuple(x.shape)}"
            )
        self.eval()
        device = next(self.parameters()).device
        return self.pose_encoder(x.to(device)).cpu().numpy()


def _read_checkpoint(path: Path) -> dict:
    if not path.is_file():
        raise ValueError(f"{path}: gesture autoencoder checkpoint not found")
    return load_checkpoint_dict(path)
