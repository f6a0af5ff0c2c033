"""Hugging Face Hub ids for the S2C experiment and its HuBERT, resolved with huggingface_hub.

`--checkpoint thuteam/S2C` and `--hubert facebook/hubert-large-ls960-ft` (optionally
`REPO@REVISION`) are fetched into huggingface_hub's own cache, so `HF_HOME`, `HF_HUB_CACHE`,
`HF_ENDPOINT`, `HF_TOKEN` and `HF_HUB_OFFLINE` work as for any Hub library. A path that exists
on disk is always taken as a local folder.

The official experiment (args.txt, args_posi.txt, one piano2pose-<hand>-*.ckpt per hand,
about 2.9 GB each) is downloaded once, verified (each file's size, and the LFS sha256 the Hub
lists, then a strict load of every tensor) and converted to our format under
`$HF_HOME/s2c-hands/<owner>--<name>/<commit>/`, so later runs load safetensors: fast, without
pickle, and offline. Only HuBERT's config files are fetched: its weights are inside the S2C
checkpoints (S2C_REFERENCE §4).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REPO = "thuteam/S2C"
CONVERTED_FOLDER = "s2c-hands"
MANIFEST = "download.json"
HUBERT_FILES = ("config.json", "preprocessor_config.json")
# args_posi.txt names a local HuBERT folder (`./checkpoints/hubert-large-ls960-ft`); these are
# the Hub repositories of the HuBERTs PianoMotion10M/S2C experiments use
KNOWN_HUBERTS = {
    "hubert-large-ls960-ft": "facebook/hubert-large-ls960-ft",
    "hubert-base-ls960": "facebook/hubert-base-ls960",
    "hubert-large-ll60k": "facebook/hubert-large-ll60k",
}
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")

ProgressFn = Callable[[int, int, str], None]
StageFn = Callable[[str, str], None]


class HubError(ValueError):
    """A Hub id cannot be resolved; the message is one line saying what to do."""


@dataclass(frozen=True)
class RepoRef:
    repo_id: str
    revision: str | None = None  # branch, tag or commit; None = the default branch

    @classmethod
    def parse(cls, text: str) -> RepoRef:
        repo_id, _, revision = str(text).partition("@")
        if not _REPO_ID.match(repo_id) or (revision == "" and "@" in str(text)):
            raise HubError(f"{text!r} is not a Hub repository id (OWNER/NAME or OWNER/NAME@REV)")
        return cls(repo_id, revision or None)

    def __str__(self) -> str:
        return self.repo_id if self.revision is None else f"{self.repo_id}@{self.revision}"

    @property
    def ref_name(self) -> str:
        return self.revision or "main"


def is_hub_id(value: str | Path) -> bool:
    """True for `owner/name[@rev]` that is not an existing local path."""
    if Path(value).exists():
        return False
    return bool(_REPO_ID.match(str(value).partition("@")[0]))


# --------------------------------------------------------------------------- cache layout


def _constants():
    from huggingface_hub import constants

    return constants


def converted_root() -> Path:
    return Path(_constants().HF_HOME) / CONVERTED_FOLDER


def _repo_folder(repo_id: str) -> Path:
    return converted_root() / repo_id.replace("/", "--")


def _is_converted(folder: Path) -> bool:
    return all((folder / name).is_file() for name in ("config.json", "model.safetensors", MANIFEST))


def cached_conversion(ref: RepoRef) -> Path | None:
    """Our converted copy of `ref` if this machine has one (no network)."""
    revision = ref.ref_name
    if not _COMMIT.match(revision):
        ref_file = _repo_folder(ref.repo_id) / "refs" / revision
        if not ref_file.is_file():
            return None
        revision = ref_file.read_text().strip()
    folder = _repo_folder(ref.repo_id) / revision
    return folder if _is_converted(folder) else None


def cached_models() -> list[dict]:
    """Every converted experiment in the cache, for `s2c doctor`."""
    found = []
    for manifest in sorted(converted_root().glob(f"*/*/{MANIFEST}")):
        try:
            info = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
        found.append({**info, "path": str(manifest.parent)})
    return found


def _offline() -> bool:
    return bool(_constants().HF_HUB_OFFLINE)


def _not_cached(ref: RepoRef, what: str, action: str, where: Path) -> HubError:
    return HubError(
        f"{what} {ref} is not in the cache and HF_HUB_OFFLINE is set: {action} with network "
        f"access (it will be stored under {where})"
    )


# --------------------------------------------------------------------------- HuBERT


def resolve_hubert(value: str | Path | None) -> Path | None:
    """A local HuBERT folder as is; a Hub id -> the cached folder with its config files."""
    if value is None or not is_hub_id(value):
        return None if value is None else Path(value)
    return fetch_hubert(RepoRef.parse(str(value)))


def fetch_hubert(ref: RepoRef) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            ref.repo_id, revision=ref.revision, allow_patterns=list(HUBERT_FILES)
        )
    except LocalEntryNotFoundError:
        raise _not_cached(ref, "HuBERT", "run once", Path(_constants().HF_HUB_CACHE)) from None
    except Exception as exc:  # huggingface_hub raises many kinds; all end the run the same way
        raise HubError(f"HuBERT {ref}: {_first_line(exc)}") from exc
    _verify_hubert(Path(folder), ref)
    return Path(folder)


def _verify_hubert(folder: Path, ref: RepoRef) -> None:
    config = folder / "config.json"
    try:
        model_type = json.loads(config.read_text()).get("model_type")
    except (OSError, ValueError) as exc:
        raise HubError(f"HuBERT {ref}: {config} is not a readable config ({exc})") from exc
    if model_type != "hubert":
        raise HubError(f"HuBERT {ref}: {config} describes a {model_type!r} model, not HuBERT")


def hubert_ref_for(wav2vec_path: str) -> RepoRef:
    """The Hub repository for args_posi.txt's `wav2vec_path` (a local folder name upstream)."""
    name = Path(wav2vec_path.rstrip("/")).name
    if name in KNOWN_HUBERTS:
        return RepoRef(KNOWN_HUBERTS[name])
    if _REPO_ID.match(wav2vec_path):
        return RepoRef(wav2vec_path)
    raise HubError(
        f"args_posi.txt names HuBERT {wav2vec_path!r}, which is not a known Hub model: "
        f"pass --hubert OWNER/NAME"
    )


# --------------------------------------------------------------------------- the experiment


@dataclass(frozen=True)
class RemoteFile:
    name: str  # path in the repository
    size: int | None
    sha256: str | None  # LFS files only


def resolve_checkpoint(
    value: str | Path,
    hubert: str | Path | None = None,
    progress: ProgressFn | None = None,
    stage: StageFn | None = None,
) -> Path:
    """A local folder as is; a Hub id -> our converted copy, downloading it the first time."""
    if not is_hub_id(value):
        return Path(value)
    return fetch_experiment(RepoRef.parse(str(value)), hubert, progress, stage)


def fetch_experiment(
    ref: RepoRef,
    hubert: str | Path | None = None,
    progress: ProgressFn | None = None,
    stage: StageFn | None = None,
) -> Path:
    """Our converted copy of the official experiment `ref` (downloaded once, then cached)."""
    cached = cached_conversion(ref)
    if cached is not None:
        return cached
    if _offline():
        raise _not_cached(
            ref, "S2C experiment", f"run `s2c download {ref}`", _repo_folder(ref.repo_id)
        )
    from huggingface_hub import HfApi

    stage = stage or (lambda name, message: None)
    stage("resolve", f"looking up {ref} on the Hub")
    try:
        info = HfApi().model_info(ref.repo_id, revision=ref.revision, files_metadata=True)
    except Exception as exc:  # repository/revision not found, gated, no network, ...
        raise HubError(f"{ref}: {_first_line(exc)}") from exc
    target = _repo_folder(ref.repo_id) / info.sha
    if not _is_converted(target):
        remote = {
            s.rfilename: RemoteFile(s.rfilename, s.size, s.lfs.sha256 if s.lfs else None)
            for s in info.siblings or []
        }
        files = experiment_files(remote, ref)
        local = _download(ref, info.sha, files, progress, stage)
        exp_dir = local[files[0].name].parent
        folder = files[0].name.removesuffix("args.txt")  # '' or 'a/b/' inside the repository
        hubert_dir = _hubert_for_experiment(folder, exp_dir, hubert, remote, ref, info.sha, stage)
        stage("convert", "converting to the S2C Hands format (once)")
        _convert(exp_dir, hubert_dir, target, ref, info.sha, files)
    _write_ref(ref, info.sha)
    return target


def experiment_files(remote: dict[str, RemoteFile], ref: RepoRef) -> list[RemoteFile]:
    """args.txt, args_posi.txt and per hand the checkpoint of the highest `iter=` (as
    eval.py picks) from the one folder of the repository that holds an experiment."""
    from .engines.s2c.official import checkpoint_iteration

    folders = sorted(
        {
            folder
            for name in remote
            if posixpath.basename(name) == "args.txt"
            and (folder := name.removesuffix("args.txt")) + "args_posi.txt" in remote
        }
    )
    if not folders:
        raise HubError(f"{ref}: no folder with args.txt and args_posi.txt (not an S2C experiment)")
    if len(folders) > 1:
        raise HubError(f"{ref}: several experiments ({', '.join(folders)}); cannot choose one")
    folder = folders[0]
    chosen = [remote[folder + "args.txt"], remote[folder + "args_posi.txt"]]
    for hand in ("left", "right"):
        pattern = re.compile(re.escape(folder) + rf"piano2pose-{hand}-[^/]*\.ckpt$")
        candidates = [name for name in remote if pattern.match(name)]
        if not candidates:
            raise HubError(f"{ref}: no {folder}piano2pose-{hand}-*.ckpt in the repository")
        chosen.append(remote[max(candidates, key=checkpoint_iteration)])
    return chosen


def _download(
    ref: RepoRef,
    commit: str,
    files: list[RemoteFile],
    progress: ProgressFn | None,
    stage: StageFn,
) -> dict[str, Path]:
    """Each file into the Hub cache (resuming partial downloads), checked against the listing."""
    from huggingface_hub import hf_hub_download

    total = sum(f.size or 0 for f in files)
    done = 0
    local = {}
    for file in files:
        stage("download", f"downloading {file.name} from {ref.repo_id}")
        try:
            path = Path(hf_hub_download(ref.repo_id, file.name, revision=commit))
        except Exception as exc:
            raise HubError(f"{ref}: downloading {file.name} failed ({_first_line(exc)})") from exc
        verify_file(path, file, ref)
        local[file.name] = path
        done += file.size or 0
        if progress is not None:
            progress(done, total, file.name)
    return local


def verify_file(path: Path, file: RemoteFile, ref: RepoRef) -> None:
    if file.size is not None and path.stat().st_size != file.size:
        raise HubError(
            f"{ref}: {file.name} has {path.stat().st_size} bytes, the Hub lists {file.size}"
        )
    if file.sha256 is not None:
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 24), b""):
                digest.update(block)
        if digest.hexdigest() != file.sha256:
            raise HubError(f"{ref}: {file.name} does not match the sha256 the Hub lists")


def _hubert_for_experiment(
    folder: str,
    exp_dir: Path,
    hubert: str | Path | None,
    remote: dict[str, RemoteFile],
    ref: RepoRef,
    commit: str,
    stage: StageFn,
) -> Path:
    """--hubert if given; else the folder args_posi.txt names: from this repository when it
    ships one there, else from its own Hub repository (`KNOWN_HUBERTS`)."""
    if hubert is not None:
        return resolve_hubert(hubert)
    posi = json.loads((exp_dir / "args_posi.txt").read_text())
    wav2vec_path = str(posi.get("wav2vec_path", "hubert-large-ls960-ft"))
    shipped = posixpath.normpath(folder + wav2vec_path)
    if f"{shipped}/config.json" in remote:
        from huggingface_hub import hf_hub_download

        names = [f"{shipped}/{name}" for name in HUBERT_FILES if f"{shipped}/{name}" in remote]
        paths = [hf_hub_download(ref.repo_id, name, revision=commit) for name in names]
        return Path(paths[0]).parent
    hubert_ref = hubert_ref_for(wav2vec_path)
    stage("download", f"fetching the HuBERT config of {hubert_ref}")
    return fetch_hubert(hubert_ref)


def _convert(
    exp_dir: Path,
    hubert_dir: Path,
    target: Path,
    ref: RepoRef,
    commit: str,
    files: list[RemoteFile],
) -> None:
    """Strict load of the official files, written to our format; the folder appears whole."""
    from .engines.s2c import S2C

    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    model = S2C.from_pretrained(exp_dir, hubert_path=hubert_dir)
    model.save_pretrained(staging)
    manifest = {
        "repo_id": ref.repo_id,
        "revision": ref.ref_name,
        "commit": commit,
        "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in files],
        "hubert": str(hubert_dir),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _write_ref(ref: RepoRef, commit: str) -> None:
    """Remember which commit a branch or tag pointed to, for offline runs."""
    if not _COMMIT.match(ref.ref_name):
        ref_file = _repo_folder(ref.repo_id) / "refs" / ref.ref_name
        ref_file.parent.mkdir(parents=True, exist_ok=True)
        ref_file.write_text(commit)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
