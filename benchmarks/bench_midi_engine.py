"""Benchmark the MIDI engine on every MIDI file of the shared test set.

Prints, per file and overall:
  split    hand-split agreement with the files' own "Piano right"/"Piano left" tracks
           (target >= 90 %). A track's hand comes from its name containing "right"/"left";
           notes of other tracks (bach_846's fugue voices "Fuga 1".."Fuga 4", which the
           sequencer did not assign to a hand) are left out of this measure only.
  contact  share of notes whose assigned fingertip, at the onset frame, is over the key
           (within its X extent) and below its top surface (target >= 98 %)
  stray    share of frames in which a fingertip playing nothing is pressed into a key that
           is not sounding (target <= 1 %)
  speed    seconds of music per second of compute for generate_from_midi (target >= 100x)
The engine itself never reads the track names (honour_tracks is off).

Usage: python benchmarks/bench_midi_engine.py [--midi-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from s2c_core.engines.midi import generate_from_midi  # noqa: E402
from s2c_core.engines.midi.metrics import (  # noqa: E402
    key_contact,
    split_agreement,
    stray_press_share,
)
from s2c_core.music.keyboard import Keyboard  # noqa: E402
from s2c_core.music.midi import read_midi  # noqa: E402

DEFAULT_MIDI_DIR = REPO.parent / "shared" / "data" / "midi"
TARGETS = {"split": 0.90, "contact": 0.98, "stray": 0.01, "speed": 100.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--midi-dir", type=Path, default=DEFAULT_MIDI_DIR)
    args = parser.parse_args(argv)
    files = sorted(args.midi_dir.glob("*.mid")) + sorted(args.midi_dir.glob("*.midi"))
    if not files:
        print(f"{args.midi_dir}: no MIDI files", file=sys.stderr)
        return 1
    keyboard = Keyboard()
    generate_from_midi(files[0])  # warm-up: imports and first-call caches out of the timing
    totals = dict.fromkeys(("agree", "compared", "contact", "notes", "stray", "frames"), 0.0)
    music = compute = 0.0
    print(f"{'file':<20}{'notes':>7}{'split':>9}{'contact':>9}{'stray':>8}{'speed':>9}")
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # out-of-range notes: counted in the metadata
            truth = read_midi(path).named_hands()
            start = time.perf_counter()
            motion = generate_from_midi(path)
            seconds = time.perf_counter() - start
        agree, compared = split_agreement(motion, truth)
        contact = key_contact(motion, keyboard)
        stray = stray_press_share(motion, keyboard)
        duration = float(motion.notes[:, 2].max())
        music, compute = music + duration, compute + seconds
        for key, value in zip(
            totals,
            (agree, compared, contact.sum(), len(contact), stray * motion.num_frames,
             motion.num_frames),
            strict=True,
        ):  # fmt: skip
            totals[key] += value
        split = f"{agree / compared:.1%}" if compared else "n/a"
        print(
            f"{path.name:<20}{len(contact):>7}{split:>9}{contact.mean():>9.1%}"
            f"{stray:>8.2%}{duration / seconds:>8.0f}x"
        )
    overall = {
        "split": totals["agree"] / max(totals["compared"], 1),
        "contact": totals["contact"] / totals["notes"],
        "stray": totals["stray"] / totals["frames"],
        "speed": music / compute,
    }
    print(
        f"{'overall':<20}{int(totals['notes']):>7}{overall['split']:>9.1%}"
        f"{overall['contact']:>9.1%}{overall['stray']:>8.2%}{overall['speed']:>8.0f}x"
    )
    met = {
        "split": overall["split"] >= TARGETS["split"],
        "contact": overall["contact"] >= TARGETS["contact"],
        "stray": overall["stray"] <= TARGETS["stray"],
        "speed": overall["speed"] >= TARGETS["speed"],
    }
    print("targets: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in met.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
