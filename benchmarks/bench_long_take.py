"""Memory and time of `s2c generate` for an hour of music, and where the FBX's size goes.

Loops a piece of the shared test set to one hour (default) and runs the CLI as a user would:
  npz      --out only (the MIDI engine)
  scene    --out --blend --fbx (adds the Blender step: keying, .blend, baked FBX)
  reduced  the same with --reduce-keys 0.001
For each it prints the wall time, the time of the Blender step (from the backend's own
progress events), the peak resident memory of the backend and of the Blender process (sampled
every 0.1 s from /proc, Linux only) and the size of every output.

Why the FBX is many times the .blend: the .blend stores only the keyed channels (one
quaternion per keyed bone, the wrist location, one key-press curve per played key) as
float pairs; the FBX exporter bakes location, rotation and scale of every bone and of every
piano key object on every frame, each sample with its own time and attributes, even
where nothing moves (the keys stand still most of the time). The `hands-only` line exports
the same scene without the piano to show that share; `reduced` shows what --reduce-keys
saves (Reduce Keys on the Actions, exporter simplification for the FBX).

Usage: python benchmarks/bench_long_take.py [--minutes 60] [--piece mz_331_3.mid]
       [--skip-scene]   (npz only: the scene runs take minutes and GBs of disk for an hour)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pretty_midi

REPO = Path(__file__).resolve().parents[1]
MIDI_DIR = REPO.parent / "shared" / "data" / "midi"


def looped_piece(source: Path, minutes: float, out: Path) -> float:
    """Write `source` repeated until it lasts `minutes`; returns the length in seconds."""
    piece = pretty_midi.PrettyMIDI(str(source))
    length = piece.get_end_time()
    looped = pretty_midi.PrettyMIDI()
    instrument = pretty_midi.Instrument(program=0, name="piano")
    repeats = int(minutes * 60 // length) + 1
    for repeat in range(repeats):
        shift = repeat * length
        instrument.notes += [
            pretty_midi.Note(note.velocity, note.pitch, note.start + shift, note.end + shift)
            for inst in piece.instruments
            if not inst.is_drum
            for note in inst.notes
        ]
    looped.instruments.append(instrument)
    looped.write(str(out))
    return looped.get_end_time()


class TreeMemory:
    """Peak RSS of a process and, separately, of all its descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.root_peak, self.children_peak = pid, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            parents = _parents()
            descendants, frontier = set(), {self.pid}
            while frontier:
                frontier = {pid for pid, parent in parents.items() if parent in frontier}
                descendants |= frontier
            self.root_peak = max(self.root_peak, _rss(self.pid))
            self.children_peak = max(self.children_peak, sum(map(_rss, descendants)))


def _parents() -> dict[int, int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_generate(midi: Path, outputs: dict[str, Path], extra: list[str]) -> dict:
    argv = [sys.executable, "-m", "s2c_core", "generate", str(midi), "--progress", "jsonl"]
    argv += [f"--{kind}={path}" for kind, path in outputs.items()] + extra
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    blender_start = None
    for line in process.stdout:
        event = json.loads(line)
        if event["event"] == "stage" and event["name"] == "blender":
            blender_start = time.perf_counter()
        if event["event"] == "error":
            raise SystemExit(f"generate failed: {event['message']}")
    process.wait()
    end = time.perf_counter()
    memory.stop()
    return {
        "wall": end - start,
        "blender": end - blender_start if blender_start else 0.0,
        "backend_peak": memory.root_peak,
        "blender_peak": memory.children_peak,
        "sizes": {kind: path.stat().st_size for kind, path in outputs.items()},
    }


def hands_only_fbx_size(blend: Path, out: Path) -> int:
    """Export the hands of a written scene without the piano (FBX settings unchanged)."""
    code = (
        "import sys, bpy; from blender_addon.scene import export_fbx; "
        "bpy.ops.wm.open_mainfile(filepath=sys.argv[1]); "
        "export_fbx(sys.argv[2], include_piano=False)"
    )
    subprocess.run([sys.executable, "-c", code, str(blend), str(out)], cwd=REPO,
                   check=True, capture_output=True)  # fmt: skip
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--piece", default="mz_331_3.mid", help="a file of the shared set")
    parser.add_argument("--skip-scene", action="store_true", help="npz only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="s2c_bench_") as folder:
        folder = Path(folder)
        seconds = looped_piece(MIDI_DIR / args.piece, args.minutes, folder / "long.mid")
        print(f"{args.piece} looped to {seconds / 60:.1f} min")
        runs = {"npz": ({"out": folder / "npz.npz"}, [])}
        if not args.skip_scene:
            for name, extra in (("scene", []), ("reduced", ["--reduce-keys", "0.001"])):
                outputs = {kind: folder / f"{name}.{suffix}" for kind, suffix in
                           (("out", "npz"), ("blend", "blend"), ("fbx", "fbx"))}  # fmt: skip
                runs[name] = (outputs, extra)
        print(f"{'run':<9}{'wall s':>8}{'blender s':>11}{'backend MB':>12}{'blender MB':>12}"
              "   outputs MB")  # fmt: skip
        for name, (outputs, extra) in runs.items():
            result = run_generate(folder / "long.mid", outputs, extra)
            sizes = ", ".join(f"{k} {v / 1e6:.1f}" for k, v in result["sizes"].items())
            print(f"{name:<9}{result['wall']:>8.1f}{result['blender']:>11.1f}"
                  f"{result['backend_peak'] / 1e6:>12.0f}{result['blender_peak'] / 1e6:>12.0f}"
                  f"   {sizes}")  # fmt: skip
            for path in outputs.values():
                if path.suffix != ".blend" or name != "scene":
                    path.unlink()
        if not args.skip_scene:
            blend = runs["scene"][0]["blend"]
            hands = hands_only_fbx_size(blend, folder / "hands.fbx")
            print(f"hands-only FBX (no piano): {hands / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
