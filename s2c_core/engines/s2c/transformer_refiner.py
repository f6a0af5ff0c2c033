"""The Transformer encoder/decoder shared by stage 1 (d=512) and the stage-2 condition refiner
(d=1024), with the reference's two masks (S2C_REFERENCE §2.1 step 4, §3.2 step 1)."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def alibi_slopes(n_head: int) -> list[float]:
    """FaceFormer/ALiBi head slopes: a geometric series, interleaved for non powers of two."""

    def power_of_two(n: int) -> list[float]:
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start ** (i + 1) for i in range(n)]

    if math.log2(n_head).is_integer():
        return power_of_two(n_head)
    closest = 2 ** math.floor(math.log2(n_head))
    extra = alibi_slopes(2 * closest)[0::2][: n_head - closest]
    return power_of_two(closest) + extra


def periodic_causal_mask(n_head: int, length: int, period: int, device=None) -> Tensor:
    """Additive (n_head, T, T) mask: -inf above the diagonal, -slope_h * floor((i-j)/period)
    on and below it (the reference `init_biased_mask`)."""
    i = torch.arange(length, device=device)
    distance = i[:, None] - i[None, :]
    slopes = torch.tensor(alibi_slopes(n_head), device=device)
    bias = -slopes[:, None, None] * torch.div(distance, period, rounding_mode="floor")
    return bias.masked_fill(distance < 0, float("-inf"))


def diagonal_memory_mask(length: int, device=None) -> Tensor:
    """Bool (T, T) mask, True = blocked: each query sees only the memory at its own frame."""
    return ~torch.eye(length, dtype=torch.bool, device=device)


class TransformerRefiner(nn.Module):
    """`out = decoder(tgt=x, memory=encoder(x))` with the diagonal memory mask and, when asked,
    the periodic causal self-attention mask on the decoder.

    Post-LN, ReLU, dropout 0.1, batch-first; the decoder's FFN width equals d_model while the
    encoder keeps the torch default (both as in the reference).
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        num_layers: int,
        encoder_ffn: int,
        max_seq_len: int,
        period: int,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.nhead, self.max_seq_len, self.period = nhead, max_seq_len, period
        enc_layer = nn.TransformerEncoderLayer(
            d_model, nhead, encoder_ffn, dropout, batch_first=True
        )
        dec_layer = nn.TransformerDecoderLayer(d_model, nhead, d_model, dropout, batch_first=True)
        # enable_nested_tensor only matters for padding masks, which we never pass
        self.encoder = nn.TransformerEncoder(enc_layer, num_layers, enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(dec_layer, num_layers)

    def causal_mask(self, batch: int, length: int, device) -> Tensor:
        if length > self.max_seq_len:
            raise ValueError(
                f"the periodic causal mask covers at most {self.max_seq_len} frames, got {length}"
            )
        mask = periodic_causal_mask(self.nhead, length, self.period, device)
        return mask.repeat(batch, 1, 1)  # torch wants (B*heads, T, T), batch-major

    def forward(self, x: Tensor, causal: bool) -> Tensor:
        """x: (B, T, d_model) -> (B, T, d_model)."""
        batch, length, _ = x.shape
        tgt_mask = self.causal_mask(batch, length, x.device).to(x.dtype) if causal else None
        memory = self.encoder(x)
        return self.decoder(
            x, memory, tgt_mask=tgt_mask, memory_mask=diagonal_memory_mask(length, x.device)
        )
