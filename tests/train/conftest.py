"""Session fixtures: the synthetic dataset, a tiny HuBERT and a trained tiny stage 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from s2c_core.train.position import train_position
from tests.train.helpers import position_config, write_dataset, write_hubert


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="session")
def hubert(tmp_path_factory) -> Path:
    return write_hubert(tmp_path_factory.mktemp("hubert") / "hubert")


@pytest.fixture(scope="session")
def stage1(tmp_path_factory, dataset, hubert):
    """(run folder, TrainResult) of a short stage-1 run."""
    out = tmp_path_factory.mktemp("stage1") / "run"
    return out, train_position(position_config(dataset, hubert, out))
