"""Fixtures for the S2C engine tests; builders live in tiny_s2c.py for reuse elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from s2c_core.engines.s2c import S2C
from tests.engines.s2c.tiny_s2c import build_tiny_model, write_tiny_official


@pytest.fixture
def tiny_model() -> S2C:
    return build_tiny_model(seed=0)


@pytest.fixture
def tiny_official(tmp_path: Path) -> tuple[Path, S2C]:
    """(experiment folder in the official format, the in-memory model it was written from)."""
    exp = tmp_path / "exp"
    return exp, write_tiny_official(exp, seed=0)
