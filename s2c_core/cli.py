"""The `s2c` command line: generate | doctor | convert-official."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import platform
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from . import __version__, character_scene
from .argtypes import non_negative_float, positive_int
from .blender_bridge import run_headless
from .motion import save_motion
from .outputs import StagedOutputs
from .pipeline import DEVICES, ENGINES, SAMPLERS, GenerateOptions, generate, write_take_audio
from .progress import ProgressReporter, add_progress_option

_SCENE_OUTPUTS = ("blend", "fbx")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="s2c", description="Piano MIDI or audio -> animated hands (HandMotion, Blender, FBX)."
    )
    parser.add_argument("--version", action="version", version=f"s2c {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_generate(commands)
    _add_doctor(commands)
    _add_module_commands(commands)
    return parser


def _add_generate(commands) -> None:
    gen = commands.add_parser(
        "generate",
        help="make a take from a MIDI file or a recording",
        description="Generate both hands for INPUT and write any of: a HandMotion .npz, a "
        ".blend scene (piano + rigged hands + the take), an FBX. Outputs appear all "
        "together or not at all.",
    )
    gen.add_argument("input", type=Path, help="a .mid/.midi file or a .wav/.flac/.ogg/.mp3")
    gen.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="auto: the MIDI engine for MIDI input; for audio, S2C when --checkpoint is "
        "given, else the MIDI engine on transcribed notes (default: auto)",
    )
    gen.add_argument(
        "--checkpoint",
        type=Path,
        help="S2C weights: an official experiment folder, one of ours, or a Hugging Face Hub "
        "id such as thuteam/S2C[@REVISION] (downloaded and converted once, see s2c download)",
    )
    gen.add_argument(
        "--hubert",
        type=Path,
        help="HuBERT folder or Hub id (e.g. facebook/hubert-large-ls960-ft), overriding the "
        "one named in args_posi.txt",
    )
    gen.add_argument(
        "--sampler",
        choices=SAMPLERS,
        help="S2C sampler: ddpm is the reference's 1000 steps (default: dpm; ddpm with "
        "--reference-compat)",
    )
    gen.add_argument(
        "--steps", type=positive_int, help="S2C network evaluations for ddim/dpm (defaults 50/20)"
    )
    gen.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where S2C runs (default: auto = cuda, then mps, then cpu)",
    )
    gen.add_argument(
        "--refine-contacts",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="align S2C fingertips to the notes (default: on when notes are known)",
    )
    gen.add_argument(
        "--reference-compat",
        action="store_true",
        help="S2C as the authors' infer.py: each 8 s window alone, DDPM-1000 in float32, "
        "their causal mask, shared start noise, dropout on, savgol smoothing "
        "(docs/s2c_engine.md lists every difference)",
    )
    gen.add_argument(
        "--smooth",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Savitzky-Golay (5, 2) smoothing of S2C angles and positions, as the reference's "
        "renders (default: on; see docs/s2c_engine.md for its measured effect)",
    )
    gen.add_argument(
        "--transcriber",
        choices=("accurate", "fast"),
        default="accurate",
        help="audio -> notes: accurate = transkun (notes, velocities, pedal), fast = Basic "
        "Pitch draft; cached by the audio's content (default: accurate)",
    )
    gen.add_argument("--seed", type=int, default=0, help="random seed, stored in the take")
    gen.add_argument("--mano", type=Path, help="MANO_RIGHT.pkl to use instead of our hand rig")
    gen.add_argument(
        "--rig-description",
        type=Path,
        help="JSON of a character's rest hand joints to plan for (docs/retargeting.md)",
    )
    character_scene.add_arguments(gen)
    gen.add_argument("--out", type=Path, help="HandMotion .npz to write")
    gen.add_argument("--blend", type=Path, help=".blend scene to write")
    gen.add_argument("--fbx", type=Path, help="FBX file to write")
    gen.add_argument(
        "--audio-out",
        type=Path,
        help="WAV of the take's audio to write (for MIDI input: its rendering)",
    )
    gen.add_argument(
        "--reduce-keys",
        type=non_negative_float,
        metavar="TOL",
        help="--blend/--fbx: thin the keys within TOL (quaternion units / metres; e.g. 0.001) "
        "like the add-on's Reduce Keys, and let the FBX exporter drop unchanging samples",
    )
    gen.add_argument("--overwrite", action="store_true", help="replace existing output files")
    add_progress_option(gen)
    gen.set_defaults(handler=_run_generate)


def _add_doctor(commands) -> None:
    doctor = commands.add_parser("doctor", help="report what this backend can do")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    doctor.set_defaults(handler=_run_doctor)


# Modules that add their own subcommands with `register(subparsers)`; each sets
# `handler(args) -> int` on its parser.
_COMMAND_MODULES = (
    "s2c_core.commands.convert_official",
    "s2c_core.commands.download",
    "s2c_core.commands.evaluate",
    "s2c_core.commands.make_dataset",
    "s2c_core.commands.preview",
    "s2c_core.commands.train",
    "s2c_core.commands.transcribe",
)


def _add_module_commands(commands) -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(commands)


def _run_generate(args: argparse.Namespace) -> int:
    reporter = ProgressReporter(args.progress)  # before the redirect: events keep stdout
    finals = {kind: getattr(args, kind) for kind in ("out", "audio_out", *_SCENE_OUTPUTS)}
    finals = {kind: path for kind, path in finals.items() if path is not None}
    if not finals:
        raise ValueError("nothing to write: give --out, --blend, --fbx and/or --audio-out")
    if args.reduce_keys is not None and not {"blend", "fbx"} & finals.keys():
        raise ValueError("--reduce-keys thins the keys of --blend/--fbx outputs: give one")
    options = GenerateOptions(
        engine=args.engine,
        seed=args.seed,
        mano=args.mano,
        rig_description=args.rig_description,
        checkpoint=args.checkpoint,
        hubert=args.hubert,
        sampler=args.sampler or ("ddpm" if args.reference_compat else "dpm"),
        steps=args.steps,
        device=args.device,
        refine_contacts=args.refine_contacts,
        reference_compat=args.reference_compat,
        smooth=args.smooth,
        transcriber=args.transcriber,
        key_range=tuple(args.key_range) if args.key_range else None,
    )
    character_scene.check_arguments(args)
    inputs = [path for path in (args.input, args.mano, args.rig_description, args.scene,
                                args.rig_preset) if path is not None]  # fmt: skip
    staged = StagedOutputs(finals, overwrite=args.overwrite, inputs=inputs)
    # Third-party prints (smplx, Blender) must not mix into the JSON lines on stdout.
    with contextlib.redirect_stdout(sys.stderr), staged:
        if args.scene:
            reporter.stage("blender", f"reading the character's hands from {args.scene.name}")
            folder = staged.scratch("character").parent
            options = replace(options, **character_scene.describe_character(args, folder))
        motion = generate(args.input, options, reporter)
        motion.validate(str(args.input))  # name the user's file, not a staging path
        motion_path = staged.path("out") if "out" in finals else staged.scratch("take.npz")
        save_motion(motion, motion_path)
        if "audio_out" in finals:
            reporter.stage("audio", "writing the take's audio")
            write_take_audio(args.input, staged.path("audio_out"))
        scene_args = [f"--{kind}={staged.path(kind)}" for kind in _SCENE_OUTPUTS if kind in finals]
        if scene_args and args.scene:
            reporter.stage("blender", "keying the take onto the character")
            character_scene.key_character(args, motion_path, scene_args)
        elif scene_args:
            reporter.stage("blender", "building the Blender scene")
            scene_args += [f"--take-name={args.input.stem}", "--progress"]
            if args.reduce_keys is not None:
                scene_args.append(f"--reduce-keys={args.reduce_keys!r}")
            run_headless(motion_path, scene_args, on_event=reporter.relay)
        staged.commit()
    reporter.done(
        output=str(staged.finals.get("out", "")),
        outputs={kind: str(path) for kind, path in staged.finals.items()},
        engine=motion.metadata.engine,
        frames=motion.num_frames,
    )
    return 0


def _run_doctor(args: argparse.Namespace) -> int:
    report = doctor_report()
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0 if report["ok"] else 1


def doctor_report() -> dict:
    problems: list[str] = []
    report: dict = {"ok": True, "s2c": __version__, "python": platform.python_version()}
    try:
        import torch

        report["torch"] = torch.__version__
        report["cuda"] = bool(torch.cuda.is_available())
    except ImportError:
        report["torch"], report["cuda"] = None, False
        problems.append("torch is not installed (needed by the S2C engine)")
    report["bpy"] = importlib.util.find_spec("bpy") is not None
    report["cached_models"] = _cached_models()
    report["engines"] = {"midi": True, "s2c": report["torch"] is not None}
    report["transcribers"] = {
        "accurate": importlib.util.find_spec("transkun") is not None,
        "fast": importlib.util.find_spec("basic_pitch") is not None,
    }
    report["problems"] = problems
    report["ok"] = not problems
    return report


class TerminatedError(BaseException):
    """SIGTERM/SIGHUP arrived: unwind (removing staged files) and report it. A BaseException,
    like KeyboardInterrupt, so that no `except Exception` turns it into another error."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM (and SIGHUP) into TerminatedError so every `with` block cleans up."""
    if threading.current_thread() is not threading.main_thread():  # only it may set handlers
        yield
        return
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    signums = [getattr(signal, name) for name in names]

    def on_signal(signum, frame) -> None:
        for each in signums:  # a second signal during clean-up ends the process at once
            signal.signal(each, signal.SIG_DFL)
        raise TerminatedError(signum)

    previous = {signum: signal.signal(signum, on_signal) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _cached_models() -> list[str]:
    """S2C experiments `s2c download` converted into the Hugging Face cache."""
    if importlib.util.find_spec("huggingface_hub") is None:
        return []
    from .hub import cached_models

    return [
        f"{m['repo_id']}@{m['revision']} ({m['commit'][:8]}): {m['path']}" for m in cached_models()
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    reporter = ProgressReporter(getattr(args, "progress", "none"))
    try:
        with warnings.catch_warnings(), _signals_raise():
            warnings.simplefilter("always")
            warnings.showwarning = _print_warning
            return args.handler(args)
    except TerminatedError as exc:
        _report_error(reporter, str(exc))
        return 128 + exc.signum
    except KeyboardInterrupt:
        reporter.error("interrupted")
        print("s2c: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one error boundary: any failure is one line, exit 2
        _report_error(reporter, error_line(exc))
        return 2


def error_line(exc: BaseException) -> str:
    """The first line of the message; unexpected exception types also name their type."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    message = lines[0].strip() if lines else ""
    if isinstance(exc, (ValueError, OSError, RuntimeError)) and message:
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _report_error(reporter: ProgressReporter, message: str) -> None:
    reporter.error(message)
    print(f"s2c: error: {message}", file=sys.stderr)


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"s2c: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
