"""Stage 2 (S2C_REFERENCE §3.1, §3.3): both hands' U-Nets learn v-prediction on the cosine
schedule with SNR/(SNR+1) weighting. Per step one t ~ U{0..T-1} per clip, shared by the two
hands, and independent noise per hand; the guide and condition come from the frozen
stage-1 predictors (predicted xyz, never the ground truth); one backward of
loss_left + loss_right, so each hand's loss also trains the other's down path through HCAA.

Choice: the frozen predictors run in eval mode (the reference left their dropout on, which
only adds noise to the guide); the U-Nets' condition refiners train with dropout 0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from ..engines.s2c import S2C
from ..engines.s2c.checkpoint import is_our_format
from ..engines.s2c.config import HANDS
from ..engines.s2c.official_export import write_official_experiment
from .config import GestureTrainConfig
from .export import export_official
from .loop import Stage, TrainResult, run
from .losses import masked_l1_and_velocity
from .runtime import derive_seed


def load_stage1(path: Path) -> S2C:
    """Our model folder, or a stage-1 run folder whose best/ holds one."""
    folder = next((p for p in (path, path / "best") if is_our_format(p)), None)
    if folder is None:
        raise FileNotFoundError(
            f"{path}: no stage-1 model (config.json + model.safetensors here or in best/); "
            f"run `s2c train-position` first"
        )
    return S2C.from_pretrained(folder)


class GestureObjective(nn.Module):
    def __init__(self, model: S2C) -> None:
        super().__init__()
        self.model = model
        self.schedule = model.schedule.to(model.device)

    def per_item(self, batch: dict[str, Any], t: Tensor, noise: dict[str, Tensor]) -> Tensor:
        """Weighted v-loss per clip (B,), summed over both hands."""
        with torch.no_grad():
            cond = self.model.encode_audio(batch["audio"])
        prepared = self.model.prepare(cond)
        x0 = targets(batch)
        x_t = {h: self.schedule.q_sample(x0[h], t, noise[h]) for h in HANDS}
        v_hat = self.model.denoise(x_t, t, prepared)
        weight = self.schedule.loss_weight[t]
        return sum(
            (v_hat[h].float() - self.schedule.velocity(x0[h], t, noise[h])).pow(2).mean((1, 2))
            * weight
            for h in HANDS
        )

    def forward(self, batch: dict[str, Any]) -> dict[str, Tensor]:
        x0 = targets(batch)
        batch_size = batch["audio"].shape[0]
        t = torch.randint(0, self.schedule.timesteps, (batch_size,), device=batch["audio"].device)
        noise = {h: torch.randn_like(x0[h]) for h in HANDS}
        return {"loss": self.per_item(batch, t, noise).mean()}


def targets(batch: dict[str, Any]) -> dict[str, Tensor]:
    """x0 per hand: (B, 48, T) = pose / pi, channels first."""
    return {h: batch[f"{h}_pose"].transpose(1, 2) for h in HANDS}


def fixed_noise(indices: Tensor, t: int, seed: int, like: Tensor) -> Tensor:
    """Per-clip noise seeded by (seed, clip index, t): the same at every validation."""
    gens = [torch.Generator().manual_seed(derive_seed(seed, int(i), t)) for i in indices]
    noise = [torch.randn(tuple(like.shape[1:]), generator=g) for g in gens]
    return torch.stack(noise).to(like.device, like.dtype)


class GestureStage(Stage):
    name = "gesture"
    prefixes = tuple(f"hands.{hand}.unet." for hand in HANDS)
    config: GestureTrainConfig

    def trainable(self) -> list[nn.Parameter]:
        # `cross_attn` exists only for checkpoint compatibility (fusion 4 never calls it)
        return [
            p
            for hand in HANDS
            for name, p in self.model.hands[hand].unet.named_parameters()
            if not name.startswith("cross_attn.")
        ]

    def objective(self) -> nn.Module:
        self._objective = GestureObjective(self.model)
        return self._objective

    def optimizer(self, params: list[nn.Parameter]) -> torch.optim.Optimizer:
        # one Adam over both hands equals the reference's two: the hands share no weights
        return torch.optim.Adam(params, lr=self.config.lr)

    def train_mode(self) -> None:
        self.model.train()
        for hand in HANDS:
            self.model.hands[hand].position.eval()

    def validation_sums(self, batch: dict[str, Any]) -> tuple[float, int]:
        if self.config.val_mode == "sample":
            per_item = self._sampled_error(batch)
        else:
            per_item = self._loss_at_fixed_t(batch)
        return float(per_item.sum()), len(per_item)

    def _loss_at_fixed_t(self, batch: dict[str, Any]) -> Tensor:
        x0 = targets(batch)
        total = 0.0
        for step in self.config.val_timesteps:
            t = torch.full_like(batch["index"], step)
            noise = {
                h: fixed_noise(batch["index"], step, derive_seed(self.config.seed, k), x0[h])
                for k, h in enumerate(HANDS)
            }
            total = total + self._objective.per_item(batch, t, noise)
        return total / len(self.config.val_timesteps)

    def _sampled_error(self, batch: dict[str, Any]) -> Tensor:
        """The reference metric: L1 of the angles on annotated frames + L1 of velocities,
        after full DDPM sampling (slow: T network passes per batch)."""
        generator = torch.Generator(self.model.device).manual_seed(
            derive_seed(self.config.seed, int(batch["index"][0]))
        )
        poses = self.model.sample(self.model.encode_audio(batch["audio"]), generator=generator)
        x0 = targets(batch)
        total = 0.0
        for h in HANDS:
            rec, vel = masked_l1_and_velocity(
                poses[h].transpose(1, 2), x0[h].transpose(1, 2), batch[f"{h}_flag"]
            )
            total = total + rec + vel
        return total

    def finish(self, out_dir: Path) -> None:
        if self.config.export_official:
            export_official(out_dir, write_official_experiment)


def train_gesture(config: GestureTrainConfig) -> TrainResult:
    """Run stage 2 (single process, or one rank under torchrun)."""
    return run(config, lambda: GestureStage(load_stage1(config.stage1), config))
