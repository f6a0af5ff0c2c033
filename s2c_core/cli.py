"""The `s2c` command line: generate | doctor | convert-official."""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from . import __version__, character_scene
from .blender_bridge import run_headless
from .motion import save_motion
from .outputs import StagedOutputs
from .pipeline import DEVICES, ENGINES, SAMPLERS, GenerateOptions, generate, write_take_audio
from .progress import ProgressReporter

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
        "--checkpoint", type=Path, help="S2C weights: an official experiment folder or one of ours"
    )
    gen.add_argument(
        "--hubert", type=Path, help="HuBERT folder, overriding the one named in args_posi.txt"
    )
    gen.add_argument(
        "--sampler",
        choices=SAMPLERS,
        default="dpm",
        help="S2C sampler: ddpm is the reference's 1000 steps (default: dpm)",
    )
    gen.add_argument(
        "--steps", type=int, help="S2C network evaluations for ddim/dpm (defaults 50/20)"
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
    gen.add_argument("--overwrite", action="store_true", help="replace existing output files")
    gen.add_argument(
        "--progress",
        choices=("text", "jsonl", "none"),
        default="text",
        help="jsonl: JSON lines on stdout for the Blender add-on",
    )
    gen.set_defaults(handler=_run_generate)


def _add_doctor(commands) -> None:
    doctor = commands.add_parser("doctor", help="report what this backend can do")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    doctor.set_defaults(handler=_run_doctor)


# Modules that add their own subcommands with `register(subparsers)`; each sets
# `handler(args) -> int` on its parser.
_COMMAND_MODULES = (
    "s2c_core.commands.convert_official",
    "s2c_core.commands.evaluate",
    "s2c_core.commands.make_dataset",
    "s2c_core.commands.train",
)


def _add_module_commands(commands) -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(commands)


def _run_generate(args: argparse.Namespace) -> int:
    reporter = ProgressReporter(args.progress)
    finals = {kind: getattr(args, kind) for kind in ("out", "audio_out", *_SCENE_OUTPUTS)}
    finals = {kind: path.resolve() for kind, path in finals.items() if path is not None}
    if not finals:
        raise ValueError("nothing to write: give --out, --blend, --fbx and/or --audio-out")
    options = GenerateOptions(
        engine=args.engine,
        seed=args.seed,
        mano=args.mano,
        rig_description=args.rig_description,
        checkpoint=args.checkpoint,
        hubert=args.hubert,
        sampler=args.sampler,
        steps=args.steps,
        device=args.device,
        refine_contacts=args.refine_contacts,
        key_range=tuple(args.key_range) if args.key_range else None,
    )
    character_scene.check_arguments(args)
    with StagedOutputs(finals, overwrite=args.overwrite) as staged:
        if args.scene:
            reporter.stage("blender", f"reading the character's hands from {args.scene.name}")
            folder = _scratch(staged, args.input).parent
            options = replace(options, **character_scene.describe_character(args, folder))
        motion = generate(args.input, options, reporter)
        motion_path = staged.path("out") if "out" in finals else _scratch(staged, args.input)
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
            run_headless(motion_path, [*scene_args, f"--take-name={args.input.stem}"])
        staged.commit()
    reporter.done(
        output=str(finals.get("out", "")),
        outputs={kind: str(path) for kind, path in finals.items()},
        engine=motion.metadata.engine,
        frames=motion.num_frames,
    )
    return 0


def _scratch(staged: StagedOutputs, input_path: Path) -> Path:
    """A HandMotion file inside the staging folder, for runs that only want a scene."""
    return next(iter(staged.staging.values())).parent / f"{input_path.stem}.npz"


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
    report["engines"] = {"midi": True, "s2c": report["torch"] is not None}
    report["problems"] = problems
    report["ok"] = not problems
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    reporter = ProgressReporter(getattr(args, "progress", "none"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = _print_warning
            return args.handler(args)
    except (ValueError, OSError, RuntimeError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        reporter.error(message)
        print(f"s2c: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        reporter.error("interrupted")
        print("s2c: interrupted", file=sys.stderr)
        return 130


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"s2c: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
