"""`s2c generate --scene character.blend --target-rig NAME`: a take on the user's character.

Two Blender steps around the engine (blender_addon.headless_character): the first reads
the character's rest hands in the piano's frame into a rig description, the engine plans
for those hands, the second keys the take onto the armature and writes .blend/.fbx. The
scene file itself is only read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .blender_bridge import run_headless

HEADLESS_MODULE = "blender_addon.headless_character"


def add_arguments(gen: argparse.ArgumentParser) -> None:
    gen.add_argument(
        "--scene", type=Path, help="the character's .blend: key the take onto --target-rig"
    )
    gen.add_argument("--target-rig", help="with --scene: the character's armature object")
    gen.add_argument("--rig-preset", type=Path, help="with --scene: a bone mapping preset (JSON)")
    gen.add_argument(
        "--piano",
        help="with --scene: a piano object, or 'REF:PITCH/REF:PITCH' with REF a key object "
        "or an x,y,z point (default: the built-in piano, placed in front of the character)",
    )
    gen.add_argument("--piano-keys", help="with --scene: name pattern of key objects to press")
    gen.add_argument(
        "--arm-ik",
        action="store_true",
        help="with --scene: drive the arms by IK constraints with keyed targets (default: bake)",
    )
    gen.add_argument(
        "--key-range",
        nargs=2,
        type=int,
        metavar=("LOW", "HIGH"),
        help="lowest and highest MIDI pitch of a smaller keyboard; notes beyond are "
        "played octaves inside",
    )


def check_arguments(args: argparse.Namespace) -> None:
    character_only = ("target_rig", "rig_preset", "piano", "piano_keys", "arm_ik")
    if args.scene is None:
        given = [f"--{name.replace('_', '-')}" for name in character_only if getattr(args, name)]
        if given:
            raise ValueError(f"{given[0]} needs --scene")
        return
    if not args.target_rig:
        raise ValueError(f"{args.scene}: --scene needs --target-rig ARMATURE")
    if args.mano or args.rig_description:
        raise ValueError(f"{args.scene}: --scene plans for its own character; drop --mano / "
                         "--rig-description")  # fmt: skip
    if not args.scene.is_file():
        raise ValueError(f"{args.scene}: scene file not found")
    if not (args.blend or args.fbx):
        raise ValueError(f"{args.scene}: give --blend and/or --fbx to write the keyed scene")
    for output in (args.blend, args.fbx, args.out):
        if output is not None and output.resolve() == args.scene.resolve():
            raise ValueError(f"{output}: would overwrite the input scene; write elsewhere")


def _common(args: argparse.Namespace) -> list[str]:
    extra = ["--target-rig", args.target_rig]
    if args.rig_preset:
        extra += ["--rig-preset", str(args.rig_preset)]
    if args.piano:
        extra.append(f"--piano={args.piano}")
    return extra


def describe_character(args: argparse.Namespace, folder: Path) -> dict:
    """GenerateOptions fields for the character: its rig description (and key range)."""
    out = folder / "rig_description.json"
    run_headless("describe", [str(args.scene), *_common(args), "--out", str(out)],
                 module=HEADLESS_MODULE)  # fmt: skip
    key_range = json.loads(out.read_text()).get("piano", {}).get("key_range")
    if args.key_range:
        key_range = args.key_range
    return {"rig_description": out, "key_range": tuple(key_range) if key_range else None}


def key_character(args: argparse.Namespace, motion: Path, outputs: list[str]) -> None:
    extra = [str(args.scene), str(motion), *_common(args), *outputs,
             f"--take-name={args.input.stem}"]  # fmt: skip
    if args.piano_keys:
        extra += ["--piano-keys", args.piano_keys]
    if args.arm_ik:
        extra.append("--arm-ik")
    run_headless("key", extra, module=HEADLESS_MODULE)
