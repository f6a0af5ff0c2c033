"""hardest.py: the contact sheet's passages are where the wrists travel fastest."""

from __future__ import annotations

import numpy as np
import pytest

from s2c_core.hardest import hardest_frames, wrist_speed_windows
from s2c_core.motion import HandMotion, HandTrack, MotionMetadata


def still_then_leaps(leap_frames: list[int], frames: int = 300, fps: float = 30.0) -> HandMotion:
    """Both hands still, except a 0.3 m jump of the right wrist at each of leap_frames."""
    transl = np.zeros((frames, 3))
    for frame in leap_frames:
        transl[frame:, 0] += 0.3
    track = HandTrack(
        transl=transl,
        global_orient=np.zeros((frames, 3)),
        hand_pose=np.zeros((frames, 45)),
        present=np.ones(frames, dtype=bool),
    )
    onsets = np.arange(0.0, frames / fps, 0.5)  # a note every half second
    ones = np.ones_like(onsets)
    notes = np.column_stack([60 * ones, onsets, onsets + 0.2, 80 * ones, ones, ones])
    return HandMotion(fps, track, track, MotionMetadata(engine="test"), notes=notes)


def test_the_window_holding_a_leap_is_chosen_at_its_onset():
    motion = still_then_leaps([200])
    assert hardest_frames(motion, 1) == [180]  # the onset at 6.0 s opens the window 6-7 s
    starts, speed = wrist_speed_windows(motion)
    np.testing.assert_allclose(speed.max(), 2 * 0.3)  # both tracks are the same array


def test_chosen_windows_do_not_overlap_and_come_in_time_order():
    motion = still_then_leaps([200, 50, 205])
    frames = hardest_frames(motion, 3)
    assert frames == sorted(frames)
    assert np.all(np.diff(frames) >= 30)
    assert any(30 <= f <= 50 for f in frames) and any(180 <= f <= 205 for f in frames)


def test_a_take_without_notes_uses_every_frame_and_absent_hands_do_not_count():
    motion = still_then_leaps([100])
    motion.notes = np.zeros((0, 6))
    assert hardest_frames(motion, 1)[0] in range(70, 100)  # any window holding frame 100
    motion.right.present[:] = False
    motion.left.present[:] = False
    starts, speed = wrist_speed_windows(motion)
    assert len(starts) == motion.num_frames and not speed.any()


def test_windows_start_within_the_rendered_range():
    motion = still_then_leaps([200, 50])
    assert hardest_frames(motion, 1, within=(0, 120)) == [30]  # the leap at 200 is outside
    # still there: the first onsets in range (every 15 frames), windows 30 frames apart
    assert hardest_frames(motion, 3, within=(100, 160)) == [105, 135]
    starts, _ = wrist_speed_windows(motion, within=(100, 160))
    assert starts.min() >= 100 and starts.max() <= 160
    motion.notes = motion.notes[motion.notes[:, 1] > 6.0]  # no onset in frames 100-160:
    starts, _ = wrist_speed_windows(motion, within=(100, 160))  # every frame starts one
    np.testing.assert_array_equal(starts, np.arange(100, 161))


def test_count_must_be_positive():
    with pytest.raises(ValueError, match="count"):
        hardest_frames(still_then_leaps([]), 0)
