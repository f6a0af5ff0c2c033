"""The user's own piano: its frame fitted from two references, a 61-key range, its key
objects pressed, and the character's fingertips on its keys."""

from dataclasses import replace

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from mathutils import Matrix  # noqa: E402

from blender_addon import retarget, user_piano  # noqa: E402
from blender_addon.user_piano import PianoFitError  # noqa: E402
from s2c_core.engines.midi.engine import generate_from_notes  # noqa: E402
from s2c_core.hand.rotations import axis_angle_to_matrix  # noqa: E402
from s2c_core.music.key_range import fold_into_range  # noqa: E402
from s2c_core.music.keyboard import Keyboard  # noqa: E402
from tests.blender_addon.character_rigs import build_character, fingertip_contact  # noqa: E402
from tests.blender_addon.test_retarget import clip  # noqa: E402, F401

LOW, HIGH = user_piano.KEY_RANGES[61]
SCALE = 0.95


def build_user_piano(scene, matrix: np.ndarray) -> dict[int, bpy.types.Object]:
    """61 box keys "key.036".."key.096" of the standard key sizes under an empty."""
    root = bpy.data.objects.new("MyPiano", None)
    scene.collection.objects.link(root)
    root.matrix_world = Matrix(matrix.tolist())
    keys = {}
    for key in Keyboard().keys[LOW - 21 : HIGH - 20]:
        mesh = bpy.data.meshes.new(f"key.{key.pitch:03d}")
        x0, x1, y0, y1, z1 = key.x_left, key.x_right, key.y_front, key.y_back, key.z_top
        corners = [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z1 - 0.02, z1)]
        faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
        mesh.from_pydata(corners, [], faces)
        obj = bpy.data.objects.new(mesh.name, mesh)
        scene.collection.objects.link(obj)
        obj.parent = root
        keys[key.pitch] = obj
    bpy.context.view_layer.update()
    return keys


@pytest.fixture
def staged(scene):
    armature = build_character(scene, "unreal", 1.2)
    mapping = retarget.mapping_for(armature)
    turn = SCALE * axis_angle_to_matrix(np.array([0.0, 0.0, 0.3]))  # level, as pianos are
    offset = np.eye(4)
    offset[:3, :3] = turn
    offset[:3, 3] = [0.1, 0.02, 0.03]
    matrix = retarget.piano_in_front(armature, mapping) @ offset
    keys = build_user_piano(scene, matrix)
    shoulders = [mapping.bones[s]["upper_arm"] for s in ("left", "right")]
    player = user_piano.player_position(armature, shoulders)
    return armature, mapping, matrix, keys, player


def test_frame_fitted_from_two_keys_or_two_corners(staged):
    _, _, matrix, keys, player = staged
    tops = user_piano.top_middle(keys[LOW]), user_piano.top_middle(keys[HIGH])
    assert np.allclose(user_piano.frame_from_keys(*tops, LOW, HIGH, player), matrix, atol=1e-6)
    keyboard = Keyboard()
    corners = [
        (matrix @ np.array([keyboard.key(LOW).x_left, 0, 0, 1]))[:3],
        (matrix @ np.array([keyboard.key(HIGH).x_right, 0, 0, 1]))[:3],
    ]
    assert np.allclose(user_piano.frame_from_edges(*corners, LOW, HIGH, player), matrix, atol=1e-6)


def test_swapped_references_and_bad_ranges_are_refused(staged):
    _, _, _, keys, player = staged
    tops = user_piano.top_middle(keys[LOW]), user_piano.top_middle(keys[HIGH])
    with pytest.raises(PianoFitError, match="look swapped"):
        user_piano.frame_from_keys(tops[1], tops[0], LOW, HIGH, player)
    with pytest.raises(PianoFitError, match="must rise"):
        user_piano.frame_from_keys(*tops, HIGH, LOW, player)
    with pytest.raises(PianoFitError, match="scale"):
        user_piano.frame_from_keys(*tops, 60, 62, player)


def test_character_plays_the_61_key_piano_and_its_keys_go_down(scene, staged, clip):  # noqa: F811
    armature, mapping, _, keys, player = staged
    tops = user_piano.top_middle(keys[LOW]), user_piano.top_middle(keys[HIGH])
    frame = user_piano.frame_from_keys(*tops, LOW, HIGH, player)
    notes = fold_into_range(replace(clip, pitch=clip.pitch - 12), LOW, HIGH)  # some below C2
    assert notes.pitch.min() >= LOW
    motion = generate_from_notes(notes, rig=retarget.describe(armature, mapping, frame).rigs())
    action = retarget.build_take_action(armature, mapping, motion, frame, action_name="take")
    retarget.assign_take(armature, action)
    assert fingertip_contact(scene, armature, mapping, motion, frame).mean() >= 0.98

    found = user_piano.find_key_objects(scene.objects, "key.{pitch}", LOW, HIGH)
    assert sorted(found) == list(range(LOW, HIGH + 1))
    key_action = user_piano.build_user_key_action(
        found, motion.notes, motion.fps, 1, frame, action_name="keys"
    )
    user_piano.assign_user_key_action(found, key_action)
    pitch, onset = int(motion.notes[0, 0]), motion.notes[0, 1]
    scene.frame_set(1)
    rest = np.array(found[pitch].matrix_world.translation)
    scene.frame_set(1 + int(np.ceil(onset * motion.fps)))
    moved = np.array(found[pitch].matrix_world.translation) - rest
    travel = Keyboard().geometry.key_travel * SCALE
    assert np.allclose(moved, -travel * frame[:3, 2] / np.linalg.norm(frame[:3, 2]), atol=1e-6)


@pytest.mark.parametrize(
    ("pattern", "name", "pitch"),
    [("Key_{name}", "Key_C#4", 61), ("Key_{name}", "Key_Db4", 61), ("Key_{name}", "Key_Cs4", 61),
     ("key.{pitch}", "key.036", 36), ("K{index}", "K12", 48)],
)  # fmt: skip
def test_key_name_patterns(pattern, name, pitch):
    match = user_piano.key_pattern(pattern).fullmatch(name)
    assert match is not None and user_piano.pitch_of(match, 36) == pitch
