"""Hand split and textbook fingering of the MIDI engine, per shared piece and stress family.

Prints, per shared MIDI file (../shared/data/midi) and per stress-corpus family
(s2c_core.evaluate.stress_corpus):
  split      notes given the hand their track is named for (target >= 95 % overall,
             >= 90 % per piece); notes of tracks naming no hand are left out
  textbook   with the tracks' hands, notes fingered as the textbooks accept (scales,
             arpeggios, chromatic runs, five-finger positions, broken triads, the
             Alberti bass; target >= 95 %)
  plan       seconds of music per second of compute for split + fingering alone
  subst      finger substitutions planned on held keys (engines/midi/substitution.py)
A piece whose tracks are known not to be the hands its score gives
(s2c_core/evaluate/score_hands.py) gets a second line: the split against the score's hands.
Shared pieces marked * informed the engine's parameters (tuning set); the others are
measured only.

Usage: python benchmarks/bench_split_fingering.py [--midi-dir DIR] [--stress-only]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from s2c_core.engines.midi.config import MidiEngineConfig  # noqa: E402
from s2c_core.engines.midi.engine import plan_notes  # noqa: E402
from s2c_core.evaluate.hand_scores import (  # noqa: E402
    fingering_score,
    piece_notes,
    shared_pieces,
    split_score,
)
from s2c_core.evaluate.score_hands import score_hands  # noqa: E402
from s2c_core.evaluate.stress_corpus import FAMILIES, stress_pieces  # noqa: E402
from s2c_core.music.keyboard import Keyboard  # noqa: E402

DEFAULT_MIDI_DIR = REPO.parent / "shared" / "data" / "midi"


def _rate(agree: float, total: float) -> str:
    return f"{agree / total:.1%}" if total else "n/a"


def _row(name: str, counts: dict[str, float]) -> str:
    split = _rate(counts["split_ok"], counts["split_n"])
    book = _rate(counts["book_ok"], counts["book_n"])
    speed = counts["music"] / counts["compute"] if counts["compute"] else 0.0
    subst = int(counts["substitutions"])
    return f"{name:<22}{int(counts['notes']):>7}{split:>9}{book:>10}{speed:>8.0f}x{subst:>7}"


def _measure(notes, accepted, config, counts: dict[str, float]) -> None:
    start = time.perf_counter()
    plan = plan_notes(notes, Keyboard(), config)
    counts["compute"] += time.perf_counter() - start
    counts["substitutions"] += len(plan.substitution_table())
    counts["music"] += notes.duration
    counts["notes"] += len(notes)
    agree, compared = split_score(notes, config)
    counts["split_ok"] += agree
    counts["split_n"] += compared
    if accepted is not None:
        agree, claimed = fingering_score(notes, accepted, config)
        counts["book_ok"] += agree
        counts["book_n"] += claimed


def _print_score_hands(name: str, notes, config: MidiEngineConfig) -> None:
    truth = score_hands(name, notes, config.chord_window)
    if truth is not None:
        agree, compared = split_score(notes, config, truth)
        print(f"{'  vs the score':<22}{compared:>7}{_rate(agree, compared):>9}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--midi-dir", type=Path, default=DEFAULT_MIDI_DIR)
    parser.add_argument("--stress-only", action="store_true")
    args = parser.parse_args(argv)
    config = MidiEngineConfig()
    header = f"{'':<22}{'notes':>7}{'split':>9}{'textbook':>10}{'plan':>9}{'subst':>7}"
    overall: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if not args.stress_only:
        print("shared pieces (* = tuning set)")
        print(header)
        for label, notes in shared_pieces(args.midi_dir):
            counts: dict[str, float] = defaultdict(float)
            _measure(notes, None, config, counts)
            print(_row(label, counts))
            _print_score_hands(label.strip("* "), notes, config)
            for key, value in counts.items():
                overall["shared"][key] += value
        print(_row("overall shared", overall["shared"]))
    print("stress corpus families")
    print(header)
    by_family: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for piece in stress_pieces():
        _measure(piece_notes(piece), piece.fingering, config, by_family[piece.family])
    for family in FAMILIES:
        print(_row(family, by_family[family]))
        for key, value in by_family[family].items():
            overall["stress"][key] += value
    print(_row("overall stress", overall["stress"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
