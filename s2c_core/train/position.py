"""Stage 1 (S2C_REFERENCE §2.2): each hand's position predictor regresses its normalised
wrist xyz from audio. Loss per hand = w_rec * L1(pred, gt) over annotated frames + w_vel *
L1 of the frame-to-frame differences over all frames; AdamW; HuBERT fine-tuned except its
conv feature extractor, and kept in eval mode (no dropout/LayerDrop) as the reference's was.

Both hands start from the same weights (the reference deep-copies one network), HuBERT
from the given hubert-large-ls960-ft folder. The saved model is a whole S2C: its U-Nets are
the random (identical per hand) initialisation stage 2 starts from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from transformers import HubertModel

from ..engines.s2c import S2C, S2CConfig
from ..engines.s2c.config import HANDS, PositionConfig, UnetConfig
from ..engines.s2c.official_export import write_official_stage1
from .config import PositionTrainConfig
from .export import export_official
from .loop import Stage, TrainResult, run
from .losses import masked_l1_and_velocity


class MissingHubertError(ValueError):
    """The HuBERT folder stage 1 starts from is missing or incomplete."""


def load_hubert(folder: Path) -> tuple[HubertModel, bool]:
    """Pretrained HuBERT and the processor's `do_normalize` from a Hugging Face folder."""
    if not (folder / "config.json").is_file():
        raise MissingHubertError(
            f"{folder}: no HuBERT model here (need config.json + weights of "
            f"facebook/hubert-large-ls960-ft; pass its folder with --hubert)"
        )
    preprocessor = folder / "preprocessor_config.json"
    do_normalize = True
    if preprocessor.is_file():
        do_normalize = bool(json.loads(preprocessor.read_text()).get("do_normalize", True))
    return HubertModel.from_pretrained(folder), do_normalize


def build_model(config: PositionTrainConfig) -> S2C:
    hubert, do_normalize = load_hubert(config.hubert)
    s2c_config = S2CConfig(
        hubert=hubert.config.to_dict(),
        position=PositionConfig(feature_dim=config.feature_dim, num_layer=config.num_layer),
        unet=UnetConfig(dim=config.unet_dim, num_layer=config.unet_layers),
        normalize_audio=do_normalize,
    )
    torch.manual_seed(config.seed)
    model = S2C(s2c_config)
    model.hands["left"].position.audio_encoder.hubert.load_state_dict(hubert.state_dict())
    model.hands["right"].load_state_dict(model.hands["left"].state_dict())
    return model


class PositionObjective(nn.Module):
    def __init__(self, model: S2C, weight_rec: float, weight_vel: float) -> None:
        super().__init__()
        self.model = model
        self.weight_rec, self.weight_vel = weight_rec, weight_vel

    def per_item(self, batch: dict[str, Any]) -> tuple[Tensor, Tensor]:
        """(rec, vel), each (B,) summed over both hands."""
        position = self.model.condition(batch["audio"]).position
        parts = [
            masked_l1_and_velocity(position[h], batch[f"{h}_transl"], batch[f"{h}_flag"])
            for h in HANDS
        ]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    def forward(self, batch: dict[str, Any]) -> dict[str, Tensor]:
        rec, vel = (x.mean() for x in self.per_item(batch))
        return {"loss": self.weight_rec * rec + self.weight_vel * vel, "rec": rec, "vel": vel}


class PositionStage(Stage):
    name = "position"
    prefixes = tuple(f"hands.{hand}.position." for hand in HANDS)

    config: PositionTrainConfig

    def __init__(self, model: S2C, config: PositionTrainConfig) -> None:
        super().__init__(model, config)
        self._objective = PositionObjective(model, config.weight_rec, config.weight_vel)

    def trainable(self) -> list[nn.Parameter]:
        params = []
        for hand in HANDS:
            position = self.model.hands[hand].position
            hubert = position.audio_encoder.hubert
            # not the conv feature extractor (frozen in the reference), nor the unused
            # lm_head / pos_feature_map / masked_spec_embed
            for module in (hubert.feature_projection, hubert.encoder, position.feature_map,
                           position.refiner, position.head):  # fmt: skip
                params.extend(module.parameters())
        return params

    def objective(self) -> nn.Module:
        return self._objective

    def optimizer(self, params: list[nn.Parameter]) -> torch.optim.Optimizer:
        # one AdamW over both hands equals the reference's two: the hands share no weights
        return torch.optim.AdamW(params, lr=self.config.lr, weight_decay=self.config.weight_decay)

    def train_mode(self) -> None:
        self.model.train()
        for hand in HANDS:
            self.model.hands[hand].position.audio_encoder.eval()

    def validation_sums(self, batch: dict[str, Any]) -> tuple[float, int]:
        # the reference's metric: L1 rec + L1 vel over both hands, unweighted
        rec, vel = self._objective.per_item(batch)
        return float((rec + vel).sum()), len(rec)

    def finish(self, out_dir: Path) -> None:
        if self.config.export_official:
            export_official(out_dir, write_official_stage1)


def train_position(config: PositionTrainConfig) -> TrainResult:
    """Run stage 1 (single process, or one rank under torchrun)."""
    return run(config, lambda: PositionStage(build_model(config), config))
