import numpy as np

from s2c_core.engines.midi.glissando import MAX_STEP_TIME, MIN_NOTES, glissando_fingers
from s2c_core.music.keyboard import is_black

WHITE = [p for p in range(48, 85) if not is_black(p)]  # C3..C6
BLACK = [p for p in range(60, 97) if is_black(p)]  # C#4..A#6


def _drawn(pitches, side, step=0.03):
    return glissando_fingers(np.array(pitches), step * np.arange(len(pitches)), side).tolist()


def test_every_white_key_at_speed_is_drawn_with_hofmanns_finger():
    assert _drawn(WHITE, "right") == [2] * len(WHITE)  # the index going up
    assert _drawn(WHITE[::-1], "right") == [1] * len(WHITE)  # the thumb coming down
    assert _drawn(WHITE, "left") == _drawn(WHITE[::-1], "left") == [3] * len(WHITE)


def test_every_black_key_is_a_glissando_too():
    assert _drawn(BLACK, "right") == [2] * len(BLACK)


def test_a_glissando_turning_back_keeps_its_top_key_and_the_notes_around_it_are_fingered():
    up, down = WHITE[:10], WHITE[8::-1]
    drawn = _drawn([36] + up + down + [40], "right")
    assert drawn == [0] + [2] * len(up) + [1] * len(down) + [0]


def test_fingered_runs_are_not_glissandi():
    assert _drawn(WHITE, "right", step=MAX_STEP_TIME + 0.01) == [0] * len(WHITE)  # too slow
    assert _drawn(WHITE[: MIN_NOTES - 1], "right") == [0] * (MIN_NOTES - 1)  # too short
    chromatic = list(range(60, 75))
    assert _drawn(chromatic, "right") == [0] * len(chromatic)
    skipping = WHITE[:4] + WHITE[5:12]  # a key left out
    assert _drawn(skipping, "right") == [0] * len(skipping)
    # Neighbouring keys struck two at a time (seconds), not one after another.
    onset = np.repeat(0.03 * np.arange(len(WHITE) // 2), 2)
    seconds = glissando_fingers(np.array(WHITE[: len(onset)]), onset, "right")
    assert not seconds.any()
