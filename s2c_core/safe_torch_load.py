"""Reading checkpoints written by the reference code without running their pickles.

The reference saves its `argparse.Namespace` next to the weights, so `torch.load` with
`weights_only=True` needs that one class allowed; everything else a pickle names is refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import torch


def load_checkpoint_dict(
    path: Path, error: type[ValueError] = ValueError, *, mmap: bool = False
) -> dict[str, Any]:
    """The file's top-level dict; any failure raises `error` with one line naming the file."""
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            ckpt = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
    except Exception as exc:  # torch raises many types for damaged or foreign files
        reason = one_line_reason(exc)
        if "GLOBAL" in reason:  # a pickled object outside the allow-list: never run it
            raise error(
                f"{path}: refused to unpickle: it references objects outside the allow-list "
                f"(tensors, argparse.Namespace): {reason}"
            ) from exc
        raise error(f"{path}: cannot read checkpoint: {reason}") from exc
    if not isinstance(ckpt, dict):
        raise error(f"{path}: expected a dict, got {type(ckpt).__name__}")
    return ckpt


def one_line_reason(exc: BaseException) -> str:
    """One line out of torch's multi-paragraph messages: the unpickler's own complaint."""
    text = " ".join(str(exc).split())
    _, found, detail = text.partition("WeightsUnpickler error:")
    if found:
        text = detail.split(" Please use ")[0].split(" Check the documentation ")[0].strip()
    return text or type(exc).__name__
