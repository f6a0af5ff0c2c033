"""All-or-nothing output files: stage every output in a temp folder, then move them in.

A run that fails half-way (bad input, a crash in the Blender step, Ctrl-C) leaves no new
files behind, and an existing file is only replaced when the user asked for --overwrite.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class OutputError(ValueError):
    """An output path cannot be written (message names the path)."""


@dataclass
class StagedOutputs:
    """Maps each requested final path to a staging path inside one temp folder."""

    finals: dict[str, Path]
    overwrite: bool = False
    staging: dict[str, Path] = field(default_factory=dict)
    _tmpdirs: list[Path] = field(default_factory=list)

    def __enter__(self) -> StagedOutputs:
        for kind, final in self.finals.items():
            check_writable(final, self.overwrite)
            tmpdir = Path(tempfile.mkdtemp(prefix=".s2c-", dir=final.parent))
            self._tmpdirs.append(tmpdir)
            self.staging[kind] = tmpdir / final.name
        return self

    def path(self, kind: str) -> Path:
        return self.staging[kind]

    def commit(self) -> None:
        """Move every staged file into place (each a same-folder rename, so atomic)."""
        for kind, final in self.finals.items():
            staged = self.staging[kind]
            if not staged.is_file():
                raise OutputError(f"{final}: the {kind} output was not produced")
        for kind, final in self.finals.items():
            os.replace(self.staging[kind], final)

    def __exit__(self, *exc_info) -> None:
        for tmpdir in self._tmpdirs:
            shutil.rmtree(tmpdir, ignore_errors=True)


def check_writable(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise OutputError(f"{path}: already exists (pass --overwrite to replace it)")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder, not a file path")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: folder {path.parent} is not writable")
