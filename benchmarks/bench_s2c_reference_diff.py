"""How much each way our default S2C differs from the reference moves the output, measured on
the official-code fixture (../shared/reference/fixtures/s2c_official_small/, random weights
in the official layout, the reference's own 1000-step sample in expected.npz).

Starts from the configuration that reproduces the fixture (eval mode, causal mask at batch 1,
one starting noise for both hands, torch.manual_seed(7) stream, DDPM-1000, float32) and flips
one thing at a time to our default, printing the largest absolute change of the sampled
poses (normalised: x pi for radians) and of the stage-1 wrist positions (normalised). The
numbers feed the table in docs/s2c_engine.md. Takes a few minutes on one CPU thread.

  python benchmarks/bench_s2c_reference_diff.py
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from s2c_core.engines.s2c import S2C, CompatConfig
from s2c_core.engines.s2c.ode_samplers import select_sampler
from s2c_core.engines.s2c.smoothing import savgol_smooth

FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "fixtures"
FIXTURE = FIXTURE / "s2c_official_small"
HANDS = ("left", "right")
REFERENCE = CompatConfig(
    batch_joint_normalisation=True, causal_mask="batch1", shared_initial_noise=True
)


def run(compat: CompatConfig, audio: np.ndarray, sampler=None) -> dict[str, np.ndarray]:
    model = S2C.from_pretrained(FIXTURE, compat=compat)
    with torch.random.fork_rng():
        torch.manual_seed(7)
        cond = model.encode_audio(torch.from_numpy(audio))
        kwargs = {} if sampler is None else {"sampler": sampler}
        sample = model.sample(cond, generator=None, **kwargs)
    out = {f"pose_{h}": sample[h].numpy() for h in HANDS}
    return out | {f"position_{h}": cond.position[h].numpy() for h in HANDS}


def gap(a: dict, b: dict, kind: str) -> float:
    return max(float(np.abs(a[f"{kind}_{h}"] - b[f"{kind}_{h}"]).max()) for h in HANDS)


def rms_gap(a: dict, b: dict, kind: str) -> float:
    return max(float(np.sqrt(np.mean((a[f"{kind}_{h}"] - b[f"{kind}_{h}"]) ** 2))) for h in HANDS)


def main() -> None:
    torch.set_num_threads(1)
    inputs, expected = np.load(FIXTURE / "inputs.npz"), np.load(FIXTURE / "expected.npz")
    audio1 = inputs["audio1"]
    base = run(REFERENCE, audio1)
    fixture = {f"pose_{h}": expected[f"sample1_{h}"] for h in HANDS}
    fixture |= {f"position_{h}": expected[f"position1_{h}"] for h in HANDS}
    rows = [("reference setting vs expected.npz", base, fixture)]
    flips = {
        "no causal mask at batch 1": dataclasses.replace(REFERENCE, causal_mask="never"),
        "dropout on (reference) vs off": dataclasses.replace(REFERENCE, dropout_at_inference=True),
        "independent starting noise": dataclasses.replace(REFERENCE, shared_initial_noise=False),
    }
    for name, compat in flips.items():
        rows.append((name, run(compat, audio1), base))
    rows.append(("DPM-Solver++ 20 steps", run(REFERENCE, audio1, select_sampler("dpm", 20)), base))
    smoothed = {
        k: savgol_smooth(v[0].T).T[None] if k.startswith("pose") else v for k, v in base.items()
    }
    rows.append(("savgol (5, 2) on the poses", smoothed, base))
    rms = max(float(np.sqrt(np.mean(base[f"pose_{h}"] ** 2))) for h in HANDS)
    print(f"RMS of the reference sample: {rms:.3f}")
    header = f"{'max|d pose|':>12s} {'rms d pose':>11s} {'max|d xyz|':>11s}"
    print(f"{'change (one at a time)':40s} {header}")
    for name, ours, theirs in rows:
        pose, pose_rms = gap(ours, theirs, "pose"), rms_gap(ours, theirs, "pose")
        print(f"{name:40s} {pose:12.2e} {pose_rms:11.2e} {gap(ours, theirs, 'position'):11.2e}")
    # per-clip vs batch-joint normalisation only matters for batches > 1: the fixture's batch 2
    batch = inputs["audio"]
    joint = S2C.from_pretrained(FIXTURE, compat=REFERENCE).encode_audio(torch.from_numpy(batch))
    clip = S2C.from_pretrained(FIXTURE).encode_audio(torch.from_numpy(batch))
    d = max(float((joint.position[h] - clip.position[h]).abs().max()) for h in HANDS)
    print(f"{'per-clip normalisation (batch 2)':40s} {'-':>12s} {'-':>11s} {d:11.2e}")


if __name__ == "__main__":
    main()
