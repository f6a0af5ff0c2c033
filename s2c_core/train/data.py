"""Batches for training and validation whose content is a function of the run position.

`PianoMotionDataset` draws its random crops from one stream in `__getitem__` order, which
depends on worker count and on where a run was resumed. `SeededWindows` instead reseeds the
crop before each item from (seed, epoch, index), so the n-th batch of a run is the same
whether the run was resumed, and whatever the number of DataLoader workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from ..data.pianomotion import PianoMotionDataset
from .runtime import Runtime, derive_seed

# first crop-seed key, so training and validation crops come from separate streams
TRAIN_STREAM, VALID_STREAM = 0, 1


def open_split(
    root: Path, split: str, up_list: tuple[str, ...] | None, seconds: int
) -> PianoMotionDataset:
    kwargs = {} if up_list is None else {"up_list": up_list}
    dataset = PianoMotionDataset(root, split, random_crop=True, seconds=seconds, **kwargs)
    if len(dataset) == 0:
        raise ValueError(f"{root}: no usable {split} sequences (see the warnings above)")
    return dataset


class SeededWindows(Dataset):
    """Items addressed by (index, crop seed); each item also carries its `index`."""

    def __init__(self, dataset: PianoMotionDataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, key: tuple[int, int]) -> dict:
        index, crop_seed = key
        # the reader exposes no crop hook, so its crop generator is reseeded here
        self.dataset._rng.seed(crop_seed)
        return {**self.dataset[index], "index": index}


def _loader(windows: SeededWindows, keys: list[tuple[int, int]], batch: int, workers: int):
    return DataLoader(
        windows,
        batch_size=batch,
        sampler=keys,
        num_workers=workers,
        drop_last=False,
        pin_memory=torch.cuda.is_available(),
    )


def train_batches(
    dataset: PianoMotionDataset,
    rt: Runtime,
    micro_batch: int,
    seed: int,
    start: int,
    workers: int,
) -> Iterator[dict]:
    """Endless micro-batches for this process, starting at global micro-batch `start`.

    Epoch e is DistributedSampler's permutation for epoch e (seeded, padded to the world
    size); incomplete batches at the end of an epoch are dropped.
    """
    windows = SeededWindows(dataset)
    sampler = DistributedSampler(dataset, rt.world, rt.rank, shuffle=True, seed=seed)
    per_epoch = len(sampler) // micro_batch
    if per_epoch == 0:
        raise ValueError(
            f"{len(sampler)} training windows per process are fewer than the micro-batch "
            f"of {micro_batch}; lower --batch-size or use more data"
        )
    epoch, skip = divmod(start, per_epoch)
    while True:
        sampler.set_epoch(epoch)
        order = list(sampler)[skip * micro_batch : per_epoch * micro_batch]
        keys = [(i, derive_seed(seed, TRAIN_STREAM, epoch, i)) for i in order]
        yield from _loader(windows, keys, micro_batch, workers)
        epoch, skip = epoch + 1, 0


def validation_batches(
    dataset: PianoMotionDataset, rt: Runtime, count: int, batch: int, seed: int
) -> DataLoader:
    """This process's shard of the first `count` validation sequences, with fixed crops (the
    reference validates on random crops of the first 50 shuffled sequences)."""
    indices = list(range(min(count, len(dataset))))[rt.rank :: rt.world]
    keys = [(i, derive_seed(seed, VALID_STREAM, i)) for i in indices]
    return _loader(SeededWindows(dataset), keys, batch, workers=0)
