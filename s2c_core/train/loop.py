"""The training loop both stages share (nanoGPT-style: one function, top to bottom).

A `Stage` supplies the model, what it trains, its loss and its validation metric; `fit`
does the rest: DDP, gradient accumulation, mixed precision, per-step seeding, periodic
validation, best/last models, resumable state, TensorBoard and the progress bar.
"""

from __future__ import annotations

import contextlib
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

from ..engines.s2c import S2C
from .config import TrainConfig
from .data import open_split, train_batches, validation_batches
from .runtime import Runtime, runtime, seed_step
from .state import (
    LATEST,
    load_latest,
    load_subset,
    publish_model,
    save_state,
    subset_state,
    write_json,
)


class Stage(ABC):
    """What differs between stage 1 and stage 2."""

    name: str
    prefixes: tuple[str, ...]  # state_dict prefixes of the weights this stage trains

    def __init__(self, model: S2C, config: TrainConfig) -> None:
        self.model = model
        self.config = config

    @abstractmethod
    def trainable(self) -> list[nn.Parameter]:
        """Parameters that get gradients (everything else is frozen)."""

    @abstractmethod
    def objective(self) -> nn.Module:
        """A module whose forward(batch) returns {"loss": scalar, ...parts} (DDP wraps it)."""

    @abstractmethod
    def optimizer(self, params: list[nn.Parameter]) -> torch.optim.Optimizer: ...

    @abstractmethod
    def train_mode(self) -> None:
        """Put the model in the reference's training modes."""

    @abstractmethod
    def validation_sums(self, batch: dict[str, Any]) -> tuple[float, int]:
        """(summed metric, items) of one validation batch, model in eval mode."""

    def finish(self, out_dir: Path) -> None:
        """Rank 0, after the last step (e.g. official export); nothing by default."""
        return None


@dataclass
class TrainResult:
    train_loss: dict[int, float] = field(default_factory=dict)  # rank 0's loss per step
    val_loss: dict[int, float] = field(default_factory=dict)
    best_step: int = 0
    best_val: float = math.inf


CONFIG_FILE = "train_config.json"


def run(config: TrainConfig, make_stage: Callable[[], Stage]) -> TrainResult:
    """Check the run folder, set up this process (DDP under torchrun) and train."""
    check_run_folder(config)
    with runtime(config.device, config.precision, config.deterministic) as rt:
        stage = make_stage()
        if rt.is_main:
            config.out_dir.mkdir(parents=True, exist_ok=True)
            write_json(config.out_dir / CONFIG_FILE, config.to_dict())
        rt.barrier()
        return fit(config, stage, rt)


def check_run_folder(config: TrainConfig) -> None:
    """Refuse to overwrite a run by accident, or to resume one with another recipe."""
    out = config.out_dir
    if not config.resume:
        if (out / LATEST).exists():
            raise FileExistsError(f"{out}: holds a run; pass --resume or choose another --out")
        return
    saved = out / CONFIG_FILE
    if saved.is_file():
        changed = config.recipe_changes(json.loads(saved.read_text()))
        if changed:
            raise ValueError(f"{out}: --resume with changed settings: {', '.join(changed)}")


def fit(config: TrainConfig, stage: Stage, rt: Runtime) -> TrainResult:
    micro = _micro_batch(config, rt)
    model = stage.model.to(rt.device)
    params = stage.trainable()
    trained = {id(p) for p in params}
    for p in model.parameters():
        p.requires_grad_(id(p) in trained)
    objective = stage.objective()
    if rt.distributed:
        ids = [rt.device.index] if rt.device.type == "cuda" else None
        objective = DistributedDataParallel(objective, device_ids=ids)
    optimizer = stage.optimizer(params)
    scaler = torch.amp.GradScaler(rt.device.type, enabled=rt.dtype == torch.float16)

    result, start = TrainResult(), 0
    saved = load_latest(config.out_dir, rt.device) if config.resume else None
    if saved is not None:
        load_subset(model, saved["weights"], stage.prefixes)
        optimizer.load_state_dict(saved["optimizer"])
        scaler.load_state_dict(saved["scaler"])
        start, result.best_step, result.best_val = (
            saved["step"], saved["best_step"], saved["best_val"]
        )  # fmt: skip

    train_set = open_split(config.data_root, "train", config.up_list, config.seconds)
    val_set = open_split(config.data_root, "valid", config.up_list, config.seconds)
    val_loader = validation_batches(
        val_set, rt, config.val_sequences, config.val_batch_size, config.seed
    )
    batches = train_batches(
        train_set, rt, micro, config.seed, start * config.grad_accum, config.workers
    )
    log = _Log(config, rt, start)

    def validate(step: int) -> None:
        value = _validate(stage, val_loader, rt)
        result.val_loss[step] = value
        log.scalar("val/loss", value, step)
        if value < result.best_val:
            result.best_step, result.best_val = step, value
            if rt.is_main:
                publish_model(model, config.out_dir / "best")
                write_json(config.out_dir / "best.json", {"step": step, "val_loss": value})
        rt.barrier()

    if start == 0:
        validate(0)
    for step in range(start + 1, config.iterations + 1):
        seed_step(config.seed, rt.rank, step)
        stage.train_mode()
        parts: dict[str, float] = {}
        for micro_step in range(config.grad_accum):
            batch = _to_device(next(batches), rt.device)
            last = micro_step == config.grad_accum - 1
            sync = contextlib.nullcontext() if last or not rt.distributed else objective.no_sync()
            with sync:
                with rt.autocast():
                    losses = objective(batch)
                scaler.scale(losses["loss"] / config.grad_accum).backward()
            for name, value in losses.items():
                parts[name] = parts.get(name, 0.0) + value.item() / config.grad_accum
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        result.train_loss[step] = parts["loss"]
        log.step(step, parts)

        end = step == config.iterations
        if step % config.val_every == 0 or end:
            validate(step)
        if step % config.save_every == 0 or end:
            _save(config, stage, rt, optimizer, scaler, step, result)
    log.close()
    if rt.is_main:
        stage.finish(config.out_dir)
    rt.barrier()
    return result


def _micro_batch(config: TrainConfig, rt: Runtime) -> int:
    parts = rt.world * config.grad_accum
    if config.batch_size % parts:
        raise ValueError(
            f"batch size {config.batch_size} is not divisible by processes x accumulation "
            f"= {rt.world} x {config.grad_accum}"
        )
    return config.batch_size // parts


def _to_device(batch: dict[str, Any], device: torch.device) -> dict[str, Any]:
    return {
        k: v.to(device, non_blocking=True) if isinstance(v, Tensor) else v for k, v in batch.items()
    }


@torch.no_grad()
def _validate(stage: Stage, loader, rt: Runtime) -> float:
    stage.model.eval()
    total, count = 0.0, 0
    for batch in loader:
        with rt.autocast():
            batch_total, batch_count = stage.validation_sums(_to_device(batch, rt.device))
        total, count = total + batch_total, count + batch_count
    total, count = rt.all_sum([total, float(count)])
    return total / max(count, 1.0)


def _save(config, stage, rt, optimizer, scaler, step: int, result: TrainResult) -> None:
    if rt.is_main:
        state = {
            "step": step,
            "weights": subset_state(stage.model, stage.prefixes),
            "optimizer": optimizer.state_dict(),
            "scaler": scaler.state_dict(),
            "best_step": result.best_step,
            "best_val": result.best_val,
            "seed": config.seed,
        }
        save_state(config.out_dir, step, state, config.keep_states)
        publish_model(stage.model, config.out_dir / "last")
    rt.barrier()


class _Log:
    """TensorBoard and the progress bar, on rank 0 only."""

    def __init__(self, config: TrainConfig, rt: Runtime, start: int) -> None:
        from tqdm import tqdm

        self.every = config.log_every
        self.writer = None
        if rt.is_main:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(config.out_dir / "tb"), purge_step=start + 1)
        self.bar = tqdm(
            total=config.iterations,
            initial=start,
            desc=config.out_dir.name,
            disable=not (rt.is_main and config.progress_bar),
            dynamic_ncols=True,
        )

    def scalar(self, tag: str, value: float, step: int) -> None:
        if self.writer is not None:
            self.writer.add_scalar(tag, value, step)

    def step(self, step: int, parts: dict[str, float]) -> None:
        self.bar.update(1)
        if step % self.every == 0:
            for name, value in parts.items():
                self.scalar(f"train/{name}", value, step)
            self.bar.set_postfix(loss=f"{parts['loss']:.4f}")

    def close(self) -> None:
        self.bar.close()
        if self.writer is not None:
            self.writer.close()
