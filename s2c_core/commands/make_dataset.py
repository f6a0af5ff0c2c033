"""`s2c make-dataset --from-midi DIR OUT` wiring; `s2c_core/cli.py` calls `register`."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "make-dataset",
        help="write a synthetic PianoMotion10M (official layout) from MIDI files",
        description="Render audio from every MIDI file in DIR and animate it with the MIDI "
        "engine; write OUT in the PianoMotion10M layout (annotation/, audio/, midi/, "
        "train/valid/test.txt), one video per MIDI file, split by video. OUT must not exist.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--from-midi", type=Path, required=True, metavar="DIR", dest="midi_dir")
    parser.add_argument("out", type=Path, metavar="OUT")
    parser.add_argument("--uploader", default="1467634", help="uploader id of every video")
    parser.add_argument("--seconds-per-sequence", type=float, default=20.0)
    parser.add_argument("--render", choices=("auto", "builtin", "fluidsynth"), default="auto")
    parser.add_argument("--valid-share", type=float, default=0.1, help="share of the videos")
    parser.add_argument("--test-share", type=float, default=0.1, help="share of the videos")
    parser.set_defaults(handler=run_make_dataset)


def run_make_dataset(args: argparse.Namespace) -> int:
    from ..data.synthetic import SyntheticOptions, make_dataset

    options = SyntheticOptions(
        uploader=args.uploader,
        seconds_per_sequence=args.seconds_per_sequence,
        render=args.render,
        valid_share=args.valid_share,
        test_share=args.test_share,
    )
    splits = make_dataset(
        args.midi_dir,
        args.out,
        options,
        progress=lambda done, total, message: print(f"[{done}/{total}] {message}"),
    )
    counts = ", ".join(f"{split} {len(bvs)}" for split, bvs in splits.items())
    print(f"wrote {args.out} (videos: {counts})")
    return 0
