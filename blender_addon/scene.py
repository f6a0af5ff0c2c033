"""What the add-on's operators and the headless builder call: scene set-up, takes, export.

Plain functions over bpy data; the only bpy.ops used are the FBX/glTF exporters and
saving the .blend file. Outputs are written to a temporary file in the target folder and
renamed into place, so a failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bpy
import numpy as np

from s2c_core.hand.rig import REST_JOINTS_KEY, HandRig, builtin_rig, rig_from_rest_joints
from s2c_core.motion import HANDS, HandMotion, MotionFormatError, blender_length_problem
from s2c_core.music.keyboard import Keyboard

from . import camera, keying, piano
from . import rig as hand_rig

_ACTION_SUFFIX = {"left": "L", "right": "R"}

# FBX for Unity and Unreal: -Z forward / Y up is both importers' expectation; "All Local"
# scale bakes Blender's metres into the objects (100x, FBX unit = cm) so the file's unit
# scale stays 1.0 and neither engine adds a 100x scale to the root; bones keep Blender's
# Y-along-bone axes; no extra leaf bones (the rig has its own tip bones); animation is
# baked from the assigned actions only, every frame, without simplification. Meshes go out
# as their skinned cages (no modifiers applied), as they do to glTF.
FBX_SETTINGS = {
    "use_selection": True,
    "object_types": {"ARMATURE", "MESH", "EMPTY"},
    "axis_forward": "-Z",
    "axis_up": "Y",
    "apply_unit_scale": True,
    "apply_scale_options": "FBX_SCALE_ALL",
    "primary_bone_axis": "Y",
    "secondary_bone_axis": "X",
    "armature_nodetype": "NULL",
    "add_leaf_bones": False,
    "use_armature_deform_only": False,
    "use_mesh_modifiers": False,  # the skinned cage, not the hand's render subdivision
    "mesh_smooth_type": "FACE",
    "bake_anim": True,
    "bake_anim_use_all_bones": True,
    "bake_anim_use_nla_strips": False,
    "bake_anim_use_all_actions": False,
    "bake_anim_force_startend_keying": True,
    "bake_anim_step": 1.0,
    "bake_anim_simplify_factor": 0.0,
    "use_custom_props": True,
}


def ensure_piano(scene: bpy.types.Scene, keyboard: Keyboard | None = None) -> bpy.types.Object:
    """The scene's piano root ("S2C_Piano"), built from `keyboard` (default 88 keys) if missing."""
    existing = scene.objects.get(piano.PIANO_ROOT_NAME)
    return existing or piano.build_piano(scene, keyboard or Keyboard())


def ensure_hand_rigs(
    scene: bpy.types.Scene, rig: HandRig | None = None
) -> dict[str, bpy.types.Object]:
    """{'left', 'right'} -> hand armature, building any that is missing from `rig`.

    `rig` may be either side (default: the built-in right hand); the other is its mirror.
    """
    base = rig or builtin_rig("right")
    return {
        side: scene.objects.get(hand_rig.ARMATURE_NAMES[side])
        or hand_rig.build_hand(scene, base.for_side(side))
        for side in HANDS
    }


def rig_of(motion: HandMotion) -> HandRig:
    """The hand a take was made with: MANO's rest joints when the file carries them."""
    rest = motion.metadata.extra.get(REST_JOINTS_KEY)
    return (
        builtin_rig("right")
        if rest is None
        else rig_from_rest_joints(rest, motion.metadata.hand_model)
    )


def apply_take(
    scene: bpy.types.Scene,
    motion: HandMotion,
    *,
    take_name: str,
    frame_start: int = 1,
    animate_keys: bool = True,
) -> dict[str, bpy.types.Action]:
    """Key a HandMotion as new Actions ("<take>_L", "<take>_R", "<take>_Keys") and assign them.

    The first take also gets a camera and a light framing its hands (camera.py).

    Earlier takes stay in the file (fake user). Everything is checked before the scene is
    touched (the take, the hand its file asks for), and if building still fails, whatever
    this call added (piano, rigs, actions, materials) is removed: the scene is as it was.
    Returns 'left', 'right' and, when keys were animated and the take has notes, 'piano'.
    """
    motion.validate(take_name)
    too_long = blender_length_problem(motion.num_frames, motion.fps, frame_start)
    if too_long:
        raise MotionFormatError(f"{take_name}: {too_long}")
    rig = rig_of(motion)
    with _removed_on_failure():
        piano_root = ensure_piano(scene)
        armatures = ensure_hand_rigs(scene, rig)
        actions: dict[str, bpy.types.Action] = {}
        for side in HANDS:
            actions[side] = keying.hand_action(
                armatures[side],
                motion.hand(side),
                action_name=f"{take_name}_{_ACTION_SUFFIX[side]}",
                frame_start=frame_start,
            )
        if animate_keys:
            key_action = piano.build_key_action(
                piano_root, motion.notes, motion.fps, frame_start, action_name=f"{take_name}_Keys"
            )
            if key_action is not None:
                actions["piano"] = key_action
    for side in HANDS:
        keying.assign_hand_action(armatures[side], actions[side])
    if animate_keys:
        piano.assign_key_action(piano_root, actions.get("piano"))
    if motion.left.present.any() or motion.right.present.any():
        camera.ensure_camera_and_light(scene, motion, rig)
    set_timing(scene, motion.fps, frame_start, motion.num_frames)
    return actions


# The data a take adds; objects first, so removing them frees their meshes and armatures.
_ADDED_DATA = ("objects", "actions", "meshes", "armatures", "materials", "collections")


@contextmanager
def _removed_on_failure() -> Iterator[None]:
    """Remove every datablock created in the body if the body raises."""
    before = {kind: set(getattr(bpy.data, kind)) for kind in _ADDED_DATA}
    try:
        yield
    except BaseException:
        for kind in _ADDED_DATA:
            blocks = getattr(bpy.data, kind)
            for block in [block for block in blocks if block not in before[kind]]:
                blocks.remove(block)
        raise


def set_timing(scene: bpy.types.Scene, fps: float, frame_start: int, frames: int) -> None:
    # Blender's rate is fps / fps_base with an integer fps; 29.97 becomes 30 / 1.001.
    scene.render.fps = max(1, round(fps))
    scene.render.fps_base = scene.render.fps / fps
    scene.frame_start = frame_start
    scene.frame_end = frame_start + max(frames, 1) - 1
    scene.frame_set(frame_start)


def reduce_keys(
    action: bpy.types.Action, *, every_nth: int | None = None, tolerance: float | None = None
) -> int:
    """Thin every fcurve of `action` for hand editing; returns the number of keys left.

    every_nth keeps every Nth key (and the last); tolerance drops keys while the straight
    line between the kept ones stays within `tolerance` of every dropped key (Ramer-
    Douglas-Peucker per curve). Exactly one must be given. What is left are ordinary keys
    with the curve's interpolation, ready to edit.
    """
    if (every_nth is None) == (tolerance is None):
        raise ValueError("reduce_keys needs exactly one of every_nth or tolerance")
    if every_nth is not None and every_nth < 1:
        raise ValueError(f"every_nth must be >= 1, got {every_nth}")
    if tolerance is not None and not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    kept = 0
    for fcurve in keying.action_fcurves(action):
        co = np.empty(2 * len(fcurve.keyframe_points), dtype=np.float32)
        fcurve.keyframe_points.foreach_get("co", co)
        co = co.reshape(-1, 2)
        if len(co) < 3:  # nothing between the end keys to thin
            kept += len(co)
            continue
        if every_nth is not None:
            keep = _every_nth(len(co), every_nth)
        else:
            keep = _simplify(co[:, 0], co[:, 1], tolerance)
        interpolation = fcurve.keyframe_points[0].interpolation
        keying.set_keys(fcurve, co[keep, 0], co[keep, 1], interpolation=interpolation)
        kept += int(np.count_nonzero(keep))
    return kept


def _every_nth(count: int, n: int) -> np.ndarray:
    keep = np.arange(count) % n == 0
    keep[-1:] = True
    return keep


def _simplify(x: np.ndarray, y: np.ndarray, tolerance: float) -> np.ndarray:
    """Ramer-Douglas-Peucker in value only (x is time): bool mask of keys to keep."""
    keep = np.zeros(len(x), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(x) - 1)]
    while stack:
        lo, hi = stack.pop()
        if hi - lo < 2:
            continue
        inner = np.arange(lo + 1, hi)
        line = y[lo] + (y[hi] - y[lo]) * (x[inner] - x[lo]) / (x[hi] - x[lo])
        error = np.abs(y[inner] - line)
        worst = int(np.argmax(error))
        if error[worst] > tolerance:
            mid = int(inner[worst])
            keep[mid] = True
            stack += [(lo, mid), (mid, hi)]
    return keep


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the body succeeds.

    The temporary file lives in its own fresh folder so exporters that write side files
    (Blender's .blend1 backups, for one) never touch the target folder.
    """
    path = Path(path)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        temporary = staging / path.name
        yield temporary
        if not temporary.is_file():
            raise OSError(f"{path}: the exporter wrote nothing")
        os.replace(temporary, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def export_fbx(
    path: str | os.PathLike,
    *,
    include_piano: bool = True,
    objects: list[bpy.types.Object] | None = None,
    simplify: bool = False,
) -> Path:
    """Export the hands (and the piano), or the given objects, with baked animation as FBX
    for Unity/Unreal.

    The exporter bakes location, rotation and scale of every bone and object on every frame
    (most of a file is the 88 piano keys standing still). simplify: keep only the samples
    where a channel changes by more than ~0.1 % (Blender's factor 1.0): 25-30x smaller,
    joints off by up to ~3 mm (measured on a 166 s piece, docs/performance.md).
    """
    path = Path(path)
    chosen = objects if objects is not None else _export_objects(include_piano)
    settings = FBX_SETTINGS | ({"bake_anim_simplify_factor": 1.0} if simplify else {})
    with atomic_output(path) as temporary, _selected(chosen):
        _run_exporter(bpy.ops.export_scene.fbx, filepath=str(temporary), **settings)
    return path


def export_gltf(path: str | os.PathLike, *, include_piano: bool = True) -> Path:
    """Export as glTF binary (.glb) or JSON (.gltf, by extension) with the assigned actions."""
    path = Path(path)
    file_format = "GLTF_SEPARATE" if path.suffix.lower() == ".gltf" else "GLB"
    with atomic_output(path) as temporary, _selected(_export_objects(include_piano)):
        _run_exporter(
            bpy.ops.export_scene.gltf,
            filepath=str(temporary),
            export_format=file_format,
            use_selection=True,
            export_animations=True,
            export_animation_mode="ACTIVE_ACTIONS",
            # The actions already hold a key per frame; re-sampling them is 10x slower.
            export_force_sampling=False,
            export_skins=True,
            export_yup=True,
        )
    return path


def save_blend(path: str | os.PathLike) -> Path:
    """Save a copy of the current file (the session keeps its own file path)."""
    path = Path(path)
    with atomic_output(path) as temporary:
        _run_exporter(bpy.ops.wm.save_as_mainfile, filepath=str(temporary), copy=True)
    return path


def _run_exporter(operator, **settings) -> None:
    result = operator(**settings)
    if "FINISHED" not in result:
        raise RuntimeError(f"{operator.idname_py()} did not finish ({', '.join(result)})")


def _export_objects(include_piano: bool) -> list[bpy.types.Object]:
    """The hand armatures with their meshes, plus the piano root and its children."""
    scene = bpy.context.scene
    roots = [scene.objects.get(name) for name in hand_rig.ARMATURE_NAMES.values()]
    if include_piano:
        roots.append(scene.objects.get(piano.PIANO_ROOT_NAME))
    objects = []
    for root in filter(None, roots):
        objects += [root, *root.children_recursive]
    if not objects:
        raise RuntimeError("nothing to export: the scene has no S2C hands or piano")
    return objects


@contextmanager
def _selected(objects: list[bpy.types.Object]) -> Iterator[None]:
    """Select exactly `objects` for an exporter's use_selection, then restore the selection."""
    view_layer = bpy.context.view_layer
    before = [obj for obj in view_layer.objects if obj.select_get()]
    try:
        for obj in view_layer.objects:
            obj.select_set(obj in objects)
        yield
    finally:
        for obj in view_layer.objects:
            obj.select_set(obj in before)
