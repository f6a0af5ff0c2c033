"""Retargeting speed and contact on a ~3-minute piece: the take planned for a character's
hands and keyed onto its armature.

    python benchmarks/bench_retarget.py [--piece mz_331_3] [--rig mixamo|unreal|...|rigify]
        [--hand-scale 1.2]

Builds the character (a test rig in that naming convention, or a Rigify rig generated
from Blender's bundled metarig), puts the built-in piano in front of it, then times the
three steps a user waits for: describing the rest hands, the MIDI engine planning for
them, and keying the take onto the armature (one Action, both arms and hands). Finally
measures strict key contact from Blender's evaluated pose at every note onset, beside
the engine's own (its joints), which is the most retargeting can keep.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bpy  # noqa: E402
import numpy as np  # noqa: E402
from mathutils import Matrix  # noqa: E402

from blender_addon import retarget  # noqa: E402
from blender_addon import scene as s2c_scene  # noqa: E402
from s2c_core.engines.midi.engine import generate_from_midi  # noqa: E402
from s2c_core.engines.midi.metrics import key_contact  # noqa: E402
from s2c_core.music.keyboard import Keyboard  # noqa: E402
from tests.blender_addon.character_rigs import (  # noqa: E402
    build_character,
    fingertip_contact,
    generate_rigify,
)

SHARED_MIDI = REPO.parent / "shared" / "data" / "midi"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--piece", default="mz_331_3")
    parser.add_argument("--rig", default="mixamo")
    parser.add_argument("--hand-scale", type=float, default=1.2)
    args = parser.parse_args()
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    if args.rig == "rigify":
        armature = generate_rigify(scene)
        armature.scale = (args.hand_scale,) * 3
        tip = "DEF-{}".format
    else:
        armature = build_character(scene, args.rig, args.hand_scale)
        tip = str
    bpy.context.view_layer.update()

    start = time.perf_counter()
    mapping = retarget.mapping_for(armature)
    piano = retarget.piano_in_front(armature, mapping)
    s2c_scene.ensure_piano(scene).matrix_world = Matrix(piano.tolist())
    description = retarget.describe(armature, mapping, piano)
    described = time.perf_counter()
    motion = generate_from_midi(SHARED_MIDI / f"{args.piece}.mid", rig=description.rigs())
    planned = time.perf_counter()
    action = retarget.build_take_action(armature, mapping, motion, piano, action_name="take")
    retarget.assign_take(armature, action)
    keyed = time.perf_counter()
    contact = fingertip_contact(scene, armature, mapping, motion, piano, tip)

    print(f"piece {args.piece}: {motion.duration:.0f} s, {motion.num_frames} frames, "
          f"{len(motion.notes)} notes; rig {mapping.convention} x{args.hand_scale}")  # fmt: skip
    print(f"find bones + describe hands {described - start:6.2f} s")
    print(f"MIDI engine for these hands {planned - described:6.2f} s")
    print(f"key arms, hands, fingers    {keyed - planned:6.2f} s")
    print(f"total                       {keyed - start:6.2f} s "
          f"({motion.duration / (keyed - start):.0f}x real time)")  # fmt: skip
    own = key_contact(motion, Keyboard()).mean()
    print(f"strict key contact: {np.mean(contact):.2%} in Blender's evaluated pose, "
          f"{own:.2%} in the engine's own joints")  # fmt: skip


if __name__ == "__main__":
    main()
