"""Run `python -m MODULE` of this checkout in a fresh interpreter, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_module(
    module: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m MODULE ARGS` from the checkout's root (so it imports this checkout), its
    output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_s2c(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The `s2c` command line (`python -m s2c_core ARGS`)."""
    return run_module("s2c_core", *args, env=env)
