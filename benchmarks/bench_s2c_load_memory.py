"""Peak RSS of `S2C.from_pretrained` on a full-size official checkpoint pair, as a ratio of
the pair's size on disk (issue 4 asks for <= ~1.2x).

Writes random full-size official checkpoints (~2.9 GB per hand, official key layout, real
schedule buffers) to a temp folder under /tmp, loads them in a fresh subprocess, measures
peak RSS right after loading and again after one `encode_audio` + one `denoise` call on an
8 s window (which touches every weight), then deletes the folder.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_s2c_load_memory.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from s2c_core.engines.s2c import S2C, S2CConfig
from s2c_core.engines.s2c.config import HANDS, hubert_large_config
from s2c_core.engines.s2c.official_export import official_state_dict, write_official_args

CHILD = """
import json, resource, sys, time, torch
from s2c_core.engines.s2c import S2C
def peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.time()
model = S2C.from_pretrained(sys.argv[1])
after_load, load_s = peak_bytes(), time.time() - start
with torch.no_grad():
    cond = model.encode_audio(torch.randn(1, 128000))
    x = {h: torch.randn(1, 48, 240) for h in ("left", "right")}
    model.denoise(x, torch.tensor([999]), cond)
print(json.dumps({"after_load": after_load, "after_forward": peak_bytes(), "load_s": load_s}))
"""


def write_random_official(exp_dir: Path) -> int:
    """Full-size official experiment with random weights; returns checkpoint bytes."""
    config = S2CConfig(hubert=hubert_large_config().to_dict())
    with torch.device("meta"):
        model = S2C(config)
    hubert_dir = exp_dir / "hubert-large-ls960-ft"
    hubert_dir.mkdir(parents=True)
    hubert_large_config().to_json_file(hubert_dir / "config.json")
    write_official_args(exp_dir, config, hubert_dir.name)
    total = 0
    for hand in HANDS:
        state = {
            key: value if not value.is_meta else torch.randn(value.shape) * 0.02
            for key, value in official_state_dict(model.hands[hand], model.schedule).items()
        }
        path = exp_dir / f"piano2pose-{hand}-iter=609000-val_loss=0.0000000000000000.ckpt"
        torch.save({"state_dict": state, "hyper_parameters": argparse.Namespace()}, path)
        del state
        total += path.stat().st_size
    return total


def main() -> None:
    exp_dir = Path(tempfile.mkdtemp(prefix="s2c_bench_", dir="/tmp"))
    try:
        start = time.time()
        ckpt_bytes = write_random_official(exp_dir)
        print(f"wrote {ckpt_bytes / 1e9:.2f} GB of checkpoints in {time.time() - start:.0f} s")
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(exp_dir)], check=True, capture_output=True, text=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(exp_dir, ignore_errors=True)
    print(f"load time {result['load_s']:.1f} s")
    for stage in ("after_load", "after_forward"):
        peak = result[stage]
        print(f"peak RSS {stage}: {peak / 1e9:.2f} GB = {peak / ckpt_bytes:.3f}x checkpoint size")


if __name__ == "__main__":
    main()
