"""Folk melodies fingered by one hand: does the fingering keep its hand positions?

Melodies from the Essen folk song collection as music21's corpus ships it (8,504 tunes of
12 notes or more; music21 is a PyPI package, BSD licence, and not a project dependency),
each played alone by the right hand as written and by the left hand two octaves lower, a
quarter note lasting 0.5 s. Printed per part and hand (s2c_core.evaluate.melody_positions):
  breaks     consecutive notes inside a stretch that fits one five-finger position (five
             notes or more within a fifth) fingered against it: another finger on the key
             just struck, one finger on two keys, or fingers crossing
  crossings  thumb passes and crossings per 100 notes, anywhere
  fifths     notes of stretches spanning exactly a fifth on five keys on the finger that
             position forces (1-5 from the lowest key, right hand; 5-1, left hand)
Two parts of 200 tunes: "tuning", every 20th tune from the first, which informed the
fingering's position rules (session 15), and "held-out", every 20th from the eleventh,
measured only.

    pip install music21     # only to write the melodies once
    python benchmarks/bench_melody_fingering.py --extract melodies.json
    python benchmarks/bench_melody_fingering.py melodies.json

Without the file (default ../shared/data/melodies.json) it says so and measures nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from s2c_core.engines.midi.config import MidiEngineConfig  # noqa: E402
from s2c_core.engines.midi.fingering import assign_fingers  # noqa: E402
from s2c_core.engines.midi.groups import onset_groups  # noqa: E402
from s2c_core.evaluate.melody_positions import PositionScores, score_melody  # noqa: E402

QUARTER = 0.5  # s
PARTS = {"tuning": 0, "held-out": 10}  # every 20th tune from this index
STRIDE, TUNES = 20, 200
HANDS = {"right": 0, "left": -24}  # transposition in semitones
DEFAULT_FILE = REPO.parent / "shared" / "data" / "melodies.json"


def extract(out: Path) -> None:
    """Write every Essen tune of 12 notes or more: name, MIDI pitches, onsets and lengths
    in quarter notes."""
    from music21 import corpus, note  # imported here: only extraction needs it

    tunes = []
    for path in sorted(corpus.getComposer("essenFolksong")):
        opus = corpus.parse(path)
        for k, score in enumerate(getattr(opus, "scores", [opus])):
            notes = [n for n in score.flatten().notes if isinstance(n, note.Note)]
            if len(notes) >= 12:
                tunes.append({
                    "name": f"{path.stem}_{k}",
                    "pitch": [n.pitch.midi for n in notes],
                    "onset": [float(n.getOffsetInHierarchy(score)) for n in notes],
                    "length": [float(n.quarterLength) for n in notes],
                })  # fmt: skip
    out.write_text(json.dumps(tunes))
    print(f"{out}: {len(tunes)} tunes")


def fingered(tune: dict, side: str) -> PositionScores:
    pitch = np.array(tune["pitch"]) + HANDS[side]
    onset = np.array(tune["onset"]) * QUARTER
    offset = onset + 0.95 * QUARTER * np.array(tune["length"])
    group = onset_groups(onset, pitch, MidiEngineConfig().chord_window)
    finger = assign_fingers(pitch, onset, offset, group, side)
    return score_melody(pitch, finger, side)


def _row(name: str, s: PositionScores) -> str:
    breaks = s.breaks / max(s.in_position, 1)
    crossings = 100 * s.crossings / max(s.notes, 1)
    fifths = s.forced_kept / max(s.forced, 1)
    return f"{name:<18}{s.notes:>8}{breaks:>10.1%}{crossings:>12.1f}{fifths:>9.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("melodies", type=Path, nargs="?", default=DEFAULT_FILE,
                        help="JSON file of melodies (see --extract)")  # fmt: skip
    parser.add_argument("--extract", action="store_true", help="write it from music21 first")
    args = parser.parse_args(argv)
    if args.extract:
        extract(args.melodies)
        return 0
    if not args.melodies.exists():
        print(f"{args.melodies}: no melodies (write them with --extract, which needs music21);"
              " nothing measured")  # fmt: skip
        return 0
    try:
        tunes = json.loads(args.melodies.read_text())
    except (OSError, ValueError) as exc:
        print(f"bench_melody_fingering: {args.melodies}: {exc}", file=sys.stderr)
        return 1
    print(f"{'part / hand':<18}{'notes':>8}{'breaks':>10}{'crossings':>12}{'fifths':>9}")
    for part, first in PARTS.items():
        chosen = tunes[first::STRIDE][:TUNES]
        pooled = PositionScores()
        for side in HANDS:
            scores = sum((fingered(tune, side) for tune in chosen), PositionScores())
            print(_row(f"{part} {side}", scores))
            pooled = pooled + scores
        print(_row(f"{part} both", pooled))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
