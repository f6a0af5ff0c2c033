"""HuBERT wrapper that resamples conv features to the motion frame rate before the transformer
(S2C_REFERENCE §2.1 steps 1-2)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from transformers import HubertConfig, HubertModel

NORM_EPS = 1e-7  # Wav2Vec2FeatureExtractor's zero-mean/unit-variance epsilon
# The reference's HubertModel subclass builds `nn.Linear(1024, 32)` whatever the HuBERT width
# (S2C:models/wav2vec.py:133-184): official checkpoints of any HuBERT store it at that size.
LM_HEAD_IN, LM_HEAD_OUT = 1024, 32


def normalise_audio(audio: Tensor, batch_joint: bool) -> Tensor:
    """Zero mean, unit (population) variance per clip, or over the whole batch at once.

    The reference hands a (B, N) tensor to the Wav2Vec2 processor, which treats it as one
    example and so normalises jointly over the batch (§8.1); per clip is the sane default.
    """
    dims = (0, 1) if batch_joint else (1,)
    mean = audio.mean(dim=dims, keepdim=True)
    var = audio.var(dim=dims, keepdim=True, unbiased=False)
    return (audio - mean) / torch.sqrt(var + NORM_EPS)


class AudioEncoder(nn.Module):
    """HubertModel plus the unused CTC-sized `lm_head` the reference subclass carries."""

    def __init__(self, config: HubertConfig) -> None:
        super().__init__()
        self.hubert = HubertModel(config)
        self.lm_head = nn.Linear(LM_HEAD_IN, LM_HEAD_OUT)  # stored, never used

    @property
    def hidden_size(self) -> int:
        return self.hubert.config.hidden_size

    def forward(self, audio: Tensor, frames: int) -> Tensor:
        """Normalised audio (B, N) -> last hidden state (B, frames, hidden_size)."""
        features = self.hubert.feature_extractor(audio)  # (B, 512, ~50 Hz)
        # linear resampling to the motion rate happens before the transformer, as in the
        # reference, so attention runs over exactly `frames` tokens
        features = F.interpolate(features, size=frames, mode="linear", align_corners=True)
        hidden = self.hubert.feature_projection(features.transpose(1, 2))
        # HuBERT was in eval mode in both reference stages, so `_mask_hidden_states` (SpecAugment)
        # never ran; we skip it rather than depend on a private helper
        return self.hubert.encoder(hidden).last_hidden_state
