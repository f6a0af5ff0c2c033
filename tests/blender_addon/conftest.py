"""Shared fixtures for the Blender tests: a factory-fresh scene and seeded HandMotions."""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from s2c_core.hand.fk import build_track  # noqa: E402
from s2c_core.hand.rig import builtin_rig  # noqa: E402
from s2c_core.motion import HandMotion, HandTrack, MotionMetadata  # noqa: E402

# pitch, onset s, offset s, velocity, hand, finger: a repeated C4, an E4 under it, a low A0.
NOTES = np.array(
    [
        [60, 0.10, 0.30, 80, 1, 1],
        [60, 0.30, 0.50, 80, 1, 1],
        [64, 0.00, 0.60, 70, 1, 3],
        [21, 0.20, 0.40, 60, 0, 5],
    ]
)


@pytest.fixture
def scene():
    """An empty factory scene, so every test starts from the same Blender state."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return bpy.context.scene


def random_track(side: str, frames: int, rng: np.random.Generator) -> HandTrack:
    """Independent random poses per frame, every joint inside the rig's limits."""
    rig = builtin_rig(side)
    abduction = rng.uniform(rig.abd_limits[:, 0], rig.abd_limits[:, 1], (frames, 15))
    flexion = rng.uniform(rig.flex_limits[:, 0], rig.flex_limits[:, 1], (frames, 15))
    axis = rng.normal(size=(frames, 3))
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    global_orient = axis * rng.uniform(0.0, 3.0, (frames, 1))
    wrist = rng.uniform((0.2, -0.15, 0.03), (1.0, 0.0, 0.15), (frames, 3))
    hand_pose = rig.pose_from_angles(abduction, flexion)
    return build_track(rig, global_orient, hand_pose, wrist, np.ones(frames, dtype=bool))


def random_motion(frames: int = 24, seed: int = 0, fps: float = 30.0) -> HandMotion:
    rng = np.random.default_rng(seed)
    return HandMotion(
        fps=fps,
        left=random_track("left", frames, rng),
        right=random_track("right", frames, rng),
        metadata=MotionMetadata(engine="test", seed=seed),
        notes=NOTES.copy(),
    )


@pytest.fixture
def make_motion():
    return random_motion


def sample_hand(armature, frame: int) -> tuple[np.ndarray, np.ndarray]:
    """World joints (21, 3) and MANO world rotations (16, 3, 3) of a keyed armature.

    A bone's world matrix is W_j @ B_j (B_j its world rest rotation), so W_j = M_j B_j^T;
    the world matrix is normalised because an imported FBX rig may carry unit scale.
    """
    from blender_addon.keying import KEYED_BONES
    from s2c_core.hand.skeleton import JOINT_NAMES

    bpy.context.scene.frame_set(frame)
    world = np.array(armature.matrix_world)
    pose, rest = armature.pose.bones, armature.data.bones
    joints = np.array([(armature.matrix_world @ pose[name].head)[:] for name in JOINT_NAMES])
    posed = np.array([world @ np.array(pose[name].matrix) for name in KEYED_BONES])[:, :3, :3]
    resting = np.array([world @ np.array(rest[n].matrix_local) for n in KEYED_BONES])[:, :3, :3]
    posed /= np.linalg.norm(posed, axis=-2, keepdims=True)
    resting /= np.linalg.norm(resting, axis=-2, keepdims=True)
    return joints, posed @ np.swapaxes(resting, -1, -2)


def expected_hand(motion: HandMotion, side: str, index: int) -> tuple[np.ndarray, np.ndarray]:
    """The HandMotion's own joints and FK world rotations at one motion frame."""
    from s2c_core.hand.fk import global_rotations

    track = motion.hand(side)
    rotations = global_rotations(
        track.global_orient[index].astype(float), track.hand_pose[index].astype(float)
    )
    return track.joints[index].astype(float), rotations


def signed_volume(mesh) -> float:
    """Volume enclosed by a closed mesh; positive only if every face normal points outward."""
    mesh.calc_loop_triangles()
    co = np.empty(3 * len(mesh.vertices))
    mesh.vertices.foreach_get("co", co)
    triangles = np.empty(3 * len(mesh.loop_triangles), dtype=np.int32)
    mesh.loop_triangles.foreach_get("vertices", triangles)
    a, b, c = co.reshape(-1, 3)[triangles.reshape(-1, 3)].transpose(1, 0, 2)
    return float(np.einsum("ij,ij->", a, np.cross(b, c)) / 6.0)
