"""Reading checkpoints written by the reference code without running their pickles.

The reference saves its `argparse.Namespace` next to the weights, so `torch.load` with
`weights_only=True` needs that one class allowed; everything else a pickle names is refused.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import torch

# torch.save's pre-1.6 format: a pickled magic number, then pickles (no zip, no mmap).
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")


def is_legacy_torch_file(path: Path) -> bool:
    """Whether `path` was written by torch.save(..., _use_new_zipfile_serialization=False)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_LEGACY_MAGIC)) == _LEGACY_MAGIC
    except OSError:
        return False


def load_checkpoint_dict(
    path: Path, error: type[ValueError] = ValueError, *, mmap: bool = False
) -> dict[str, Any]:
    """The file's top-level dict; any failure raises `error` with one line naming the file.

    mmap maps a zip checkpoint's tensors instead of reading them; the legacy format cannot
    be mapped, so it is read whole (same safety: the weights-only unpickler reads both).
    """
    mmap = mmap and not is_legacy_torch_file(path)
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            ckpt = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
    except Exception as exc:  # torch raises many types for damaged or foreign files
        reason = one_line_reason(exc)
        if "GLOBAL" in reason:  # a pickled object outside the allow-list: never run it
            found = re.search(r"GLOBAL ([\w.]+)", reason)
            name = found.group(1) if found else "an object"
            raise error(
                f"{path}: refused to unpickle {name} (only tensors and argparse.Namespace "
                "are allowed)"
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
