"""Hub ids through the real huggingface_hub client, without a network: a local HTTP server
(tests/fake_hub.py) serves a fake `thuteam/S2C` holding a tiny official experiment in a
sub-folder and a fake `facebook/hubert-large-ls960-ft`. `s2c download` runs in a subprocess
so that HF_ENDPOINT and HF_HOME are read by huggingface_hub as in real use; offline runs
patch the constants huggingface_hub derives from HF_HOME / HF_HUB_OFFLINE at import."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from huggingface_hub import constants

from s2c_core import hub
from s2c_core.cli import doctor_report, main
from s2c_core.engines.s2c import S2C
from s2c_core.motion import load_motion
from tests.engines.s2c.tiny_s2c import tiny_audio, tiny_inputs
from tests.fake_hub import HUBERT_COMMIT, S2C_COMMIT, FakeHub, fake_s2c_repos
from tests.python_module import run_s2c

ROOT = Path(__file__).resolve().parents[1]


def _cli(args: list[str], hf_home: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "HF_HOME": str(hf_home), "PYTHONPATH": str(ROOT), **env}
    environ.pop("HF_HUB_CACHE", None)
    return run_s2c(*args, env=environ)


@pytest.fixture(scope="module")
def downloaded(tmp_path_factory):
    """(HF_HOME after `s2c download --progress jsonl`, its events, the source model, requests)."""
    root = tmp_path_factory.mktemp("hub")
    repos, model = fake_s2c_repos(root / "repos")
    with FakeHub(repos) as server:
        run = _cli(["download", "thuteam/S2C@v1", "--progress", "jsonl"], root / "hf",
                   HF_ENDPOINT=server.endpoint)  # fmt: skip
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    return root / "hf", events, model, server.requests


@pytest.mark.slow  # a backend subprocess (torch import) and a conversion
def test_download_verifies_and_converts(downloaded):
    hf_home, events, source, requests = downloaded
    done = events[-1]
    assert done["event"] == "done" and done["repo"] == "thuteam/S2C@v1"
    folder = Path(done["output"])
    assert folder == hf_home / "s2c-hands" / "thuteam--S2C" / S2C_COMMIT
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json", "download.json", "model.safetensors"]  # fmt: skip
    progress = [e for e in events if e["event"] == "progress"]
    assert progress[-1]["done"] == progress[-1]["total"] > 0
    # the real client's requests: info, then HEAD + GET per file, only the HuBERT configs
    assert any("/resolve/" in r and "piano2pose-left" in r for r in requests)
    assert not any("hubert" in r and r.endswith(".safetensors") for r in requests)
    hub_cache = hf_home / "hub" / "models--thuteam--S2C" / "snapshots" / S2C_COMMIT
    assert (hub_cache / "logs" / "piano2pose_s2c" / "args.txt").is_file()

    converted = S2C.from_pretrained(folder)  # safetensors, the same numbers as the source
    x, t = tiny_inputs(2)
    with torch.no_grad():
        want = source.denoise(x, t, source.encode_audio(tiny_audio(2)))
        got = converted.denoise(x, t, converted.encode_audio(tiny_audio(2)))
    for hand in want:
        assert torch.equal(want[hand], got[hand])


@pytest.fixture
def hub_home(monkeypatch, tmp_path):
    """huggingface_hub's constants, as HF_HOME / HF_HUB_OFFLINE set them at import."""
    monkeypatch.setattr(constants, "HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return tmp_path / "hf"


def test_offline_and_not_cached_is_one_line_saying_what_and_where(hub_home):
    with pytest.raises(hub.HubError) as exc:
        hub.resolve_checkpoint("thuteam/S2C@v2")
    message = str(exc.value)
    assert "\n" not in message and "s2c download thuteam/S2C@v2" in message
    assert str(hub_home / "s2c-hands" / "thuteam--S2C") in message
    with pytest.raises(hub.HubError, match="HuBERT facebook/hubert-base-ls960 is not in"):
        hub.resolve_hubert("facebook/hubert-base-ls960")


@pytest.mark.slow  # shares the download fixture's subprocess
def test_offline_the_id_runs_from_the_converted_copy(downloaded, monkeypatch, tmp_path):
    hf_home = downloaded[0]
    monkeypatch.setattr(constants, "HF_HOME", str(hf_home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hf_home / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)  # as HF_HUB_OFFLINE=1 sets it
    hubert = hub.resolve_hubert("facebook/hubert-large-ls960-ft")  # from the Hub cache
    assert (hubert / "config.json").is_file() and hubert.name == HUBERT_COMMIT
    (line,) = doctor_report()["cached_models"]
    assert line.startswith("thuteam/S2C@v1 (aaaaaaaa): ") and line.endswith(S2C_COMMIT)
    assert hub.resolve_checkpoint("thuteam/S2C@v1") == Path(line.split(": ")[1])
    assert hub.resolve_checkpoint(f"thuteam/S2C@{S2C_COMMIT}") == Path(line.split(": ")[1])
    wav, out = tmp_path / "in.wav", tmp_path / "take.npz"
    sf.write(wav, (0.1 * np.random.default_rng(0).standard_normal(16_000)).astype(np.float32),
             16_000)  # fmt: skip
    assert main(["generate", str(wav), "--checkpoint", "thuteam/S2C@v1", "--steps", "2",
                 "--device", "cpu", "--out", str(out), "--progress", "none"]) == 0  # fmt: skip
    assert load_motion(out).metadata.extra["sampler"] == "dpm"


def test_local_paths_win_and_ids_parse(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thuteam" / "S2C").mkdir(parents=True)
    assert hub.resolve_checkpoint("thuteam/S2C") == Path("thuteam/S2C")  # a folder here
    assert hub.is_hub_id("facebook/hubert-large-ls960-ft")
    assert not hub.is_hub_id("./models/exp") and not hub.is_hub_id("/abs/olute")
    assert hub.RepoRef.parse("a/b@v1.0") == hub.RepoRef("a/b", "v1.0")
    with pytest.raises(hub.HubError, match="not a Hub repository id"):
        hub.RepoRef.parse("a/b@")
    assert hub.hubert_ref_for("./checkpoints/hubert-base-ls960").repo_id == (
        "facebook/hubert-base-ls960"
    )
    with pytest.raises(hub.HubError, match="pass --hubert"):
        hub.hubert_ref_for("./checkpoints/my-hubert")


def test_experiment_files_pick_the_latest_iteration_per_hand():
    names = ["README.md", "stage1/args.txt", "exp/args.txt", "exp/args_posi.txt",
             "exp/piano2pose-left-iter=9000-val_loss=0.1.ckpt",
             "exp/piano2pose-left-iter=609000-val_loss=0.2.ckpt",
             "exp/piano2pose-right-iter=609000-val_loss=0.3.ckpt"]  # fmt: skip
    remote = {name: hub.RemoteFile(name, 1, None) for name in names}
    chosen = [f.name for f in hub.experiment_files(remote, hub.RepoRef("thuteam/S2C"))]
    assert chosen == names[2:4] + names[5:7]  # stage1/ has no args_posi.txt: not stage 2
    del remote["exp/piano2pose-right-iter=609000-val_loss=0.3.ckpt"]
    with pytest.raises(hub.HubError, match="no exp/piano2pose-right-"):
        hub.experiment_files(remote, hub.RepoRef("thuteam/S2C"))


def test_a_corrupted_download_is_refused(tmp_path):
    path = tmp_path / "f.ckpt"
    path.write_bytes(b"abc")
    ref = hub.RepoRef("thuteam/S2C")
    with pytest.raises(hub.HubError, match="has 3 bytes, the Hub lists 4"):
        hub.verify_file(path, hub.RemoteFile("f.ckpt", 4, None), ref)
    with pytest.raises(hub.HubError, match="does not match the sha256"):
        hub.verify_file(path, hub.RemoteFile("f.ckpt", 3, "0" * 64), ref)
