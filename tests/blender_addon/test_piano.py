"""The piano: 88 named keys laid out from s2c_core's keyboard, and key-press animation."""

from __future__ import annotations

import numpy as np
import pytest

from blender_addon import piano
from blender_addon.scene import ensure_piano
from s2c_core.music.keyboard import Keyboard

from .conftest import NOTES, signed_volume

pytestmark = pytest.mark.blender


def test_piano_has_88_named_keys_where_the_keyboard_puts_them(scene):
    root = ensure_piano(scene)
    keys = piano.key_objects(root)
    keyboard = Keyboard()
    scene.view_layers[0].update()  # matrix_world of new objects is computed on update
    assert sorted(keys) == list(range(21, 109))
    assert keys[21].name == "Key_A0" and keys[108].name == "Key_C8"
    assert keys[61].name == "Key_C#4"
    for key in keyboard.keys:
        obj = keys[key.pitch]
        assert obj.parent == root
        corners = np.array([obj.matrix_world @ v.co for v in obj.data.vertices])
        assert corners[:, 2].max() == pytest.approx(key.z_top, abs=1e-6)
        assert corners[:, 1].min() == pytest.approx(key.y_front, abs=1e-6)
        assert key.x_left - 1e-6 <= corners[:, 0].min() < corners[:, 0].max() <= key.x_right + 1e-6
    assert scene.objects.get("S2C_PianoCase").parent == root
    for name in ("Key_C4", "Key_C#4", "S2C_PianoCase"):
        assert signed_volume(scene.objects[name].data) > 0  # faces point outward


def test_ensure_piano_builds_once(scene):
    first = ensure_piano(scene)
    assert ensure_piano(scene) == first
    assert sum(obj.name.startswith("Key_") for obj in scene.objects) == 88


def test_press_schedule_gives_every_repeated_note_a_fresh_press():
    frames, pressed = piano.press_schedule(
        np.array([0.3, 0.1, 0.1]), np.array([0.5, 0.3, 0.2]), fps=30.0, frame_start=1
    )
    # Rest, then C pressed at 4 (the two notes at 0.1 s merge), up at 9, pressed again at 10.
    np.testing.assert_allclose(frames, [1, 4, 9, 10, 16])
    assert pressed.tolist() == [False, True, False, True, False]
    assert np.all(np.diff(frames) > 0)


def test_loud_notes_snap_down_and_soft_notes_sink():
    onsets, offsets = np.array([1.0, 2.0]), np.array([1.5, 2.5])
    frames, depth = piano.press_motion(
        onsets, offsets, np.array([127, 10]), fps=100.0, frame_start=0
    )
    # rest, descent start, key bed at the onset, hold, back at rest at the key-up frame
    np.testing.assert_allclose(frames[:5], [0, 97.5, 100, 147, 150])
    np.testing.assert_allclose(depth, [0, 0, 1, 1, 0, 0, 1, 1, 0])
    soft_descent = frames[6] - frames[5]
    assert soft_descent == pytest.approx(100 * piano.descent_seconds(10)) and soft_descent > 12
    assert np.all(np.diff(frames) > 0)
    assert piano.descent_seconds(1) == pytest.approx(piano.DESCENT_SOFTEST_S)


def test_animate_keys_presses_played_keys_by_the_key_travel(scene):
    root = ensure_piano(scene)
    action = piano.animate_keys(root, NOTES, fps=30.0, frame_start=1, action_name="t_Keys")
    keys = piano.key_objects(root)
    travel = Keyboard().geometry.key_travel
    assert action.use_fake_user and len(action.slots) == 3

    def z_at(pitch: int, frame: int) -> float:
        scene.frame_set(frame)
        return keys[pitch].location.z - keys[pitch]["s2c_rest_z"]

    assert z_at(64, 5) == pytest.approx(-travel)  # E4 held 0.0-0.6 s
    assert z_at(64, 20) == pytest.approx(0.0)
    assert z_at(21, 8) == pytest.approx(-travel)
    assert z_at(60, 9) == pytest.approx(0.0)  # released between the two C4s
    assert z_at(60, 11) == pytest.approx(-travel)
    assert keys[62].animation_data is None


def test_no_notes_gives_no_action_and_keys_at_rest(scene):
    root = ensure_piano(scene)
    piano.animate_keys(root, NOTES, fps=30.0, frame_start=1, action_name="t_Keys")
    assert piano.animate_keys(root, np.zeros((0, 6)), 30.0, 1, action_name="quiet") is None
    key = piano.key_objects(root)[60]
    assert key.animation_data.action is None
    assert key.location.z == pytest.approx(key["s2c_rest_z"])
