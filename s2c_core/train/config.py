"""Every training knob, one dataclass per stage; defaults equal the paper's recipe
(S2C_REFERENCE §2.2 stage 1, §3.3 stage 2).

Plain data, no torch import, so the command line can build its options from these fields
(`help` metadata) without loading torch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

Precision = Literal["auto", "bf16", "fp16", "fp32"]
ValMode = Literal["loss", "sample"]

# Knobs that may change when a run is resumed; any other difference is an error, since it
# would silently change the recipe half-way.
RESUMABLE_CHANGES = frozenset(
    {"iterations", "val_every", "save_every", "log_every", "keep_states", "workers", "progress_bar",
     "resume", "device", "out_dir", "data_root", "hubert", "stage1"}
)  # fmt: skip


def _knob(default: Any, help: str, **kw: Any) -> Any:
    return field(default=default, metadata={"help": help, **kw})


@dataclass(kw_only=True)
class TrainConfig:
    data_root: Path = field(metadata={"help": "PianoMotion10M root (official layout)"})
    out_dir: Path = field(metadata={"help": "run folder: checkpoints, state, TensorBoard logs"})
    iterations: int = _knob(0, "optimizer steps")
    batch_size: int = _knob(1, "clips per optimizer step over all GPUs and accumulation")
    lr: float = _knob(0.0, "learning rate")
    grad_accum: int = _knob(1, "micro-batches accumulated per optimizer step")
    seconds: int = _knob(8, "window length in seconds (a multiple of 4 s keeps 0.8 s steps)")
    up_list: tuple[str, ...] | None = _knob(
        None, "uploader ids to keep (default: the paper's two; give none to keep all)"
    )
    val_every: int = _knob(1000, "validate every N steps (and at step 0 and the end)")
    val_sequences: int = _knob(50, "validation sequences (the first N of the shuffled split)")
    val_batch_size: int = _knob(16, "validation batch per process")
    save_every: int = _knob(1000, "write the resumable state every N steps (and at the end)")
    keep_states: int = _knob(2, "how many resumable states to keep")
    log_every: int = _knob(50, "TensorBoard/progress-bar update every N steps")
    seed: int = _knob(0, "seed of the initial weights, data order, crops and noise")
    workers: int = _knob(2, "DataLoader worker processes")
    precision: Precision = _knob("auto", "auto: bf16 autocast on CUDA, fp32 elsewhere")
    device: str = _knob("auto", "auto, cpu, cuda (under torchrun: cuda:LOCAL_RANK)")
    deterministic: bool = _knob(False, "deterministic CUDA kernels (slower)")
    resume: bool = _knob(False, "continue from OUT/latest.json if present")
    progress_bar: bool = _knob(True, "progress bar on rank 0")
    export_official: bool = _knob(True, "also write best/ in the official format to official/")

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=str))

    def recipe_changes(self, saved: dict[str, Any]) -> list[str]:
        """Fields that differ from a saved run's config and may not change on resume."""
        now = self.to_dict()
        return sorted(
            k for k in now if k not in RESUMABLE_CHANGES and saved.get(k, now[k]) != now[k]
        )

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(kw_only=True)
class PositionTrainConfig(TrainConfig):
    """Stage 1: both hands' position predictors (HuBERT fine-tuned, conv features frozen)."""

    hubert: Path = field(metadata={"help": "hubert-large-ls960-ft folder (config + weights)"})
    iterations: int = _knob(200_000, "optimizer steps")
    batch_size: int = _knob(8, "clips per optimizer step over all GPUs and accumulation")
    lr: float = _knob(2e-5, "AdamW learning rate")
    weight_decay: float = _knob(0.01, "AdamW weight decay (torch default, as the reference)")
    weight_rec: float = _knob(1.0, "weight of the masked L1 position loss")
    weight_vel: float = _knob(1.0, "weight of the L1 velocity loss")
    feature_dim: int = _knob(512, "position predictor width")
    num_layer: int = _knob(4, "position predictor transformer depth")
    # the saved model is a whole S2C, so stage 1 also fixes the stage-2 U-Net shape and init
    unet_dim: int = _knob(256, "stage-2 U-Net base width")
    unet_layers: int = _knob(4, "stage-2 condition refiner depth")


@dataclass(kw_only=True)
class GestureTrainConfig(TrainConfig):
    """Stage 2: both hands' U-Nets with HCAA; stage-1 predictors frozen."""

    stage1: Path = field(metadata={"help": "stage-1 run folder (its best/) or a model folder"})
    iterations: int = _knob(800_000, "optimizer steps")
    batch_size: int = _knob(16, "clips per optimizer step over all GPUs and accumulation")
    lr: float = _knob(1e-5, "Adam learning rate")
    val_mode: ValMode = _knob(
        "loss",
        "loss: weighted v-loss at fixed seeded timesteps (fast); sample: the reference's "
        "1000-step DDPM sampling scored by L1 angles + velocity",
    )
    val_timesteps: tuple[int, ...] = _knob(
        (50, 200, 400, 600, 800, 950), "timesteps of the 'loss' validation"
    )
