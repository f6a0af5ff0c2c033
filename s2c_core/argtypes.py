"""Value types for argparse options shared by the subcommands."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """A count that must be at least 1: `--steps 0` is refused, not silently defaulted."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
