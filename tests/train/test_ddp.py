"""DDP on CPU: two gloo processes set up exactly as torchrun would (environment variables)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp

from s2c_core.train.gesture import GestureStage, load_stage1
from s2c_core.train.loop import run
from s2c_core.train.state import subset_state
from tests.train.helpers import gesture_config

WORLD = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, port: int, dataset: Path, stage1: Path, out: Path, dump: Path) -> None:
    os.environ.update(
        RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(WORLD),
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1",
    )  # fmt: skip
    torch.set_num_threads(1)
    config = gesture_config(dataset, stage1, out, iterations=4, val_every=2, save_every=2)
    stage = GestureStage(load_stage1(stage1), config)
    result = run(config, lambda: stage)
    torch.save(
        {"weights": subset_state(stage.model, stage.prefixes), "val": result.val_loss},
        dump / f"rank{rank}.pt",
    )


@pytest.mark.slow
def test_two_gloo_ranks_agree_and_only_rank0_writes(tmp_path, dataset, stage1):
    stage1_dir, _ = stage1
    out = tmp_path / "run"
    mp.spawn(_worker, args=(_free_port(), dataset, stage1_dir, out, tmp_path), nprocs=WORLD)

    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in range(WORLD)]
    start = load_stage1(stage1_dir).state_dict()
    weights = [r["weights"] for r in ranks]
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
    assert any(not torch.equal(weights[0][k], start[k]) for k in weights[0])  # it trained
    assert ranks[0]["val"] == ranks[1]["val"]  # validation is sharded, then all-reduced
    # one writer: a single TensorBoard file, the states of rank 0 only
    assert len(list((out / "tb").iterdir())) == 1
    assert sorted(p.name for p in (out / "state").iterdir()) == [
        "step_00000002.pt", "step_00000004.pt"
    ]  # fmt: skip
    assert not list(out.glob(".*"))  # no leftover temporary files
