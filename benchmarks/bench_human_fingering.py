"""The MIDI engine's hands and fingers against fingerings human pianists wrote.

Reads every PIG-format fingering file (`*_fingering.txt`, s2c_core.evaluate.human_fingering:
the format of the PIG dataset, Nakamura, Saito & Yoshii 2020) in FOLDER and prints per file
and pooled:
  hand          notes the engine gives the annotator's hand
  match         notes the engine gives the annotator's hand and finger, splitting on its own
                (the issue's "finger choice, the hand counted too")
  finger_match  notes given the annotator's finger when the engine is told the hands
Where one piece has several annotators' files, each file counts as one fingering.

The PIG dataset itself is free for research but licence-gated, so it is not in this
repository and cannot be downloaded on the development machines: without a folder that
holds such files the script says so and measures nothing.

Usage: python benchmarks/bench_human_fingering.py [FOLDER]
       (default ../shared/data/fingering)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from s2c_core.evaluate.human_fingering import Agreement, agreement, read_pig  # noqa: E402
from s2c_core.music.midi import MidiReadError  # noqa: E402

DEFAULT_FOLDER = REPO.parent / "shared" / "data" / "fingering"


def _row(name: str, scores: Agreement) -> str:
    rates = (scores.hand, scores.match, scores.finger_match)
    return f"{name:<28}{scores.notes:>7}" + "".join(f"{r / scores.notes:>14.1%}" for r in rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    paths = sorted(args.folder.glob("*_fingering.txt")) if args.folder.is_dir() else []
    if not paths:
        print(f"{args.folder}: no PIG-format *_fingering.txt files; nothing measured")
        return 0
    try:  # every file read before anything is printed: a bad one stops the run in one line
        fingerings = [read_pig(path) for path in paths]
    except MidiReadError as exc:
        print(f"bench_human_fingering: {exc}", file=sys.stderr)
        return 1
    print(f"{'file':<28}{'notes':>7}{'hand':>14}{'match':>14}{'finger_match':>14}")
    pooled = Agreement(0, 0, 0, 0)
    for path, human in zip(paths, fingerings, strict=True):
        scores = agreement(human)
        print(_row(path.stem.removesuffix("_fingering"), scores))
        pooled = pooled + scores
    print(_row("pooled", pooled))
    return 0


if __name__ == "__main__":
    sys.exit(main())
