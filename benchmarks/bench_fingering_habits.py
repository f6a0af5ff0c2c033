"""Fingering habits a pianist would stop at, per piece, with the engine's own split.

Per MIDI file of each folder given with --midi-dir (by default ../shared/data/midi; e.g.
also the development scores benchmarks/score_devset.py writes), then per fresh texture
family (s2c_core.evaluate.fresh_patterns, seeds 100-103 unless --fresh-seeds says
otherwise; none skips them), counted by s2c_core.evaluate.fingering_habits over
consecutive single notes of one hand within 0.25 s:
  pairs      such note pairs on two different keys
  same       one finger on both keys
  uncomf     a finger pair outside Parncutt et al.'s comfortable range (thumb passes aside)
  imprac     ... outside the practical range
  returns    a thumb passing straight back under a finger that crossed over it, stepwise
             towards the thumb on a white key (B4-A4-G4 as 1-2-1)
  rolls      chords the file rolls note by note, and how many are fingered out of order
Lower is better for all but pairs and rolls. Shared pieces marked * informed the engine's
parameters (tuning set).

Usage: python benchmarks/bench_fingering_habits.py [--midi-dir DIR]...
           [--fresh-seeds FIRST-LAST|SEED|none]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from s2c_core.engines.midi.config import MidiEngineConfig  # noqa: E402
from s2c_core.engines.midi.engine import plan_notes  # noqa: E402
from s2c_core.evaluate import fresh_patterns  # noqa: E402
from s2c_core.evaluate.fingering_habits import HabitCounts, hand_habits  # noqa: E402
from s2c_core.evaluate.hand_scores import piece_notes, shared_pieces  # noqa: E402
from s2c_core.motion import HANDS  # noqa: E402
from s2c_core.music.keyboard import Keyboard  # noqa: E402
from s2c_core.music.midi import MidiNotes  # noqa: E402

DEFAULT_MIDI_DIR = REPO.parent / "shared" / "data" / "midi"
HEADER = (f"{'':<26}{'notes':>7}{'pairs':>7}{'same':>6}{'uncomf':>8}{'imprac':>8}"
          f"{'returns':>9}{'rolls':>9}")  # fmt: skip


def piece_habits(notes: MidiNotes, config: MidiEngineConfig) -> HabitCounts:
    """Both hands' habits with the engine's split and fingering, at the file's onsets (a
    chord the engine rolls because no hand grips it is fingered, and counted, as a chord)."""
    plan = plan_notes(notes, Keyboard(), config)
    total = HabitCounts()
    for index, side in enumerate(HANDS):
        mine = plan.hand == index
        total += hand_habits(notes.pitch[mine], notes.onset[mine], plan.finger[mine], side)
    return total


def row(name: str, notes: int, counts: HabitCounts) -> str:
    rolls = f"{counts.rolls_out_of_order}/{counts.rolls}"
    return (f"{name:<26}{notes:>7}{counts.pairs:>7}{counts.same_finger:>6}"
            f"{counts.uncomfortable:>8}{counts.impractical:>8}{counts.thumb_returns:>9}"
            f"{rolls:>9}")  # fmt: skip


def _fresh(seeds: range, config: MidiEngineConfig) -> tuple[HabitCounts, int]:
    """Print the fresh textures of `seeds` per family; return their pooled counts and notes."""
    print(f"fresh textures, seeds {seeds.start}-{seeds.stop - 1}")
    print(HEADER)
    families: dict[str, tuple[HabitCounts, int]] = defaultdict(lambda: (HabitCounts(), 0))
    for seed in seeds:
        for piece in fresh_patterns.fresh_pieces(seed):
            notes = piece_notes(piece)
            counts, count = families[piece.family]
            families[piece.family] = (counts + piece_habits(notes, config), count + len(notes))
    total, count = HabitCounts(), 0
    for family in fresh_patterns.FAMILIES:
        counts, notes = families[family]
        print(row(family, notes, counts))
        total, count = total + counts, count + notes
    print(row("overall fresh", count, total))
    return total, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--midi-dir", type=Path, action="append")
    parser.add_argument("--fresh-seeds", type=fresh_patterns.seed_range, default="100-103")
    args = parser.parse_args(argv)
    config = MidiEngineConfig()
    grand, grand_notes = HabitCounts(), 0
    for folder in args.midi_dir or [DEFAULT_MIDI_DIR]:
        if not folder.is_dir():
            print(f"{folder}: no such folder, nothing measured there")
            continue
        print(f"{folder}")
        print(HEADER)
        total, count = HabitCounts(), 0
        for label, notes in shared_pieces(folder):
            counts = piece_habits(notes, config)
            print(row(label, len(notes), counts))
            total, count = total + counts, count + len(notes)
        print(row("overall", count, total))
        grand, grand_notes = grand + total, grand_notes + count
    total, count = _fresh(args.fresh_seeds, config) if args.fresh_seeds else (HabitCounts(), 0)
    print(row("overall", grand_notes + count, grand + total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
