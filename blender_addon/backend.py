"""Run the S2C backend as a subprocess and follow its JSON-lines progress. No bpy here.

The add-on and the backend share only the contract in ARCHITECTURE.md: an argument list,
JSON lines on the backend's stdout, and a HandMotion file. This module owns the process
side of it, so the operators (and tests without Blender's event loop) can start a run,
poll it without ever blocking Blender's UI, cancel it, and read why it failed.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENGINES = ("auto", "midi", "s2c")
DEVICES = ("auto", "cuda", "cpu")
AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".ogg")
MIDI_SUFFIXES = (".mid", ".midi")
INPUT_SUFFIXES = AUDIO_SUFFIXES + MIDI_SUFFIXES
# Files whose presence makes a folder count as "S2C checkpoints installed".
CHECKPOINT_SUFFIXES = (".safetensors", ".pt", ".pth", ".ckpt")
OUTPUT_NAME = "take.npz"
AUDIO_NAME = "take_audio.wav"  # MIDI input: the backend's rendering, for the sound strip
# How long a cancelled backend gets to exit on SIGTERM before it is killed.
CANCEL_GRACE_S = 3.0


class BackendError(RuntimeError):
    """The backend could not run or failed; the message is the line to show the user."""


# ---------------------------------------------------------------------------------------
# Deciding what to run (pure functions)


@dataclass(frozen=True)
class EngineChoice:
    engine: str  # "midi" or "s2c"
    reason: str  # one line for the panel: why this engine


def input_kind(path: str | os.PathLike) -> str | None:
    """'audio', 'midi' or None for a file name the backend cannot read."""
    suffix = Path(path).suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return "midi" if suffix in MIDI_SUFFIXES else None


def has_checkpoints(folder: str | os.PathLike | None) -> bool:
    """True when `folder` or one of its sub-folders holds a weights file.

    Only two levels are looked at: the panel calls this while drawing, so it must stay cheap
    even when the user points it at a large folder by mistake.
    """
    if not folder or not Path(folder).is_dir():
        return False
    root = Path(folder)
    candidates = [*root.glob("*"), *root.glob("*/*")]
    return any(path.suffix.lower() in CHECKPOINT_SUFFIXES for path in candidates)


def choose_engine(
    requested: str, input_path: str | os.PathLike, checkpoint_dir: str | os.PathLike | None
) -> EngineChoice:
    """The engine a run will use, with the reason shown in the panel.

    Auto prefers exact notes: MIDI input always goes to the MIDI engine. Audio goes to the
    S2C model when its checkpoints are installed, else to the MIDI engine, which
    transcribes the recording to notes first.
    """
    if requested not in ENGINES:
        raise ValueError(f"unknown engine {requested!r} (choose from {ENGINES})")
    if requested != "auto":
        return EngineChoice(requested, f"{requested.upper()} engine (chosen)")
    kind = input_kind(input_path)
    if kind == "midi":
        return EngineChoice("midi", "Auto: MIDI engine (MIDI input, exact notes)")
    if kind == "audio" and has_checkpoints(checkpoint_dir):
        return EngineChoice("s2c", "Auto: S2C model (audio input, checkpoints found)")
    if kind == "audio":
        return EngineChoice("midi", "Auto: MIDI engine via transcription (no S2C checkpoints)")
    return EngineChoice("midi", "Auto: MIDI engine")


@dataclass(frozen=True)
class GenerateRequest:
    """Everything one `s2c generate` run needs; the engine is already resolved."""

    input_path: Path
    engine: str
    seed: int = 0
    steps: int = 50
    device: str = "auto"
    checkpoint_dir: Path | None = None
    mano_file: Path | None = None
    reference_compat: bool = False  # the authors' infer.py per 8 s window (DDPM-1000)
    rig_description: Path | None = None  # the target character's hands (retarget.describe)
    key_range: tuple[int, int] | None = None  # a smaller user keyboard's lowest/highest pitch


def backend_prefix(python: str | os.PathLike) -> list[str]:
    """The argv that starts the backend CLI in the backend's own Python."""
    return [str(python), "-m", "s2c_core"]


def generate_command(prefix: Sequence[str], request: GenerateRequest, out: Path) -> list[str]:
    """argv for one generate run; a list, never a shell string, so any path is safe."""
    argv = [
        *prefix,
        "generate",
        str(request.input_path),
        "--engine",
        request.engine,
        "--seed",
        str(request.seed),
        # the reference samples with its own 1000 DDPM steps, so it takes no --steps
        *(["--reference-compat"] if request.reference_compat else ["--steps", str(request.steps)]),
        "--device",
        request.device,
        "--out",
        str(out),
        "--overwrite",
        "--progress",
        "jsonl",
    ]
    if request.checkpoint_dir:
        argv += ["--checkpoint", str(request.checkpoint_dir)]
    if request.mano_file:
        argv += ["--mano", str(request.mano_file)]
    if request.rig_description:
        argv += ["--rig-description", str(request.rig_description)]
    if request.key_range:
        argv += ["--key-range", *(str(pitch) for pitch in request.key_range)]
    if input_kind(request.input_path) == "midi":
        argv += ["--audio-out", str(out.with_name(AUDIO_NAME))]
    return argv


def download_command(prefix: Sequence[str], repo: str) -> list[str]:
    """argv of `s2c download REPO`: fetch, verify and convert the official model once."""
    return [*prefix, "download", repo, "--progress", "jsonl"]


def backend_env() -> dict[str, str]:
    """The environment for the backend process.

    Blender's own PYTHONHOME/PYTHONPATH (set by some installs) would make the backend's
    interpreter load Blender's standard library. Unbuffered UTF-8 output makes progress
    lines arrive as they are printed and keeps non-ASCII paths intact on every OS.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")}
    env.update(PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    return env


# ---------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True)
class BackendEvent:
    kind: str  # "progress", "stage", "done", "error" or "log" (a non-JSON stdout line)
    data: dict[str, Any]


def parse_event(line: str) -> BackendEvent | None:
    """One stdout line -> an event; blank lines are None, anything not JSON is a log line."""
    text = line.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return BackendEvent("log", {"message": text})
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        return BackendEvent("log", {"message": text})
    return BackendEvent(data["event"], data)


@dataclass
class RunState:
    """What the panel shows about a run, folded from its events."""

    fraction: float = 0.0
    message: str = "Starting backend"
    output: Path | None = None
    engine: str = ""
    error: str = ""

    def apply(self, event: BackendEvent) -> None:
        data = event.data
        if event.kind == "progress":
            total = data.get("total") or 0
            if total:
                self.fraction = min(max(float(data.get("done", 0)) / float(total), 0.0), 1.0)
            self.message = str(data.get("message") or f"{data.get('done')}/{total}")
        elif event.kind == "stage":
            self.message = str(data.get("message") or data.get("name") or self.message)
        elif event.kind == "done":
            self.fraction, self.message = 1.0, "Keying the take"
            self.output = Path(data["output"]) if data.get("output") else None
            self.engine = str(data.get("engine") or "")
        elif event.kind == "error":
            self.error = str(data.get("message") or "backend reported an error")


# ---------------------------------------------------------------------------------------
# The running process


def _stream_lines(stream, sink: queue.Queue | None, tail: list[str]) -> None:
    """Reader thread body: forward every line (stdout) or keep the last one (stderr)."""
    for line in stream:
        if sink is not None:
            sink.put(line)
        elif line.strip():
            tail[:] = [line.strip()]
    stream.close()


@dataclass
class BackendJob:
    """One backend process with its temp folder.

    Reading happens on two daemon threads, so `poll()` never blocks: Blender calls it from a
    timer and the UI stays responsive however slowly the backend prints.
    """

    argv: list[str]
    workdir: Path
    state: RunState = field(default_factory=RunState)
    process: subprocess.Popen | None = None
    _lines: queue.Queue = field(default_factory=queue.Queue)
    _stderr_tail: list[str] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(
        cls, request: GenerateRequest, prefix: Sequence[str], workdir: Path | None = None
    ) -> BackendJob:
        """Create the temp folder, build the argv and start the backend."""
        workdir = workdir or Path(tempfile.mkdtemp(prefix="s2c_hands_"))
        return cls.launch(generate_command(prefix, request, workdir / OUTPUT_NAME), workdir)

    @classmethod
    def launch(cls, argv: list[str], workdir: Path | None = None) -> BackendJob:
        """Start any backend command that speaks the JSON-lines protocol."""
        job = cls(argv, workdir or Path(tempfile.mkdtemp(prefix="s2c_hands_")))
        try:
            job._spawn()
        except OSError as exc:
            job.cleanup()
            raise BackendError(f"cannot start the backend ({argv[0]}): {exc}") from exc
        return job

    def _spawn(self) -> None:
        self.process = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=backend_env(),
            **_process_group_options(),
        )
        for stream, sink in ((self.process.stdout, self._lines), (self.process.stderr, None)):
            thread = threading.Thread(
                target=_stream_lines, args=(stream, sink, self._stderr_tail), daemon=True
            )
            thread.start()
            self._threads.append(thread)

    @property
    def output_path(self) -> Path:
        return self.workdir / OUTPUT_NAME

    @property
    def rendered_audio(self) -> Path | None:
        """The backend's rendering of a MIDI input, if it wrote one."""
        path = self.workdir / AUDIO_NAME
        return path if path.is_file() else None

    @property
    def last_stderr_line(self) -> str:
        return self._stderr_tail[-1] if self._stderr_tail else ""

    def poll(self) -> bool:
        """Fold the lines printed so far into `state`; True once the process has ended.

        The end is only reported after both readers have drained their pipes, so a final
        "done" or "error" line (or last stderr line) is never lost to a race with the exit.
        """
        exited = self.process is not None and self.process.poll() is not None
        drained = exited and not any(thread.is_alive() for thread in self._threads)
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            event = parse_event(line)
            if event is not None:
                self.state.apply(event)
        return drained

    def wait(self, interval_s: float = 0.05) -> None:
        """Block until the process ends (background mode and tests)."""
        while not self.poll():
            threading.Event().wait(interval_s)

    def result(self) -> Path:
        """The output ("done" event) of a finished run: the HandMotion file of a generate
        run, the model folder of a download; or BackendError with the best reason."""
        code = self.process.returncode if self.process else None
        if code == 0 and not self.state.error and self.state.output is not None:
            return self.state.output
        reason = (
            self.state.error
            or self.last_stderr_line
            or (f"exited with code {code}" if code else "finished without a 'done' event")
        )
        raise BackendError(f"backend failed: {reason}")

    def cancel(self) -> None:
        """Stop the process and everything it started, politely first."""
        if self.process is None or self.process.poll() is not None:
            return
        _signal_group(self.process, force=False)
        try:
            self.process.wait(CANCEL_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal_group(self.process, force=True)
            self.process.wait()

    def cleanup(self) -> None:
        """Cancel if still running, wait for the reader threads, remove the temp folder."""
        self.cancel()
        for thread in self._threads:
            thread.join(timeout=CANCEL_GRACE_S)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _process_group_options() -> dict[str, Any]:
    # Its own process group lets Cancel stop workers the backend spawned (data loaders,
    # the headless Blender step); on Windows it also keeps a console window from flashing.
    if os.name == "posix":
        return {"start_new_session": True}
    flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW
    return {"creationflags": flags}


def _signal_group(process: subprocess.Popen, *, force: bool) -> None:
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL if force else signal.SIGTERM)
        else:  # Windows has no SIGTERM for other processes: both end it at once
            process.kill()
    except ProcessLookupError:  # exited between the check and the signal
        pass


# ---------------------------------------------------------------------------------------
# Doctor


@dataclass(frozen=True)
class DoctorReport:
    ok: bool
    lines: tuple[str, ...]


def run_doctor(python: str | os.PathLike, timeout_s: float = 120.0) -> DoctorReport:
    """Run `s2c doctor --json` and turn its answer (or its failure) into panel lines."""
    argv = [*backend_prefix(python), "doctor", "--json"]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=backend_env(),
            timeout=timeout_s,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return DoctorReport(False, (f"Cannot run {python}: {exc}",))
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return DoctorReport(False, (f"Backend not usable: {last}",))
    return DoctorReport(bool(report.get("ok")), tuple(summarize_doctor(report)))


def summarize_doctor(report: dict[str, Any]) -> list[str]:
    """One short line per fact: Python/torch/CUDA, each engine, each downloaded official
    model (`s2c download`), each problem."""
    cuda = "CUDA available" if report.get("cuda") else "no CUDA (CPU only)"
    lines = [
        ("Backend OK" if report.get("ok") else "Backend has problems")
        + f": Python {report.get('python', '?')}, torch {report.get('torch') or 'missing'}, "
        + cuda
    ]
    for name, info in (report.get("engines") or {}).items():
        ready = info.get("ok", info.get("available")) if isinstance(info, dict) else info
        lines.append(f"Engine {name}: {'ready' if ready else 'not available'}")
    lines += [f"Downloaded model: {model}" for model in report.get("cached_models") or []]
    lines += [f"Problem: {problem}" for problem in report.get("problems") or []]
    return lines
