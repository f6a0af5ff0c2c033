"""Plain-data configuration of the S2C model, and parsing of the official ``args*.txt`` files.

The official release stores stage-2 arguments in ``args.txt`` and stage-1 arguments in
``args_posi.txt`` (S2C_REFERENCE §4.1). Only the keys that change the network are read; every
other key (paths, learning rates, data flags) is ignored.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from transformers import HubertConfig

from .errors import CheckpointError

HANDS: tuple[str, str] = ("left", "right")
SAMPLE_RATE = 16_000
FPS = 30
POSE_DIM = 48  # global orient (3) + 15 finger joints x 3, divided by pi
XYZ_DIM = 3


@dataclass(frozen=True)
class PositionConfig:
    """Stage 1 (`Piano2Posi`), one per hand; the HuBERT architecture lives in `hubert`."""

    feature_dim: int = 512
    num_layer: int = 4
    nhead: int = 4  # hard-coded in the reference
    encoder_ffn: int = 2048  # torch default, never overridden by the reference
    out_dim: int = XYZ_DIM
    pos_dim: int = 6  # stage-1 `bs_dim`: both hands' xyz
    max_seq_len: int = 900  # longest window the periodic causal mask is built for
    period: int = FPS


@dataclass(frozen=True)
class UnetConfig:
    """Stage 2 (`Unet1D` with HCAA fusion), one per hand."""

    dim: int = 256
    dim_mults: tuple[int, ...] = (1, 2, 4, 8)
    channels: int = POSE_DIM
    guide_dim: int = 2 * XYZ_DIM
    num_layer: int = 4  # condition refiner depth
    nhead: int = 4
    encoder_ffn: int = 2048
    resnet_groups: int = 8
    attn_heads: int = 4
    attn_dim_head: int = 32
    fusion_heads: int = 8
    max_seq_len: int = 900  # the stage-2 mask sizes are hard-coded in the reference
    period: int = FPS


@dataclass(frozen=True)
class DiffusionConfig:
    timesteps: int = 1000
    objective: Literal["pred_v"] = "pred_v"  # the reference eval/infer hard-code it


@dataclass(frozen=True)
class S2CConfig:
    """Everything needed to rebuild the network; saved as JSON next to our weights."""

    hubert: dict[str, Any]
    position: PositionConfig = field(default_factory=PositionConfig)
    unet: UnetConfig = field(default_factory=UnetConfig)
    diffusion: DiffusionConfig = field(default_factory=DiffusionConfig)
    normalize_audio: bool = True  # Wav2Vec2 processor `do_normalize`

    def hubert_config(self) -> HubertConfig:
        return HubertConfig.from_dict(self.hubert)

    @property
    def cond_dim(self) -> int:
        return int(self.hubert["hidden_size"])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> S2CConfig:
        unet = dict(data.get("unet", {}))
        if "dim_mults" in unet:
            unet["dim_mults"] = tuple(unet["dim_mults"])
        return cls(
            hubert=dict(data["hubert"]),
            position=PositionConfig(**data.get("position", {})),
            unet=UnetConfig(**unet),
            diffusion=DiffusionConfig(**data.get("diffusion", {})),
            normalize_audio=bool(data.get("normalize_audio", True)),
        )


@dataclass(frozen=True)
class CompatConfig:
    """Reference behaviours that a careful port would not choose (S2C_REFERENCE §8).

    All off by default; `CompatConfig.reference()` turns every one on to mimic the released code.
    """

    # Normalise audio over the whole batch as one example (§8.1) instead of per clip.
    batch_joint_normalisation: bool = False
    # Periodic-ALiBi causal mask in both transformer stacks (§8.2): the reference applies it
    # only when the batch has one clip ("batch1"); training never saw it ("never").
    causal_mask: Literal["never", "batch1", "always"] = "never"
    # Keep transformer dropout active at inference, as the reference never calls .eval() (§8.3).
    dropout_at_inference: bool = False
    # Start both hands from the same x_T, as the reference code does (§8.4).
    shared_initial_noise: bool = False

    def __post_init__(self) -> None:
        if self.causal_mask not in ("never", "batch1", "always"):
            raise ValueError(f"causal_mask must be never|batch1|always, not {self.causal_mask!r}")

    @classmethod
    def reference(cls) -> CompatConfig:
        return cls(
            batch_joint_normalisation=True,
            causal_mask="batch1",
            dropout_at_inference=True,
            shared_initial_noise=True,
        )


# --------------------------------------------------------------------------- official args


def read_args_file(path: Path) -> dict[str, Any]:
    """Read one official ``args*.txt`` (a JSON dump of an argparse namespace)."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(f"{path}: missing (an official S2C experiment needs it)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path}: not a JSON args file ({exc})") from exc
    if not isinstance(data, dict):
        raise CheckpointError(f"{path}: expected a JSON object of arguments")
    return data


def _require(args: dict[str, Any], key: str, allowed: tuple[Any, ...], path: Path) -> None:
    """Reject argument values that select architectures we do not implement."""
    if key in args and args[key] not in allowed:
        raise CheckpointError(
            f"{path}: {key}={args[key]!r} is not supported (only {', '.join(map(str, allowed))})"
        )


def int_arg(args: dict[str, Any], key: str, default: int, path: Path) -> int:
    """A positive whole-number argument; anything else is one line naming the file and key."""
    value = args.get(key, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CheckpointError(f"{path}: {key} must be a positive whole number, got {value!r}")
    return value


def position_config_from_args(args: dict[str, Any], path: Path) -> PositionConfig:
    _require(args, "encoder_type", ("transformer",), path)
    _require(args, "latest_layer", ("tanh",), path)
    _require(args, "hidden_type", ("audio_f",), path)
    bs_dim = int_arg(args, "bs_dim", 6, path)
    return PositionConfig(
        feature_dim=int_arg(args, "feature_dim", 512, path),
        num_layer=int_arg(args, "num_layer", 4, path),
        out_dim=bs_dim // 2,  # each hand's network predicts its half of bs_dim
        pos_dim=bs_dim,
        max_seq_len=int_arg(args, "max_seq_len", 900, path),
        period=int_arg(args, "period", FPS, path),
    )


def unet_config_from_args(args: dict[str, Any], path: Path) -> UnetConfig:
    _require(args, "encoder_type", ("transformer",), path)
    _require(args, "fusion", (4,), path)
    _require(args, "xyz_guide", (True,), path)
    _require(args, "remap_noise", (True,), path)
    return UnetConfig(
        dim=int_arg(args, "unet_dim", 256, path),
        channels=int_arg(args, "bs_dim", 2 * POSE_DIM, path) // 2,
        num_layer=int_arg(args, "num_layer", 4, path),
    )


# Windows come in whole steps of 24 frames = 0.8 s = 12 800 samples: the UNet halves the time
# axis three times, and 24 is the smallest frame count divisible by 8.
SAMPLES_PER_STEP = 12_800


def frames_for_samples(num_samples: int) -> int:
    """Frames at 30 fps for a window of `num_samples` at 16 kHz, or a clear ValueError.

    The UNet halves the time axis three times, so windows come in whole steps of 24 frames
    (0.8 s = 12 800 samples); the reference window is 8 s = 128 000 samples = 240 frames.
    """
    step = SAMPLES_PER_STEP
    if num_samples <= 0 or num_samples % step:
        raise ValueError(
            f"audio window has {num_samples} samples; S2C needs a multiple of {step} samples "
            f"(0.8 s at 16 kHz = 24 frames at 30 fps), e.g. 128000 for the reference 8 s window"
        )
    return num_samples * FPS // SAMPLE_RATE


def hubert_large_config() -> HubertConfig:
    """The `hubert-large-ls960-ft` architecture (S2C_REFERENCE §2.1), for building full-size
    models without the download (manifest tests, benchmarks)."""
    return HubertConfig(
        hidden_size=1024,
        num_hidden_layers=24,
        num_attention_heads=16,
        intermediate_size=4096,
        conv_dim=(512,) * 7,
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_bias=True,
        num_conv_pos_embeddings=128,
        num_conv_pos_embedding_groups=16,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        mask_time_prob=0.05,
        layerdrop=0.1,
        vocab_size=32,
    )
