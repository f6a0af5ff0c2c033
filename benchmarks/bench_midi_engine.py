"""Benchmark the MIDI engine per shared piece and per stress-corpus family, and overall.

Prints, per shared MIDI file (../shared/data/midi; * marks the pieces that informed the
engine's parameters, the others are measured only) and per family of the generated stress
corpus (s2c_core.evaluate.stress_corpus), then overall:
  split    notes given the hand their track is named for ("Piano right"/"Piano left");
           notes of tracks naming no hand (bach_846's fugue voices) are left out
           (target >= 95 % overall, >= 90 % per piece)
  book     with the tracks' hands, notes fingered as the textbooks accept (scales,
           arpeggios, chromatic runs, five-finger positions, broken triads and the
           Alberti bass of the stress corpus; target >= 95 %)
  contact  strict key contact: at a note's onset frame its assigned fingertip is over
           the key and below its top (target >= 99 % overall, >= 98 % per piece)
  stray    frames in which a fingertip playing nothing presses a silent key (<= 0.5 %)
  clash    frames in which the hands interpenetrate: a joint of one within a finger's
           thickness (15 mm) of the other's, or the palms closer than 30 mm (target 0)
  anatomy  shares of (frame, hand) pairs outside the active ranges of motion
           (s2c_core.hand.anatomy): hyp10/hyp15 a PIP or DIP joint bent backwards by more
           than 10/15 degrees (target <= 1 % for 10), spread neighbouring fingers too far
           apart or crossed, thumb CMC/MCP/IP, wrist pitch/yaw/roll against the forearm
  flat     frames on which a long finger presses its key straight, its middle joint bent
           less than 15 degrees (anatomy.straight_presses), of all its pressed frames
  turn     degrees per second the hands turn (metrics.turning_rate): a hand that rocks
           from note to note turns fast for nothing (lower is calmer)
  speed    seconds of music per second of compute for generate_from_notes (>= 100x), in
           CPU time of this process, so that other work on a shared machine does not
           count (run with OMP_NUM_THREADS=1)
Then per family of fresh textures drawn at random (s2c_core.evaluate.fresh_patterns), pooled
over --fresh-seeds (default 100-109: seeds nobody looked at while tuning; none skips them).
The engine itself never reads the track names (honour_tracks is off).
--performed MS plays every piece first: each note's onset and offset moved by a seeded
normal draw with that standard deviation in milliseconds (s2c_core.evaluate.performed), the
chords of a played MIDI file no longer struck at one instant.

Usage: python benchmarks/bench_midi_engine.py [--midi-dir DIR] [--shared-only|--stress-only]
           [--fresh-seeds FIRST-LAST|SEED|none] [--performed MS]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from s2c_core.engines.midi import generate_from_notes  # noqa: E402
from s2c_core.engines.midi.metrics import (  # noqa: E402
    hand_clash_share,
    key_contact,
    split_agreement,
    stray_press_share,
    turning_rate,
)
from s2c_core.evaluate import fresh_patterns  # noqa: E402
from s2c_core.evaluate.hand_scores import fingering_score, piece_notes, shared_pieces  # noqa: E402
from s2c_core.evaluate.performed import performed  # noqa: E402
from s2c_core.evaluate.stress_corpus import FAMILIES, stress_pieces  # noqa: E402
from s2c_core.hand.anatomy import anatomy_report, straight_presses  # noqa: E402
from s2c_core.music.keyboard import Keyboard  # noqa: E402

DEFAULT_MIDI_DIR = REPO.parent / "shared" / "data" / "midi"
ANATOMY = {"hyp10": "hyperextension", "hyp15": "severe_hyperextension",
           "spread": "finger_spread", "thumb": "thumb", "wrist": "wrist"}  # fmt: skip
HEADER = (
    f"{'':<22}{'notes':>7}{'split':>8}{'book':>8}{'contact':>9}{'stray':>7}{'clash':>7}"
    + "".join(f"{name:>8}" for name in ANATOMY)
    + f"{'flat':>7}{'turn':>7}{'speed':>8}"
)


def _rate(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def _per(total: float, whole: float) -> str:
    return f"{total / whole:.0f}" if whole else "n/a"


def _row(name: str, c: dict[str, float]) -> str:
    anatomy = "".join(f"{_rate(c[key], c['hand_frames']):>8}" for key in ANATOMY)
    speed = c["music"] / c["compute"] if c["compute"] else 0.0
    return (
        f"{name:<22}{int(c['notes']):>7}{_rate(c['split_ok'], c['split_n']):>8}"
        f"{_rate(c['book_ok'], c['book_n']):>8}{_rate(c['contact'], c['notes']):>9}"
        f"{_rate(c['stray'], c['frames']):>7}{_rate(c['clash'], c['frames']):>7}"
        f"{anatomy}{_rate(c['flat'], c['pressed']):>7}{_per(c['turn'], c['frames']):>7}"
        f"{speed:>7.0f}x"
    )


def measure(
    notes, accepted, counts: dict[str, float], keyboard: Keyboard, onset_sd: float = 0.0
) -> None:
    """Animate `notes` (played first with onsets spread by `onset_sd` s, if not 0) and add
    its measures to `counts` (pooled sums)."""
    if onset_sd:
        notes, order = performed(notes, onset_sd, seed=len(notes))
        accepted = None if accepted is None else tuple(accepted[i] for i in order)
    start = time.process_time()
    motion = generate_from_notes(notes)
    counts["compute"] += time.process_time() - start
    counts["music"] += notes.duration
    agree, compared = split_agreement(motion, notes.named_hands())
    counts["split_ok"] += agree
    counts["split_n"] += compared
    if accepted is not None:
        agree, claimed = fingering_score(notes, accepted)
        counts["book_ok"] += agree
        counts["book_n"] += claimed
    contact = key_contact(motion, keyboard)
    counts["contact"] += contact.sum()
    counts["notes"] += len(contact)
    counts["stray"] += stray_press_share(motion, keyboard) * motion.num_frames
    counts["clash"] += hand_clash_share(motion) * motion.num_frames
    counts["frames"] += motion.num_frames
    counts["turn"] += turning_rate(motion) * motion.num_frames
    report = anatomy_report(motion)
    counts["hand_frames"] += report.frames
    for key, check in ANATOMY.items():
        counts[key] += report.outside[check]
    counts["worst_bend"] = max(counts["worst_bend"], report.worst_backwards_bend)
    flat, pressed = straight_presses(motion)
    counts["flat"] += flat
    counts["pressed"] += pressed


def _add(total: dict[str, float], part: dict[str, float]) -> None:
    for key, value in part.items():
        total[key] = max(total[key], value) if key == "worst_bend" else total[key] + value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--midi-dir", type=Path, default=DEFAULT_MIDI_DIR)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--shared-only", action="store_true")
    only.add_argument("--stress-only", action="store_true")
    parser.add_argument("--fresh-seeds", type=fresh_patterns.seed_range, default=range(100, 110))
    parser.add_argument("--performed", type=float, default=0.0, metavar="MS")
    args = parser.parse_args(argv)
    onset_sd = args.performed / 1000.0
    keyboard = Keyboard()
    pieces = stress_pieces()
    generate_from_notes(piece_notes(pieces[0]))  # warm-up: imports and caches untimed
    overall: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if not args.stress_only:
        shared = shared_pieces(args.midi_dir)
        if not shared:
            print(f"{args.midi_dir}: no MIDI files", file=sys.stderr)
            return 1
        print("shared pieces (* = tuning set)")
        print(HEADER)
        for label, notes in shared:
            counts: dict[str, float] = defaultdict(float)
            measure(notes, None, counts, keyboard, onset_sd)
            print(_row(label, counts))
            _add(overall["shared"], counts)
        print(_row("overall shared", overall["shared"]))
    if not args.shared_only:
        print("stress corpus families")
        overall["stress"] = _by_family(pieces, FAMILIES, "stress", keyboard, onset_sd)
    for part in list(overall.values()):
        _add(overall["all"], part)
    print(_row("overall", overall["all"]))
    print(f"worst backwards bend: {overall['all']['worst_bend']:.0f} degrees")
    if args.fresh_seeds:
        _fresh(args.fresh_seeds, keyboard, onset_sd)
    return 0


def _fresh(seeds: range, keyboard: Keyboard, onset_sd: float) -> None:
    """Per family of fresh_patterns, pooled over `seeds`, and overall."""
    print(f"fresh textures, seeds {seeds.start}-{seeds.stop - 1}")
    pieces = [piece for seed in seeds for piece in fresh_patterns.fresh_pieces(seed)]
    total = _by_family(pieces, fresh_patterns.FAMILIES, "fresh", keyboard, onset_sd)
    print(f"worst backwards bend: {total['worst_bend']:.0f} degrees")


def _by_family(
    pieces, families, label: str, keyboard: Keyboard, onset_sd: float
) -> dict[str, float]:
    """Print a row per family of `pieces` (pooled) and one for them all; return the pooled."""
    print(HEADER)
    by_family: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for piece in pieces:
        measure(piece_notes(piece), piece.fingering, by_family[piece.family], keyboard, onset_sd)
    total: dict[str, float] = defaultdict(float)
    for family in families:
        print(_row(family, by_family[family]))
        _add(total, by_family[family])
    print(_row(f"overall {label}", total))
    return total


if __name__ == "__main__":
    sys.exit(main())
