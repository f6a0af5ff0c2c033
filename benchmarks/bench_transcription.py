"""Note F1 and speed of the transcribers on the development set (benchmarks/transcription_devset).

Each item is transcribed from its audio and scored against its excerpt's notes with mir_eval
(onset within 50 ms and pitch within 50 cents; offsets ignored). Prints one line per item,
then per transcriber and condition the mean precision / recall / F1, and the speed as
audio seconds per wall-clock second ("x real time") and per CPU second of this process.

    python -m benchmarks.bench_transcription [--transcribers accurate,fast]
        [--variants default,fp32,upstream] [--excerpts N] [--conditions close,ambient]

Variants of the accurate transcriber: default (16 s segments back to back, bf16 where the
CPU has it), fp32 (the same in float32), upstream (transkun's own 16 s segments every 8 s,
float32).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script (make bench) or with -m

import numpy as np  # noqa: E402

from benchmarks.transcription_devset import CONDITIONS, EXCERPTS, RATE, build_devset  # noqa: E402
from s2c_core.music.midi import MidiNotes  # noqa: E402
from s2c_core.music.transcribe import note_scores  # noqa: E402
from s2c_core.music.transkun_notes import (  # noqa: E402
    TranskunSettings,
    load_transkun,
    transcribe_transkun,
    transkun_device,
)

VARIANTS = {
    "default": TranskunSettings(),
    "fp32": TranskunSettings(bf16=False),
    "upstream": TranskunSettings(hop_s=8.0, bf16=False),
}


def transcribers(names: list[str], variants: list[str]) -> dict[str, Callable]:
    chosen: dict[str, Callable[[np.ndarray], MidiNotes]] = {}
    if "accurate" in names:
        load_transkun(transkun_device())  # once, outside the timings
        for variant in variants:
            settings = VARIANTS[variant]
            chosen[f"accurate/{variant}"] = lambda audio, s=settings: transcribe_transkun(
                audio, RATE, s
            )
    if "fast" in names:
        from s2c_core.music.basic_pitch_notes import transcribe_basic_pitch

        chosen["fast"] = lambda audio: transcribe_basic_pitch(audio, RATE)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcribers", default="accurate,fast")
    parser.add_argument("--variants", default="default", help=f"of {', '.join(VARIANTS)}")
    parser.add_argument("--excerpts", type=int, default=6, help=f"first N of {len(EXCERPTS)}")
    parser.add_argument("--conditions", default=",".join(c.name for c in CONDITIONS))
    args = parser.parse_args()
    wanted = args.conditions.split(",")
    conditions = tuple(c for c in CONDITIONS if c.name in wanted)
    runs = transcribers(args.transcribers.split(","), args.variants.split(","))

    scores: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    seconds: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])  # audio, wall, cpu
    print(f"{'item':<48} {'transcriber':<18} {'P':>6} {'R':>6} {'F1':>6} {'xRT':>5}")
    for item in build_devset(conditions=conditions, excerpts=EXCERPTS[: args.excerpts]):
        condition = item.name.rsplit("/", 1)[1]
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), _cpu_seconds()
            estimate = run(item.audio)
            wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
            p, r, f1 = note_scores(item.notes, estimate)
            scores[name, condition].append((p, r, f1))
            audio_s = item.audio.size / RATE
            for index, value in enumerate((audio_s, wall, cpu)):
                seconds[name][index] += value
            print(f"{item.name:<48} {name:<18} {p:6.3f} {r:6.3f} {f1:6.3f} {audio_s / wall:5.2f}")
    print("\nmean over items (P / R / F1):")
    for (name, condition), values in scores.items():
        p, r, f1 = np.mean(values, axis=0)
        print(f"  {name:<18} {condition:<12} {p:.3f} / {r:.3f} / {f1:.3f}  ({len(values)} items)")
    print("\nspeed (audio seconds per wall second, per CPU second of this process):")
    for name, (audio_s, wall, cpu) in seconds.items():
        print(f"  {name:<18} {audio_s / wall:5.2f}x real time, {audio_s / cpu:5.2f}x per CPU")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
