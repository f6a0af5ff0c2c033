"""Fingertip targets: a thumb gliding off a released key goes along with the hand."""

import numpy as np

from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.engines.midi.fingertips import finger_targets, tops_under_pad
from s2c_core.music.keyboard import Keyboard

RELEASE = 10  # last pressed frame
HAND_SPEED = 0.03  # m per frame (0.9 m/s): the hand leaps on to the left after the release


def _reach_from_hand(leaves_with_hand: bool) -> np.ndarray:
    """(T,) how far (m, across and along the keys) one finger's target is from where the
    hand holds it idle, for a key pressed on frames 5..RELEASE."""
    frames = np.arange(30)
    free = np.zeros((len(frames), 3))
    free[:, 2] = 0.03
    free[RELEASE:, 0] -= HAND_SPEED * (frames[RELEASE:] - RELEASE)
    point = np.array([[0.01, 0.02, -0.01]])
    config = MidiEngineConfig()
    target, _ = finger_targets(
        np.array([5]), np.array([RELEASE]), point, free, Keyboard(), config, frames,
        leaves_with_hand,
    )  # fmt: skip
    return np.linalg.norm(target[:, :2] - free[:, :2], axis=1)


def test_a_finger_leaving_with_the_hand_is_never_stretched_further_than_at_its_release():
    carried = _reach_from_hand(True)
    assert carried[RELEASE] > 0.02  # on its key, away from the idle shape
    assert np.all(np.diff(carried[RELEASE:]) <= 1e-12)  # fades back into the hand's shape
    # A finger that stays over its key meanwhile is stretched out behind the hand.
    assert _reach_from_hand(False)[RELEASE + 2] > carried[RELEASE] + 0.01


def test_the_keys_under_a_fingertip_pad():
    keyboard = Keyboard()
    g = keyboard.geometry
    deep = g.white_length - 0.5 * g.black_length  # halfway along the black keys
    black = keyboard.x_center(61)
    beside = black + 0.5 * g.black_width + 0.003  # the pad overlaps C#
    e_f = keyboard.key(64).x_right  # the wide gap between D# and F#
    x = np.array([black, beside, e_f, black])
    y = np.array([deep, deep, deep, 0.02])  # the last in front of the black keys
    tops = tops_under_pad(keyboard, x, y)
    np.testing.assert_allclose(tops, [g.black_height, g.black_height, 0.0, 0.0])
