"""A take on the user's own character, without the Blender UI (the backend's --scene mode).

    python -m blender_addon.headless_character describe SCENE.blend --target-rig NAME
        [--rig-preset FILE.json] [--piano SPEC] --out RIG.json
    python -m blender_addon.headless_character key SCENE.blend TAKE.npz --target-rig NAME
        [--rig-preset FILE.json] [--piano SPEC] [--piano-keys PATTERN]
        [--arm-ik] [--blend OUT.blend] [--fbx OUT.fbx] [--take-name NAME] [--frame-start N]

`describe` writes the rig description of the character's hands in the piano's frame (and
the piano's key range, if it has one) for `s2c generate --rig-description`; `key` keys the
take made for it onto the armature and writes the outputs. With no --piano the scene's
built-in piano ("S2C_Piano") is used, or one is built in front of the character. SPEC is
user_piano.frame_from_spec's. The input scene file is never written: outputs go to their
own paths, all or none; an output path equal to the scene's is refused. Errors are one
"error: ..." line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import bpy
import numpy as np
from mathutils import Matrix

from s2c_core.hand.rig_description import write_rig_description
from s2c_core.motion import load_motion

from . import piano, retarget, retarget_ik, user_piano
from . import scene as s2c_scene
from .headless import BAD_INPUT, exit_status
from .retarget_names import BoneMapping, load_preset

PIANO_KEY = "piano"  # rig description extra: {"key_range": [low, high] | null}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m blender_addon.headless_character")
    steps = parser.add_subparsers(dest="step", required=True)
    for name in ("describe", "key"):
        step = steps.add_parser(name)
        step.add_argument("scene", type=Path, help="the character's .blend file (read only)")
        if name == "key":
            step.add_argument("take", type=Path, help="HandMotion .npz made for the character")
        step.add_argument("--target-rig", required=True, help="the character's armature")
        step.add_argument("--rig-preset", type=Path, help="bone mapping preset (JSON)")
        step.add_argument("--piano", help="piano object, or two references with pitches")
    describe, key = steps.choices["describe"], steps.choices["key"]
    describe.add_argument("--out", type=Path, required=True, help="rig description to write")
    key.add_argument("--piano-keys", help="name pattern of the piano's key objects to press")
    key.add_argument("--arm-ik", action="store_true", help="IK constraints instead of baking")
    key.add_argument("--blend", type=Path, help="write the scene with the take as .blend")
    key.add_argument("--fbx", type=Path, help="write the character (and piano) as FBX")
    key.add_argument("--take-name", help="Action name (default: the take file's stem)")
    key.add_argument("--frame-start", type=int, default=1)
    return parser


def _open(args: argparse.Namespace) -> tuple[bpy.types.Object, BoneMapping]:
    if not args.scene.is_file():
        raise OSError(f"{args.scene}: scene file not found")
    bpy.ops.wm.open_mainfile(filepath=str(args.scene), load_ui=False)
    armature = bpy.context.scene.objects.get(args.target_rig)
    if armature is None or armature.type != "ARMATURE":
        raise ValueError(f"{args.scene}: no armature named {args.target_rig!r} in the scene")
    preset = load_preset(args.rig_preset) if args.rig_preset else None
    return armature, retarget.mapping_for(armature, preset)


def _piano(
    args: argparse.Namespace, armature: bpy.types.Object, mapping: BoneMapping
) -> tuple[np.ndarray, tuple[int, int] | None, bpy.types.Object | None]:
    """(piano frame, key range, built-in piano root or None)."""
    scene = bpy.context.scene
    if args.piano:
        shoulders = [mapping.bones[side]["upper_arm"] for side in ("left", "right")]
        player = user_piano.player_position(armature, shoulders)
        matrix, key_range = user_piano.frame_from_spec(scene, args.piano, player)
        root = scene.objects.get(args.piano)
        return matrix, key_range, root if root and root.name == piano.PIANO_ROOT_NAME else None
    root = scene.objects.get(piano.PIANO_ROOT_NAME)
    if root is None:
        root = s2c_scene.ensure_piano(scene)
        root.matrix_world = Matrix(retarget.piano_in_front(armature, mapping).tolist())
        bpy.context.view_layer.update()
    return np.array(root.matrix_world), None, root


def describe(args: argparse.Namespace) -> None:
    armature, mapping = _open(args)
    matrix, key_range, _ = _piano(args, armature, mapping)
    description = retarget.describe(armature, mapping, matrix)
    path = write_rig_description(args.out, description)
    data = json.loads(path.read_text())
    data[PIANO_KEY] = {"key_range": list(key_range) if key_range else None}
    path.write_text(json.dumps(data, indent=1))


def key(args: argparse.Namespace) -> None:
    outputs = {kind: getattr(args, kind) for kind in ("blend", "fbx") if getattr(args, kind)}
    if not outputs:
        raise OSError("nothing to write: give --blend and/or --fbx")
    for path in outputs.values():
        if path.resolve() == args.scene.resolve():
            raise OSError(f"{path}: would overwrite the input scene; write elsewhere")
    motion = load_motion(args.take)
    armature, mapping = _open(args)
    matrix, key_range, root = _piano(args, armature, mapping)
    name = args.take_name or args.take.stem
    action = retarget.build_take_action(
        armature, mapping, motion, matrix, action_name=name, frame_start=args.frame_start,
        arm_ik=args.arm_ik,
    )  # fmt: skip
    retarget.assign_take(armature, action)
    if args.arm_ik:
        retarget_ik.assign_targets(
            retarget_ik.ensure_arm_ik(bpy.context.scene, armature, mapping), action
        )
    keyed = [root] if root else []
    if root is not None:
        piano.animate_keys(root, motion.notes, motion.fps, args.frame_start,
                           action_name=f"{name}_Keys")  # fmt: skip
    elif args.piano_keys:
        low, high = key_range or (21, 108)
        keys = user_piano.find_key_objects(bpy.context.scene.objects, args.piano_keys, low, high)
        key_action = user_piano.build_user_key_action(
            keys, motion.notes, motion.fps, args.frame_start, matrix, action_name=f"{name}_Keys"
        )
        user_piano.assign_user_key_action(keys, key_action)
        keyed = list(keys.values())
    s2c_scene.set_timing(bpy.context.scene, motion.fps, args.frame_start, motion.num_frames)
    objects = [armature, *armature.children_recursive]
    for obj in keyed:
        objects += [obj, *obj.children_recursive]
    with ExitStack() as stack:
        for kind, path in outputs.items():
            temporary = stack.enter_context(s2c_scene.atomic_output(path))
            if kind == "blend":
                s2c_scene.save_blend(temporary)
            else:
                s2c_scene.export_fbx(temporary, objects=objects)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    step = describe if args.step == "describe" else key
    return exit_status(lambda: step(args), BAD_INPUT)


if __name__ == "__main__":
    sys.exit(main())
