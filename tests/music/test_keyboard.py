import numpy as np
import pytest

from s2c_core.music.keyboard import NUM_KEYS, Keyboard, is_black, note_name


def test_88_keys_from_a0_to_c8():
    keyboard = Keyboard()
    assert len(keyboard.keys) == NUM_KEYS == 88
    assert keyboard.keys[0].name == "A0" and keyboard.keys[-1].name == "C8"
    assert keyboard.keys[0].x_left == 0.0
    assert sum(not k.black for k in keyboard.keys) == 52
    assert keyboard.width == pytest.approx(52 * 0.0235)


def test_octave_and_white_key_width_are_real_sizes():
    keyboard = Keyboard()
    c4, c5 = keyboard.key(60), keyboard.key(72)
    assert c4.width == pytest.approx(0.0235)
    assert c5.x_left - c4.x_left == pytest.approx(0.1645)


def test_black_keys_sit_off_centre_like_a_real_piano():
    keyboard = Keyboard()
    c, d = keyboard.key(60), keyboard.key(62)
    c_sharp = keyboard.key(61)
    midpoint = 0.5 * (c.x_right + d.x_left)
    # C# leans towards C (the C-E group splits into 5 equal slots at the back).
    assert c_sharp.x_center < midpoint
    assert c_sharp.x_center == pytest.approx(c.x_left + 1.5 * 3 * 0.0235 / 5)
    f_sharp, g_sharp, a_sharp = (keyboard.key(p) for p in (66, 68, 70))
    f = keyboard.key(65)
    assert g_sharp.x_center == pytest.approx(f.x_left + 3.5 * 4 * 0.0235 / 7)
    assert f_sharp.x_center < g_sharp.x_center < a_sharp.x_center
    assert c_sharp.black and c_sharp.z_top > c.z_top and c_sharp.y_front > c.y_front


def test_black_keys_never_overlap_each_other():
    keyboard = Keyboard()
    blacks = [k for k in keyboard.keys if k.black]
    for a, b in zip(blacks, blacks[1:], strict=False):
        assert a.x_right < b.x_left


def test_lookup_helpers():
    keyboard = Keyboard()
    assert is_black(61) and not is_black(60)
    assert note_name(21) == "A0" and note_name(61) == "C#4"
    np.testing.assert_allclose(keyboard.x_center([60, 61]), [keyboard.key(60).x_center,
                               keyboard.key(61).x_center])  # fmt: skip
    point = keyboard.contact_point(61)
    assert keyboard.pitch_at(point[0], point[1]) == 61
    point = keyboard.contact_point(60)
    assert keyboard.pitch_at(point[0], point[1]) == 60
    with pytest.raises(ValueError, match="outside the 88-key range"):
        keyboard.key(20)


def test_black_key_centres_run_left_to_right():
    keyboard = Keyboard()
    centres = keyboard.black_x_centers
    assert len(centres) == 36 and np.all(np.diff(centres) > 0)
    assert centres[0] == keyboard.x_center(22) and centres[-1] == keyboard.x_center(106)
