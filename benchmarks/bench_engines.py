"""Compare the engines on the synthetic validation split: MIDI engine vs S2C.

Steps (each skipped when its result is given):
  1. the synthetic PianoMotion10M (`make_dataset`, what `s2c make-dataset --from-midi`
     writes: 20 s sequences, split by piece) from the first --files pieces of the shared MIDI
     set; --data-root uses one already built;
  2. a tiny S2C trained briefly on its train split with the training code (stage 1, then
     stage 2, --train-steps each, lr 1e-3 instead of the paper's 2e-5/1e-5 so that a few
     hundred CPU steps move it); HuBERT is a tiny random one unless --hubert names a real
     hubert-large-ls960-ft folder; --checkpoint uses trained weights instead;
  3. `s2c evaluate` on the valid split (both engines on the same windows, same metrics);
     the comparison table is printed and the report written to WORK/report.json (+ .md).

Usage: python benchmarks/bench_engines.py [--data-root DIR | --files 4] [--checkpoint DIR |
       --train-steps 200 [--hubert DIR]] [--runs 3] [--sampler dpm] [--steps 20]
       [--limit N] [--device auto] [--work DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from s2c_core.data.synthetic import SyntheticOptions, make_dataset  # noqa: E402
from s2c_core.evaluate.report import comparison_table, write_report  # noqa: E402
from s2c_core.evaluate.runner import EvalOptions, EvaluationError, evaluate  # noqa: E402

SHARED_MIDI = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "midi"
TINY = {"feature_dim": 32, "num_layer": 1, "unet_dim": 32, "unet_layers": 1}
TRAIN_LR = 1e-3


def build_dataset(files: int, work: Path) -> Path:
    """The synthetic set from the first `files` shared pieces (reused when already built)."""
    out = work / f"synthetic_{files}"
    if out.is_dir():
        print(f"reusing {out}")
        return out
    pieces = work / f"midi_{files}"
    pieces.mkdir(parents=True, exist_ok=True)
    for path in sorted(SHARED_MIDI.glob("*.mid"))[:files]:
        (pieces / path.name).write_bytes(path.read_bytes())
    start = time.perf_counter()
    make_dataset(pieces, out, SyntheticOptions())
    print(f"built {out} from {files} pieces in {time.perf_counter() - start:.0f} s")
    return out


def tiny_hubert(folder: Path) -> Path:
    """A random tiny HuBERT (the tests' configuration): no pretrained one is needed."""
    from transformers import HubertModel

    from tests.engines.s2c.tiny_s2c import tiny_hubert_config

    HubertModel(tiny_hubert_config()).save_pretrained(folder)
    return folder


def train_tiny(root: Path, work: Path, steps: int, hubert: Path | None, device: str) -> Path:
    """Stage 1 then stage 2 of a tiny S2C; returns stage 2's best checkpoint."""
    from s2c_core.train.config import GestureTrainConfig, PositionTrainConfig
    from s2c_core.train.gesture import train_gesture
    from s2c_core.train.position import train_position

    run = work / f"train_{steps}"
    common = {
        "data_root": root, "iterations": steps, "val_every": max(steps // 4, 1),
        "save_every": steps, "workers": 0, "batch_size": 4,
        "val_sequences": 16, "val_batch_size": 4, "lr": TRAIN_LR, "device": device,
    }  # fmt: skip
    start = time.perf_counter()
    hubert = hubert or tiny_hubert(run / "hubert")
    stage1 = train_position(
        PositionTrainConfig(out_dir=run / "position", hubert=hubert, **TINY, **common)
    )
    stage2 = train_gesture(
        GestureTrainConfig(
            out_dir=run / "gesture", stage1=run / "position" / "best", export_official=False,
            **common,
        )
    )  # fmt: skip
    for name, result in (("stage 1", stage1), ("stage 2", stage2)):
        first, last = result.val_loss[0], result.val_loss[steps]
        print(f"{name}: validation loss {first:.4f} -> {last:.4f} (best at {result.best_step})")
    print(f"trained {steps} + {steps} steps in {time.perf_counter() - start:.0f} s")
    return run / "gesture" / "best"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, help="a synthetic set already built")
    parser.add_argument("--files", type=int, default=4, help="shared pieces to build from")
    parser.add_argument("--checkpoint", type=Path, help="S2C weights to use instead of training")
    parser.add_argument("--train-steps", type=int, default=200, help="steps per stage")
    parser.add_argument("--hubert", type=Path, help="real HuBERT folder for training")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sampler", choices=("ddpm", "ddim", "dpm"), default="dpm")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--limit", type=int, help="only the first N windows")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--work", type=Path, default=REPO / "out" / "bench_engines")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    root = args.data_root or build_dataset(args.files, args.work)
    checkpoint = args.checkpoint or train_tiny(
        root, args.work, args.train_steps, args.hubert, args.device
    )
    options = EvalOptions(
        runs=args.runs, sampler=args.sampler, steps=args.steps, device=args.device,
        limit=args.limit,
    )  # fmt: skip
    start = time.perf_counter()
    try:
        report = evaluate(checkpoint, root, "valid", options, print)
    except EvaluationError as exc:
        print(f"bench_engines: error: {exc}", file=sys.stderr)
        return 1
    write_report(report, args.work / "report.json")
    print(f"evaluated in {time.perf_counter() - start:.0f} s; report in {args.work}\n")
    print(comparison_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
