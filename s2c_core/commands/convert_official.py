"""`s2c convert-official EXP_DIR OUT_DIR` wiring; `s2c_core/cli.py` calls `register`.

The handler is stored as `args.handler(args) -> int` (exit status); its errors (naming the
file) are raised for `cli.main` to report as one line.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert-official",
        help="convert an official S2C experiment folder to the S2C Hands format",
        description="Read args.txt, args_posi.txt and piano2pose-{left,right}-*.ckpt from "
        "EXP_DIR (safely, without executing pickled code) and write config.json + "
        "model.safetensors to OUT_DIR.",
    )
    parser.add_argument("exp_dir", type=Path, metavar="EXP_DIR")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument(
        "--hubert",
        type=Path,
        default=None,
        metavar="DIR",
        help="hubert-large-ls960-ft folder (overrides wav2vec_path in args_posi.txt)",
    )
    parser.set_defaults(handler=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    from ..engines.s2c.convert import convert_official

    convert_official(args.exp_dir, args.out_dir, args.hubert)
    print(f"wrote {args.out_dir}")
    return 0
