"""The panel's Target Rig and Piano: find bones, edit/save/load the mapping, Generate onto
the character with the real backend (MIDI engine), and one clear error for bad settings."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from .addon_helpers import REPO_ROOT, empty_scene, enabled_addon

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

from blender_addon import operators, piano, retarget, retarget_operators  # noqa: E402
from blender_addon.preferences import backend_settings  # noqa: E402
from blender_addon.retarget_names import SLOTS, MappingError  # noqa: E402
from blender_addon.ui import S2C_PT_character  # noqa: E402
from s2c_core.engines.midi.engine import generate_from_midi, generate_from_notes  # noqa: E402
from s2c_core.music.key_range import fold_into_range  # noqa: E402
from s2c_core.music.midi import read_midi  # noqa: E402
from tests.blender_addon.character_rigs import build_character, fingertip_contact  # noqa: E402
from tests.engines.midi.midi_files import C_MAJOR, run, write_midi  # noqa: E402

from .test_ui import Proxy, RecordingLayout  # noqa: E402

# The real backend CLI from this checkout (the add-on strips PYTHONPATH for its backend).
REAL_BACKEND = [sys.executable, "-c", f"import sys, runpy; sys.path.insert(0, {str(REPO_ROOT)!r}); "
                "runpy.run_module('s2c_core', run_name='__main__', alter_sys=True)"]  # fmt: skip


@pytest.fixture
def scene(tmp_path):
    with enabled_addon(sys.executable):
        scene = empty_scene()
        notes = run([60 + p for p in C_MAJOR]) + run([48 + p for p in C_MAJOR], start=0.6)
        scene.s2c_hands.input_path = str(write_midi(tmp_path / "clip.mid", {"piano": notes}))
        scene.s2c_hands.target_rig = build_character(scene, "mpfb", 0.85, name="Hero")
        yield scene


def test_find_bones_edit_save_and_load_a_preset(scene, tmp_path):
    settings = scene.s2c_hands
    assert retarget_operators.find_bones(scene) == "MPFB / MakeHuman"
    assert len(settings.bones) == 2 * len(SLOTS)
    row = next(r for r in settings.bones if (r.side, r.slot) == ("left", "index2"))
    assert row.bone == "finger2-2.L"
    path = retarget_operators.save_bone_preset(scene, tmp_path / "mpfb.json")
    settings.bones.clear()
    retarget_operators.load_bone_preset(scene, path)
    assert len(settings.bones) == 2 * len(SLOTS)
    settings.bones.clear()
    assert bpy.ops.s2c.load_bone_preset(filepath=str(path)) == {"FINISHED"}
    assert len(settings.bones) == 2 * len(SLOTS)
    row = next(r for r in settings.bones if (r.side, r.slot) == ("right", "thumb3"))
    assert row.bone == "finger1-3.R"


def test_generate_keys_the_take_onto_the_character(scene, tmp_path):
    result = operators.generate_take(scene, backend_settings(bpy.context), command=REAL_BACKEND)
    hero = scene.s2c_hands.target_rig
    assert hero.animation_data.action == result.actions["character"]
    assert hero.animation_data.action.get(retarget.TAKE_PROPERTY)
    root = scene.objects[piano.PIANO_ROOT_NAME]  # built in front of the character
    piano_matrix = np.array(root.matrix_world)
    mapping = retarget.mapping_for(hero)
    description = retarget.describe(hero, mapping, piano_matrix)
    motion = generate_from_midi(scene.s2c_hands.input_path, rig=description.rigs())
    assert fingertip_contact(scene, hero, mapping, motion, piano_matrix).mean() >= 0.98
    assert "S2C_Hand_L" not in scene.objects  # the built-in hands were not added


def test_a_mapping_missing_a_bone_is_one_message_and_changes_nothing(scene):
    retarget_operators.find_bones(scene)
    row = next(r for r in scene.s2c_hands.bones if (r.side, r.slot) == ("right", "ring2"))
    row.bone = ""
    objects, actions = len(bpy.data.objects), len(bpy.data.actions)
    with pytest.raises(MappingError, match="no bone mapped for the right ring segment 2"):
        operators.generate_take(scene, backend_settings(bpy.context), command=REAL_BACKEND)
    assert (len(bpy.data.objects), len(bpy.data.actions)) == (objects, actions)


def test_an_armature_without_hands_is_refused_by_find_bones(scene):
    scene.s2c_hands.target_rig = bpy.data.objects.new("Rig", bpy.data.armatures.new("Rig"))
    with pytest.raises(MappingError, match="'Rig': no hand bones found"):
        retarget_operators.find_bones(scene)
    with pytest.raises(RuntimeError, match="S2C Hands: armature 'Rig': no hand bones found"):
        bpy.ops.s2c.find_bones()  # the operator's ERROR report
    assert not len(scene.s2c_hands.bones)


class TableLayout(RecordingLayout):
    def prop_search(self, data, name, search_data, search_name, **kwargs):
        assert name in data.bl_rna.properties and search_name in search_data.bl_rna.properties
        self.calls.append(("prop_search", getattr(data, name)))

    def _sub(self, *args, **kwargs):
        return TableLayout(self.calls)

    row = column = box = _sub


def test_the_panel_shows_rig_table_and_piano_choices(scene):
    owner = Proxy(None)
    owner.layout = TableLayout()
    S2C_PT_character.draw(owner, bpy.context)
    assert "s2c.find_bones" in owner.layout.ops()
    assert ("No mapping yet: Find Hand Bones or load a preset", "NONE") in owner.layout.labels()
    retarget_operators.find_bones(scene)
    scene.s2c_hands.piano_mode = "objects"
    owner.layout = TableLayout()
    S2C_PT_character.draw(owner, bpy.context)
    bones = [call[1] for call in owner.layout.calls if call[0] == "prop_search"]
    assert len(bones) == 2 * len(SLOTS) and "finger5-3.L" in bones
    props = [call[1] for call in owner.layout.calls if call[0] == "prop"]
    assert {"piano_low_object", "piano_high_pitch", "piano_keys_pattern"} <= set(props)
    scene.s2c_hands.piano_mode = "points"
    owner.layout = TableLayout()
    S2C_PT_character.draw(owner, bpy.context)
    assert owner.layout.ops().count("s2c.piano_point_from_cursor") == 2
    scene.cursor.location = (0.1, -0.4, 1.05)
    bpy.ops.s2c.piano_point_from_cursor(which="high")
    assert tuple(scene.s2c_hands.piano_high_point) == pytest.approx((0.1, -0.4, 1.05))


def test_generate_on_a_users_61_key_piano_presses_its_keys(scene, tmp_path):
    from tests.blender_addon.test_user_piano import build_user_piano

    settings = scene.s2c_hands
    notes = run([30, 55, 60, 64, 67, 100], start=0.5, step=0.4)  # two beyond C2..C7
    settings.input_path = str(write_midi(tmp_path / "wide.mid", {"piano": notes}))
    hero = settings.target_rig
    mapping = retarget.mapping_for(hero)
    matrix = retarget.piano_in_front(hero, mapping)
    keys = build_user_piano(scene, matrix)
    settings.piano_mode = "objects"
    settings.piano_low_object, settings.piano_high_object = keys[36], keys[96]
    settings.piano_low_pitch, settings.piano_high_pitch = 36, 96
    settings.piano_keys_pattern = "key.{pitch}"
    result = operators.generate_take(scene, backend_settings(bpy.context), command=REAL_BACKEND)
    assert piano.PIANO_ROOT_NAME not in scene.objects  # the user's piano, not ours
    pressed = {p for p, key in keys.items() if key.animation_data and key.animation_data.action}
    assert pressed == {42, 55, 60, 64, 67, 88}  # 30 and 100 played an octave inside
    assert keys[42].animation_data.action == result.actions["piano"]
    description = retarget.describe(hero, mapping, matrix)
    motion = generate_from_notes(
        fold_into_range(read_midi(settings.input_path), 36, 96), rig=description.rigs()
    )
    assert fingertip_contact(scene, hero, mapping, motion, matrix).mean() >= 0.98
