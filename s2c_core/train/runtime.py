"""Process setup for training: device, DDP under torchrun, mixed precision, seeding.

torchrun sets RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT; with more than one
process we join the group (nccl on CUDA, gloo on CPU). Without torchrun everything runs in
one process and no group exists.
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Runtime:
    rank: int
    world: int
    device: torch.device
    dtype: torch.dtype | None  # autocast dtype, None for fp32

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def all_sum(self, values: list[float]) -> list[float]:
        """Element-wise sum over processes (float64 on the training device)."""
        if not self.distributed:
            return values
        tensor = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(tensor)
        return tensor.tolist()


@contextlib.contextmanager
def runtime(
    device: str = "auto", precision: str = "auto", deterministic: bool = False
) -> Iterator[Runtime]:
    """Set up this process (and the process group under torchrun); tear down on exit."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = _pick_device(device, local_rank)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
        torch.backends.cudnn.deterministic = deterministic
        torch.backends.cudnn.benchmark = not deterministic
    if world > 1:
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    try:
        yield Runtime(rank, world, dev, _autocast_dtype(precision, dev))
    finally:
        if world > 1:
            dist.destroy_process_group()


def _pick_device(name: str, local_rank: int) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda: no CUDA device is available")
        return torch.device("cuda", local_rank)
    return torch.device(name)


def _autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    if precision == "auto":
        precision = "bf16" if device.type == "cuda" else "fp32"
    dtypes = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": None}
    if precision not in dtypes:
        raise ValueError(f"precision must be auto, bf16, fp16 or fp32, not {precision!r}")
    return dtypes[precision]


def derive_seed(*keys: int) -> int:
    """A well-mixed 63-bit seed from integer keys (seed, rank, step, ...)."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1, np.uint64)[0]) >> 1


def seed_step(seed: int, rank: int, step: int) -> None:
    """Reseed every generator from (seed, rank, step) at the start of a step.

    The randomness of a step (dropout, diffusion t and noise) is then a function of where it
    is in the run, so a resumed run continues bit-for-bit without saving RNG states, and
    ranks draw independent noise.
    """
    value = derive_seed(seed, rank, step)
    random.seed(value)
    np.random.seed(value % 2**32)
    torch.manual_seed(value)  # also seeds every CUDA device
