"""Keying speed: bulk foreach_set fcurves vs one keyframe_insert per bone per frame.

    python benchmarks/bench_keying.py [--frames 3600]

Keys 2 hands x 16 bones (quaternions, plus the wrist location) for --frames frames, once
through blender_addon.keying (timed including the MANO -> bone conversion) and once the
way a naive script would (set the pose bone, keyframe_insert, per bone per frame, with
the quaternions already computed). Prints both times and the ratio (target >= 20x).
"""

from __future__ import annotations

import argparse
import time

import bpy
import numpy as np

from blender_addon import keying
from blender_addon.scene import ensure_hand_rigs
from s2c_core.hand.fk import build_track
from s2c_core.hand.rig import builtin_rig
from s2c_core.motion import HANDS, HandTrack


def synthetic_track(side: str, frames: int) -> HandTrack:
    """Smooth playing-like motion: fingers curl in and out, the wrist sweeps the keyboard."""
    rig = builtin_rig(side)
    t = np.arange(frames)[:, None] / 30.0
    phase = np.linspace(0.0, 2.0 * np.pi, 15, endpoint=False)
    mid = rig.flex_limits.mean(axis=1)
    flexion = mid + 0.4 * (rig.flex_limits[:, 1] - mid) * np.sin(2.0 * np.pi * t + phase)
    hand_pose = rig.pose_from_angles(np.zeros_like(flexion), flexion)
    global_orient = np.column_stack([0.3 * np.sin(t[:, 0]), np.zeros(frames), np.zeros(frames)])
    wrist = np.column_stack(
        [0.6 + 0.3 * np.sin(0.2 * t[:, 0]), -0.08 * np.ones(frames), 0.1 * np.ones(frames)]
    )
    return build_track(rig, global_orient, hand_pose, wrist, np.ones(frames, dtype=bool))


def key_bulk(armatures: dict, tracks: dict) -> float:
    start = time.perf_counter()
    for side in HANDS:
        action = keying.hand_action(
            armatures[side], tracks[side], action_name=f"bulk_{side}", frame_start=1
        )
        keying.assign_hand_action(armatures[side], action)
    return time.perf_counter() - start


def key_per_frame(armatures: dict, tracks: dict) -> float:
    channels = {}
    for side in HANDS:
        armature = armatures[side]
        armature.animation_data_clear()
        root_head = np.array(armature.data.bones[keying.ROOT_BONE].head_local)
        channels[side] = keying.pose_channels(
            tracks[side], keying.rest_rotations(armature), root_head
        )
    start = time.perf_counter()
    for side in HANDS:
        bones = [armatures[side].pose.bones[name] for name in keying.KEYED_BONES]
        quats, location = channels[side]
        for f in range(len(quats)):
            for b, bone in enumerate(bones):
                bone.rotation_quaternion = quats[f, b]
                bone.keyframe_insert("rotation_quaternion", frame=f + 1, group=bone.name)
            bones[0].location = location[f]
            bones[0].keyframe_insert("location", frame=f + 1, group=bones[0].name)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=3600)
    frames = parser.parse_args().frames
    bpy.ops.wm.read_factory_settings(use_empty=True)
    armatures = ensure_hand_rigs(bpy.context.scene)
    tracks = {side: synthetic_track(side, frames) for side in HANDS}
    bulk = key_bulk(armatures, tracks)
    naive = key_per_frame(armatures, tracks)
    bones = len(keying.KEYED_BONES)
    print(f"keying 2 hands x {bones} bones x {frames} frames, Blender {bpy.app.version_string}")
    print(f"  foreach_set (blender_addon.keying): {bulk:8.3f} s")
    print(f"  keyframe_insert per bone per frame: {naive:8.3f} s")
    print(f"  ratio: {naive / bulk:.1f}x (target >= 20x)")


if __name__ == "__main__":
    main()
