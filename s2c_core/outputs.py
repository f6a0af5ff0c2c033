"""All-or-nothing output files: plan every output, stage them, then move them in.

Planning resolves each output and the input to the real file they name (symlinks, `..`,
letter case) and refuses two outputs that are one file, or an output that is the input,
whatever --overwrite says. Every output is staged in a hidden `.s2c-<host>-<pid>-*` folder
beside it (same file system, so the final move is one atomic rename) and removed on every
exit path that Python sees; a folder left by a killed run is swept by the next run that
writes there. Without --overwrite the final move never clobbers: a file that appeared
meanwhile (another run writing the same path) makes this run fail instead.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

STAGING_PREFIX = ".s2c-"
_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:16] or "host"


class OutputError(ValueError):
    """An output path cannot be written (message names the path)."""


@dataclass
class StagedOutputs:
    """Maps each requested final path to a staging path beside it.

    finals: kind -> path; a kind is shown to the user as an option (`audio_out` ->
    --audio-out). inputs: files the run reads, which no output may replace.
    """

    finals: dict[str, Path]
    overwrite: bool = False
    inputs: Iterable[Path] = ()
    staging: dict[str, Path] = field(default_factory=dict)
    _tmpdirs: dict[Path, Path] = field(default_factory=dict)

    def __enter__(self) -> StagedOutputs:
        self.finals = plan_outputs(self.finals, self.inputs)
        for final in self.finals.values():
            check_writable(final, self.overwrite)
        try:
            for final in self.finals.values():
                if final.parent not in self._tmpdirs:
                    sweep_stale_staging(final.parent)
                    self._tmpdirs[final.parent] = _make_staging(final)
        except BaseException:
            self._remove_staging()
            raise
        self.staging = {k: self._tmpdirs[p.parent] / p.name for k, p in self.finals.items()}
        return self

    def path(self, kind: str) -> Path:
        return self.staging[kind]

    def scratch(self, name: str) -> Path:
        """A path for an intermediate file, removed with the staging folders."""
        return Path(tempfile.mkdtemp(dir=next(iter(self._tmpdirs.values())))) / name

    def commit(self) -> None:
        """Move every staged file into place; without --overwrite, none that would clobber."""
        for kind, final in self.finals.items():
            if not self.staging[kind].is_file():
                raise OutputError(f"{final}: the {kind} output was not produced")
        placed: list[Path] = []
        try:
            for kind, final in self.finals.items():
                _place(self.staging[kind], final, self.overwrite)
                placed.append(final)
        except BaseException:
            if not self.overwrite:  # those placed were new files: take them back out
                for final in placed:
                    final.unlink(missing_ok=True)
            raise

    def __exit__(self, exc_type, exc, traceback) -> None:
        self._remove_staging()
        if isinstance(exc, Exception) and not isinstance(exc, OutputError):
            message = (str(exc).splitlines() or [""])[0]
            if isinstance(exc, OSError) and exc.filename is not None:
                message = f"{exc.filename}: {exc.strerror or message}"
            if any(str(folder) in message for folder in self._tmpdirs.values()):
                # a failure in the staging folder: say which of the user's files it hit
                raise OutputError(self.user_paths(message)) from exc

    def user_paths(self, text: str) -> str:
        """`text` with every staging path replaced by the output path it stands for."""
        for kind, staged in self.staging.items():
            text = text.replace(str(staged), str(self.finals[kind]))
        for folder, tmpdir in self._tmpdirs.items():
            text = re.sub(rf"{re.escape(str(tmpdir))}[^\s'\":]*", str(folder), text)
        return text

    def _remove_staging(self) -> None:
        for tmpdir in self._tmpdirs.values():
            shutil.rmtree(tmpdir, ignore_errors=True)


def plan_outputs(finals: dict[str, Path], inputs: Iterable[Path] = ()) -> dict[str, Path]:
    """Each output as the real path it names; refuses collisions and outputs that are inputs."""
    planned: dict[str, Path] = {}
    sources = [Path(os.path.realpath(source)) for source in inputs]
    for kind, path in finals.items():
        real = Path(os.path.realpath(path))
        for other_kind, other in planned.items():
            if same_file(real, other):
                raise OutputError(
                    f"{path}: {_option(other_kind)} and {_option(kind)} name the same file; "
                    "give each output its own path"
                )
        for source in sources:
            if same_file(real, source):
                raise OutputError(
                    f"{path}: {_option(kind)} names the input file; choose another output path"
                )
        planned[kind] = real
    return planned


def same_file(a: Path, b: Path) -> bool:
    """Whether two real paths are (or on a case-insensitive file system would be) one file."""
    if os.path.normcase(a).casefold() == os.path.normcase(b).casefold():
        return True
    try:
        return os.path.samefile(a, b)  # hard links, bind mounts
    except OSError:  # one does not exist yet
        return False


def _option(kind: str) -> str:
    return f"--{kind.replace('_', '-')}"


def _place(staged: Path, final: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(staged, final)
        return
    try:
        os.link(staged, final)  # atomic, and fails if `final` exists
    except FileExistsError:
        raise _appeared_meanwhile(final) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        _reserve_and_replace(staged, final)  # file systems without hard links (FAT, SMB)


def _reserve_and_replace(staged: Path, final: Path) -> None:
    try:
        os.close(os.open(final, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        raise _appeared_meanwhile(final) from None
    os.replace(staged, final)


def _appeared_meanwhile(final: Path) -> OutputError:
    return OutputError(
        f"{final}: already exists (written meanwhile by another run?); pass --overwrite "
        "to replace it"
    )


def _make_staging(final: Path) -> Path:
    prefix = f"{STAGING_PREFIX}{_HOST}-{os.getpid()}-"
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=final.parent))
    except OSError as exc:  # read-only file system, quota: name the user's file, not ours
        raise OutputError(f"{final}: cannot write in {final.parent} ({exc.strerror})") from exc


def sweep_stale_staging(folder: Path) -> None:
    """Remove staging folders of this host's runs that were killed (their process is gone)."""
    if os.name != "posix":  # no safe "is this process alive" probe without side effects
        return
    pattern = re.compile(rf"^{re.escape(STAGING_PREFIX)}{_HOST}-(\d+)-")
    for entry in folder.glob(f"{STAGING_PREFIX}{_HOST}-*"):
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not _process_alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def check_writable(path: Path, overwrite: bool) -> None:
    if path.is_dir():
        raise OutputError(f"{path}: is a folder, not a file path")
    if path.exists() and not overwrite:
        raise OutputError(f"{path}: already exists (pass --overwrite to replace it)")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: folder {path.parent} is not writable")


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` for the body to write, renamed onto `path` only when
    the body succeeds (so a reader never sees half a file) and removed when it fails."""
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    try:
        yield Path(staging)
        os.chmod(staging, 0o666 & ~_current_umask())  # mkstemp makes 0600; use the usual mode
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
