"""Measures of a take (engines/midi/metrics.py) that no other test file covers."""

import numpy as np
import pytest

from s2c_core.engines.midi.metrics import turning_rate
from s2c_core.hand.fk import build_track
from s2c_core.hand.rig import builtin_rig
from s2c_core.motion import HANDS, HandMotion, MotionMetadata


def _motion(roll_per_frame: dict[str, float], frames: int, present_until: int) -> HandMotion:
    """Both hands still but for a steady roll about the keyboard's X axis (rad per frame);
    the left hand is present only on its first `present_until` frames."""
    tracks = {}
    for side in HANDS:
        rig = builtin_rig(side)
        orient = np.zeros((frames, 3))
        orient[:, 0] = roll_per_frame[side] * np.arange(frames)
        present = np.arange(frames) < (present_until if side == "left" else frames)
        wrist = np.zeros((frames, 3))
        tracks[side] = build_track(rig, orient, np.stack([rig.mean_pose] * frames), wrist, present)
    return HandMotion(30.0, tracks["left"], tracks["right"], MotionMetadata(engine="test"))


def test_turning_rate_is_the_hands_mean_angular_speed_over_their_present_frames():
    still = _motion({"left": 0.0, "right": 0.0}, frames=10, present_until=10)
    assert turning_rate(still) == pytest.approx(0.0, abs=1e-6)
    # 9 steps of the right hand at 1 degree a frame, 4 of the left hand at 3 (its frames
    # once it is gone do not count): (9 * 1 + 4 * 3) / 13 degrees a frame, at 30 fps.
    turning = _motion({"left": np.deg2rad(3.0), "right": np.deg2rad(1.0)}, 10, present_until=5)
    assert turning_rate(turning) == pytest.approx(30.0 * (9 + 12) / 13, rel=1e-4)
