"""Does Savitzky-Golay (5, 2) smoothing of S2C output help? Jitter and key contact, with and
without `--smooth`, on the same take.

Runs `generate` (S2C engine, rendered MIDI, contact refinement on) on a MIDI file with the
official-code fixture experiment (random weights in the official layout, see
../shared/reference/fixtures/s2c_official_small/README.md) or any checkpoint, once with
smoothing and once without, same seed. Prints per hand the jitter (mean joint jerk, m/s^3,
evaluate/scoring.py) and the key contact after refinement, and their ratios.

  python benchmarks/bench_s2c_smoothing.py [--checkpoint DIR] [--midi FILE] [--seeds N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from s2c_core.evaluate.scoring import jitter
from s2c_core.pipeline import GenerateOptions, generate

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT.parent / "shared" / "reference" / "fixtures" / "s2c_official_small"


def measure(midi: Path, checkpoint: Path, smooth: bool, seed: int) -> dict[str, float]:
    options = GenerateOptions(
        engine="s2c", checkpoint=checkpoint, sampler="dpm", steps=20, device="cpu",
        seed=seed, smooth=smooth,
    )  # fmt: skip
    motion = generate(midi, options)
    scores = {f"jitter_{hand}": jitter(motion, hand) for hand in ("left", "right")}
    contact = motion.metadata.extra["key_contact"]
    return {**scores, "contact_before": contact["before"], "contact_after": contact["after"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=FIXTURE)
    parser.add_argument("--midi", type=Path, default=ROOT / "assets" / "example.mid")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    runs = {
        smooth: [measure(args.midi, args.checkpoint, smooth, seed) for seed in range(args.seeds)]
        for smooth in (False, True)
    }
    print(f"{args.midi.name}, {args.checkpoint.name}, {args.seeds} seeds, DPM 20 steps")
    for key in runs[False][0]:
        off = float(np.mean([r[key] for r in runs[False]]))
        on = float(np.mean([r[key] for r in runs[True]]))
        ratio = f"{on / off:6.3f}" if off else "   n/a"
        print(f"{key:15s} off {off:10.4f}  on {on:10.4f}  on/off {ratio}")


if __name__ == "__main__":
    main()
