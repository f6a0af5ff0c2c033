"""`s2c evaluate CHECKPOINT --data-root DIR --split valid|test` wiring; `s2c_core/cli.py`
calls `register`.

The handler is stored as `args.handler(args) -> int` (exit status); its errors (naming the
file or folder) are raised for `cli.main` to report as one line. torch loads inside the
handler only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..pipeline import DEVICES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score an S2C checkpoint and the MIDI engine on a PianoMotion10M split",
        description="Reference metrics (per-hand FID, WGD, PD, Smoothness; FGD with "
        "--autoencoder) as the mean over R stochastic runs and the best run, plus key "
        "contact and jitter, for S2C and for the MIDI engine on the same 8 s windows. "
        "Writes a JSON report and a Markdown twin beside it.",
    )
    parser.add_argument(
        "checkpoint",
        type=Path,
        metavar="CHECKPOINT",
        help="an official experiment folder, one of ours, or a Hub id (see s2c download)",
    )
    parser.add_argument(
        "--data-root",
        type=Path,
        required=True,
        metavar="DIR",
        help="a PianoMotion10M-layout folder (train/valid/test.txt, ...)",
    )
    parser.add_argument(
        "--split",
        choices=("valid", "test"),
        default="test",
        help="default: test, as the reference's eval.py",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=10,
        help="stochastic sampling runs (default: 10, the reference's)",
    )
    parser.add_argument(
        "--sampler",
        choices=("ddpm", "ddim", "dpm"),
        default="ddpm",
        help="ddpm: the reference's 1000 steps (default); dpm/ddim for speed",
    )
    parser.add_argument("--steps", type=int, help="network evaluations for ddim/dpm")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=64,
        help="windows per batch (default: 64, the reference's)",
    )
    parser.add_argument(
        "--autoencoder",
        type=Path,
        metavar="FILE",
        help="gesture_autoencoder_checkpoint_best.bin, for FGD",
    )
    parser.add_argument(
        "--hubert",
        type=Path,
        metavar="DIR",
        help="HuBERT folder, overriding the one in args_posi.txt",
    )
    parser.add_argument(
        "--reference-compat",
        action="store_true",
        help="mimic the released code's inference quirks (dropout on, ...)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("report.json"),
        help="JSON report; the Markdown goes beside it as .md",
    )
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N windows")
    parser.add_argument("--seed", type=int, default=0, help="run r samples with seed + r")
    parser.set_defaults(handler=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    from ..evaluate.report import markdown_path, write_report
    from ..evaluate.runner import EvalOptions, evaluate
    from ..hub import resolve_checkpoint
    from ..outputs import check_writable

    options = EvalOptions(
        runs=args.runs,
        sampler=args.sampler,
        steps=args.steps,
        batch_size=args.batch_size,
        seed=args.seed,
        device=args.device,
        limit=args.limit,
        autoencoder=args.autoencoder,
        hubert=args.hubert,
        reference_compat=args.reference_compat,
    )
    for path in (args.out, markdown_path(args.out)):  # fail before a long run, not after
        check_writable(path, overwrite=True)
    checkpoint = resolve_checkpoint(args.checkpoint, args.hubert)
    report = evaluate(checkpoint, args.data_root, args.split, options, _progress)
    md = write_report(report, args.out)
    print(md.read_text(), end="")
    print(f"wrote {args.out} and {md}")
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
