"""The panel's Target Rig and Piano settings, turned into a backend request and a take.

When the scene's Target Rig is an armature (not the built-in hands), Generate writes the
rig description of its rest hands (in the chosen piano's frame) next to the backend's
output and passes it with `--rig-description` (and `--key-range` for a smaller keyboard);
the finished take is keyed onto that armature (retarget) and the chosen piano's keys are
pressed. The bone mapping is the panel's table when it has rows, else what the naming
conventions find.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import bpy
import numpy as np
from mathutils import Matrix

from s2c_core.hand.rig_description import write_rig_description
from s2c_core.motion import HandMotion

from . import piano, retarget, retarget_ik, user_piano
from . import scene as scene_api
from .backend import GenerateRequest
from .retarget_names import SIDES, SLOTS, BoneMapping

RIG_DESCRIPTION_NAME = "rig_description.json"


@dataclass
class Stage:
    """Where a character take plays: armature, bones, piano frame and what to press."""

    armature: bpy.types.Object
    mapping: BoneMapping
    piano_matrix: np.ndarray
    key_range: tuple[int, int] | None
    builtin_piano: bpy.types.Object | None
    user_keys: dict[int, bpy.types.Object]


def table_mapping(settings) -> BoneMapping | None:
    """The panel's mapping table as a BoneMapping (None when it is empty)."""
    if not len(settings.bones):
        return None
    bones: dict[str, dict[str, str]] = {side: {} for side in SIDES}
    for row in settings.bones:
        if row.bone:
            bones[row.side][row.slot] = row.bone
    return BoneMapping(settings.bone_convention or "table", bones)


def fill_table(settings, mapping: BoneMapping) -> None:
    """Show `mapping` in the panel's table, one row per side and slot."""
    settings.bones.clear()
    settings.bone_convention = mapping.convention
    for side in SIDES:
        for slot in SLOTS:
            row = settings.bones.add()
            row.side, row.slot, row.bone = side, slot, mapping.bone(side, slot) or ""


def stage_for(scene: bpy.types.Scene, *, build_piano: bool) -> Stage | None:
    """The scene's character stage, or None when the target is the built-in hands.

    `build_piano` adds the built-in piano in front of the character if the scene has none
    (the panel does this only when keying, never while merely checking the settings)."""
    settings = scene.s2c_hands
    armature = settings.target_rig
    if armature is None:
        return None
    mapping = retarget.mapping_for(armature, table_mapping(settings))
    shoulders = [mapping.bones[side]["upper_arm"] for side in SIDES]
    player = user_piano.player_position(armature, shoulders)
    if settings.piano_mode == "builtin":
        root = scene.objects.get(piano.PIANO_ROOT_NAME)
        if root is None:
            matrix = retarget.piano_in_front(armature, mapping)
            if build_piano:
                root = scene_api.ensure_piano(scene)
                root.matrix_world = Matrix(matrix.tolist())
                bpy.context.view_layer.update()
        else:
            matrix = np.array(root.matrix_world)
        return Stage(armature, mapping, matrix, None, root, {})
    low, high = settings.piano_low_pitch, settings.piano_high_pitch
    if settings.piano_mode == "objects":
        objects = settings.piano_low_object, settings.piano_high_object
        if None in objects:
            raise user_piano.PianoFitError("pick the lowest and the highest key objects")
        tops = [user_piano.top_middle(obj) for obj in objects]
        matrix = user_piano.frame_from_keys(*tops, low, high, player)
    else:
        points = np.array(settings.piano_low_point), np.array(settings.piano_high_point)
        matrix = user_piano.frame_from_edges(*points, low, high, player)
    keys = (
        user_piano.find_key_objects(scene.objects, settings.piano_keys_pattern, low, high)
        if settings.piano_keys_pattern
        else {}
    )
    return Stage(armature, mapping, matrix, (low, high), None, keys)


def prepare_request(
    scene: bpy.types.Scene, request: GenerateRequest, workdir: Path
) -> GenerateRequest:
    """The request with the character's rig description (written into `workdir`)."""
    stage = stage_for(scene, build_piano=False)
    if stage is None:
        return request
    description = retarget.describe(stage.armature, stage.mapping, stage.piano_matrix)
    path = write_rig_description(workdir / RIG_DESCRIPTION_NAME, description)
    return replace(request, rig_description=path, key_range=stage.key_range)


def key_character_take(
    scene: bpy.types.Scene, motion: HandMotion, *, take_name: str, frame_start: int
) -> dict[str, bpy.types.Action]:
    """Key the take onto the target armature and press the piano's keys; every Action is
    built before any is assigned, and removed again if one fails."""
    stage = stage_for(scene, build_piano=True)
    actions: dict[str, bpy.types.Action] = {}
    try:
        arm_ik = scene.s2c_hands.arm_ik
        actions["character"] = retarget.build_take_action(
            stage.armature, stage.mapping, motion, stage.piano_matrix,
            action_name=take_name, frame_start=frame_start, arm_ik=arm_ik,
        )  # fmt: skip
        keys_name = f"{take_name}_Keys"
        if stage.builtin_piano is not None:
            keys = piano.build_key_action(
                stage.builtin_piano, motion.notes, motion.fps, frame_start, action_name=keys_name
            )
        else:
            keys = user_piano.build_user_key_action(
                stage.user_keys, motion.notes, motion.fps, frame_start, stage.piano_matrix,
                action_name=keys_name,
            )  # fmt: skip
        if keys is not None:
            actions["piano"] = keys
    except BaseException:
        for action in actions.values():
            bpy.data.actions.remove(action)
        raise
    retarget.assign_take(stage.armature, actions["character"])
    if arm_ik:
        targets = retarget_ik.ensure_arm_ik(scene, stage.armature, stage.mapping)
        retarget_ik.assign_targets(targets, actions["character"])
    if stage.builtin_piano is not None:
        piano.assign_key_action(stage.builtin_piano, actions.get("piano"))
    else:
        user_piano.assign_user_key_action(stage.user_keys, actions.get("piano"))
    scene_api.set_timing(scene, motion.fps, frame_start, motion.num_frames)
    return actions
