"""The public `S2C` model: two hands, each a position predictor plus a U-Net denoiser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from .audio_encoder import normalise_audio
from .checkpoint import is_our_format, read_our_config, read_our_weights, save_ours
from .config import HANDS, CompatConfig, S2CConfig, frames_for_samples
from .official import config_from_experiment, read_official_weights
from .position_predictor import PositionPredictor
from .samplers import HandTensors, ProgressFn, Sampler, ddpm_sample, initial_noise
from .schedule import DiffusionSchedule
from .transformer_refiner import TransformerRefiner
from .unet1d import Unet1D


@dataclass
class AudioCondition:
    """Stage-1 output for one batch of audio windows."""

    position: dict[str, Tensor]  # per hand (B, T, 3): normalised wrist xyz
    hidden: dict[str, Tensor]  # per hand (B, T, C): HuBERT last hidden state

    @property
    def shape(self) -> tuple[int, int]:
        """(batch, frames)."""
        b, t, _ = self.position["left"].shape
        return b, t


@dataclass
class PreparedCondition:
    """What each U-Net consumes, computed once per sampling run like the reference's
    `set_xcond` (so with dropout on, one dropout mask applies to the whole run)."""

    context: dict[str, Tensor]  # per hand (B, C, T): refined HuBERT features
    guide: dict[str, Tensor]  # per hand (B, 6, T): own xyz first, then the other hand's
    shape: tuple[int, int]


class HandModel(nn.Module):
    def __init__(self, config: S2CConfig) -> None:
        super().__init__()
        self.position = PositionPredictor(config.position, config.hubert_config())
        self.unet = Unet1D(config.unet, config.cond_dim)


class S2C(nn.Module):
    """Audio (B, N) at 16 kHz -> per-hand stage-1 condition -> per-hand v-prediction.

    Built in eval mode. `compat` selects reference quirks (see `CompatConfig`).
    """

    def __init__(self, config: S2CConfig, compat: CompatConfig | None = None) -> None:
        super().__init__()
        self.config = config
        self.compat = compat or CompatConfig()
        self.schedule = DiffusionSchedule.cosine(config.diffusion.timesteps)
        self.hands = nn.ModuleDict({hand: HandModel(config) for hand in HANDS})
        self.eval()

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        hubert_path: str | Path | None = None,
        device: torch.device | str = "cpu",
        *,
        compat: CompatConfig | None = None,
        reference_compat: bool = False,
    ) -> S2C:
        """Load an official experiment folder (args.txt, args_posi.txt, piano2pose-*.ckpt) or a
        folder written by `save_pretrained`. `hubert_path` overrides `wav2vec_path` of
        args_posi.txt (official folders only; ours carry the HuBERT config)."""
        if reference_compat:
            compat = CompatConfig.reference()
        path = Path(path)
        ours = is_our_format(path)
        if ours:
            config = read_our_config(path)
        else:
            config = config_from_experiment(path, Path(hubert_path) if hubert_path else None)
        # built on the meta device, then the (memory-mapped) tensors are assigned
        with torch.device("meta"):
            model = cls(config, compat)
        expected = model.state_dict()
        if ours:
            state = read_our_weights(path, expected)
        else:
            state = read_official_weights(path, expected, model.schedule)
        model.load_state_dict(state, strict=True, assign=True)
        return model.to(device)

    def save_pretrained(self, out_dir: str | Path) -> None:
        """Write our format: config.json + model.safetensors."""
        save_ours(self.config, self.state_dict(), Path(out_dir))

    def train(self, mode: bool = True) -> S2C:
        super().train(mode)
        if not mode and self.compat.dropout_at_inference:
            # the reference never called .eval(): its transformer stacks kept dropout 0.1,
            # while HuBERT (eval mode from from_pretrained) did not
            for module in self.modules():
                if isinstance(module, TransformerRefiner):
                    module.train(True)
        return self

    @property
    def device(self) -> torch.device:
        # a weight of ours: HF builds `masked_spec_embed` on the CPU even under a device context
        return self.hands["left"].unet.final_conv.weight.device

    # ------------------------------------------------------------------ stage 1

    def _causal(self, batch: int) -> bool:
        mode = self.compat.causal_mask
        return mode == "always" or (mode == "batch1" and batch == 1)

    @torch.no_grad()
    def encode_audio(self, audio: Tensor) -> AudioCondition:
        """audio: float (B, N) at 16 kHz, N a multiple of 12 800 (0.8 s)."""
        return self.condition(audio)

    def condition(self, audio: Tensor) -> AudioCondition:
        """`encode_audio` with autograd on, for stage-1 training."""
        if audio.dim() != 2:
            raise ValueError(f"audio must be (batch, samples), got shape {tuple(audio.shape)}")
        frames = frames_for_samples(audio.shape[1])
        audio = audio.to(self.device, torch.float32)
        if self.config.normalize_audio:
            audio = normalise_audio(audio, self.compat.batch_joint_normalisation)
        causal = self._causal(audio.shape[0])
        position, hidden = {}, {}
        for hand in HANDS:
            position[hand], hidden[hand] = self.hands[hand].position(audio, frames, causal)
        return AudioCondition(position, hidden)

    # ------------------------------------------------------------------ stage 2

    def prepare(self, cond: AudioCondition) -> PreparedCondition:
        """Refine the condition once; `denoise` accepts the result to skip that work."""
        causal = self._causal(cond.shape[0])
        context = {
            hand: self.hands[hand].unet.refine_condition(cond.hidden[hand], causal)
            for hand in HANDS
        }
        guide = {
            hand: torch.cat((cond.position[hand], cond.position[other]), dim=-1).transpose(1, 2)
            for hand, other in zip(HANDS, reversed(HANDS), strict=True)
        }
        return PreparedCondition(context, guide, cond.shape)

    def denoise(
        self,
        x: Mapping[str, Tensor],
        t: Tensor,
        cond: AudioCondition | PreparedCondition,
    ) -> HandTensors:
        """x per hand (B, 48, T), t (B,) int64 -> raw network output (v) per hand."""
        if isinstance(cond, AudioCondition):
            cond = self.prepare(cond)
        _check_inputs(x, t, cond.shape, self.config.unet.channels)
        downs = {
            hand: self.hands[hand].unet.down(x[hand], t, cond.context[hand], cond.guide[hand])
            for hand in HANDS
        }
        return {
            hand: self.hands[hand].unet.up(downs[hand], downs[other].bottleneck)
            for hand, other in zip(HANDS, reversed(HANDS), strict=True)
        }

    @torch.no_grad()
    def sample(
        self,
        cond: AudioCondition,
        *,
        generator: torch.Generator | None = None,
        sampler: Sampler = ddpm_sample,
        callback: ProgressFn | None = None,
    ) -> HandTensors:
        """Generate normalised poses {"left"|"right": (B, 48, T)} (multiply by pi for radians)."""
        batch, frames = cond.shape
        # x_T before the condition refiners, in the reference's order: with dropout on and
        # the default generator, the draws then follow the same stream as its `sample()`
        x_T = initial_noise(
            (batch, self.config.unet.channels, frames),
            generator=generator,
            device=self.device,
            shared=self.compat.shared_initial_noise,
        )
        prepared = self.prepare(cond)
        return sampler(
            lambda x, t: self.denoise(x, t, prepared),
            self.schedule.to(self.device),
            x_T,
            generator=generator,
            callback=callback,
        )


def _check_inputs(
    x: Mapping[str, Tensor], t: Tensor, shape: tuple[int, int], channels: int
) -> None:
    """Clear errors for the mistakes the U-Net would otherwise report cryptically."""
    if set(x) != set(HANDS):
        raise ValueError(f"x must have exactly the keys 'left' and 'right', got {sorted(x)}")
    batch, frames = shape
    for hand in HANDS:
        if tuple(x[hand].shape) != (batch, channels, frames):
            raise ValueError(
                f"x[{hand!r}] has shape {tuple(x[hand].shape)}, expected "
                f"({batch}, {channels}, {frames}) to match the audio condition"
            )
    if t.dtype != torch.long or tuple(t.shape) != (batch,):
        raise ValueError(f"t must be int64 of shape ({batch},), got {t.dtype} {tuple(t.shape)}")
