"""Stage 1 (`Piano2Posi`, S2C_REFERENCE §2.1): audio -> one hand's normalised wrist xyz."""

from __future__ import annotations

from torch import Tensor, nn
from transformers import HubertConfig

from .audio_encoder import AudioEncoder
from .config import PositionConfig
from .transformer_refiner import TransformerRefiner

# The reference builds `pos_feature_map = nn.Linear(6, 512)` whatever bs_dim and feature_dim
# are (S2C:models/piano2posi.py:63); never used, but official checkpoints store it so.
POS_FEATURE_MAP_IN, POS_FEATURE_MAP_OUT = 6, 512


class PositionPredictor(nn.Module):
    def __init__(self, config: PositionConfig, hubert: HubertConfig) -> None:
        super().__init__()
        d = config.feature_dim
        self.audio_encoder = AudioEncoder(hubert)
        self.feature_map = nn.Linear(hubert.hidden_size, d)
        self.pos_feature_map = nn.Linear(POS_FEATURE_MAP_IN, POS_FEATURE_MAP_OUT)  # never used
        self.refiner = TransformerRefiner(
            d,
            config.nhead,
            config.num_layer,
            config.encoder_ffn,
            config.max_seq_len,
            config.period,
        )
        # no nonlinearity between the two linears, as in the reference `bs_map_r`
        self.head = nn.Sequential(nn.Linear(d, 128), nn.Linear(128, config.out_dim), nn.Tanh())

    def forward(self, audio: Tensor, frames: int, causal: bool) -> tuple[Tensor, Tensor]:
        """Normalised audio (B, N) -> (xyz (B, frames, 3), HuBERT hidden (B, frames, C))."""
        hidden = self.audio_encoder(audio, frames)
        xyz = self.head(self.refiner(self.feature_map(hidden), causal))
        return xyz, hidden
