"""A Hugging Face Hub stand-in on localhost: the endpoints huggingface_hub calls to look up a
model repository and download its files, served from folders on disk (threading
http.server). Point the client at it with HF_ENDPOINT."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

LFS_SUFFIXES = (".ckpt", ".safetensors", ".bin")
S2C_COMMIT, HUBERT_COMMIT = "a" * 40, "b" * 40


@dataclass
class FakeRepo:
    folder: Path
    commit: str
    revisions: tuple[str, ...] = ("main",)

    def files(self) -> dict[str, Path]:
        return {
            p.relative_to(self.folder).as_posix(): p
            for p in sorted(self.folder.rglob("*"))
            if p.is_file()
        }


def _git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _sibling(name: str, path: Path) -> dict:
    data = path.read_bytes()
    entry = {"rfilename": name, "size": len(data), "blobId": _git_blob_sha(data)}
    if name.endswith(LFS_SUFFIXES):
        sha = hashlib.sha256(data).hexdigest()
        entry["lfs"] = {"sha256": sha, "size": len(data), "pointerSize": 134}
    return entry


def _tree_entry(name: str, path: Path) -> dict:
    sibling = _sibling(name, path)
    entry = {"type": "file", "path": name, "size": sibling["size"], "oid": sibling["blobId"]}
    if "lfs" in sibling:
        lfs = sibling["lfs"]
        entry["lfs"] = {"oid": lfs["sha256"], "size": lfs["size"], "pointerSize": 134}
    return entry


@dataclass
class FakeHub:
    repos: dict[str, FakeRepo]
    requests: list[str] = field(default_factory=list)

    def __enter__(self) -> FakeHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                hub._serve(self, body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                hub._serve(self, body=False)

            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _find(self, parts: list[str]) -> tuple[FakeRepo | None, list[str]]:
        repo_id = "/".join(parts[:2])
        return self.repos.get(repo_id), parts[2:]

    def _serve(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        url = urlparse(handler.path)
        self.requests.append(f"{handler.command} {url.path}")
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        if parts[:2] == ["api", "models"]:
            repo, rest = self._find(parts[2:])
            revision = rest[1] if rest[:1] in (["revision"], ["tree"]) else "main"
            if repo is None:
                return _error(handler, 404, "RepoNotFound")
            if revision not in (*repo.revisions, repo.commit):
                return _error(handler, 404, "RevisionNotFound")
            if rest[:1] == ["tree"]:  # one page: every file (the client asks recursively)
                tree = [_tree_entry(n, p) for n, p in repo.files().items()]
                return _send(handler, 200, json.dumps(tree).encode(), "application/json", body)
            info = {
                "id": "/".join(parts[2:4]),
                "modelId": "/".join(parts[2:4]),
                "sha": repo.commit,
                "private": False,
                "siblings": [_sibling(n, p) for n, p in repo.files().items()],
            }
            return _send(handler, 200, json.dumps(info).encode(), "application/json", body)
        repo, rest = self._find(parts)
        if repo is None or rest[:1] != ["resolve"]:
            return _error(handler, 404, "RepoNotFound")
        revision, name = rest[1], "/".join(rest[2:])
        path = repo.files().get(name)
        if revision not in (*repo.revisions, repo.commit) or path is None:
            return _error(handler, 404, "EntryNotFound")
        data = path.read_bytes()
        sibling = _sibling(name, path)
        etag = sibling["lfs"]["sha256"] if "lfs" in sibling else sibling["blobId"]
        headers = {"X-Repo-Commit": repo.commit, "ETag": f'"{etag}"'}
        return _send(handler, 200, data, "application/octet-stream", body, headers)


def _send(handler, status, data, kind, body, headers=None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if body:
        handler.wfile.write(data)


def _error(handler, status: int, code: str) -> None:
    data = json.dumps({"error": code}).encode()
    _send(handler, status, data, "application/json", True, {"X-Error-Code": code})


def fake_s2c_repos(root: Path) -> tuple[dict[str, FakeRepo], object]:
    """A fake `thuteam/S2C` (a tiny official experiment under logs/, naming HuBERT as the
    release does, by a local folder) and `facebook/hubert-large-ls960-ft` (its configs);
    returns the repositories and the S2C model the experiment holds."""
    from tests.engines.s2c.tiny_s2c import write_tiny_official

    exp = root / "s2c" / "logs" / "piano2pose_s2c"
    model = write_tiny_official(exp)
    (exp / "hubert").rename(root / "hubert")
    posi = json.loads((exp / "args_posi.txt").read_text())
    posi["wav2vec_path"] = "./checkpoints/hubert-large-ls960-ft"
    (exp / "args_posi.txt").write_text(json.dumps(posi))
    (root / "hubert" / "model.safetensors").unlink()  # only the configs are fetched
    (root / "hubert" / "preprocessor_config.json").write_text('{"do_normalize": true}')
    repos = {
        "thuteam/S2C": FakeRepo(root / "s2c", S2C_COMMIT, ("main", "v1")),
        "facebook/hubert-large-ls960-ft": FakeRepo(root / "hubert", HUBERT_COMMIT),
    }
    return repos, model
