"""The wrist planner (engines/midi/wrist.py), through the engine."""

import numpy as np

from s2c_core.engines.midi import MidiEngineConfig, finger_ik, generate_from_notes
from s2c_core.engines.midi.metrics import turning_rate
from s2c_core.engines.midi.wrist import (
    ChordNotes,
    handing_over,
    leap_arc,
    move_schedule,
    steady_choices,
    thumb_passing_under,
)
from s2c_core.evaluate.hand_scores import piece_notes
from s2c_core.evaluate.stress_corpus import stress_pieces
from s2c_core.hand.anatomy import straight_presses
from s2c_core.motion import HANDS


def test_a_take_does_not_depend_on_the_ik_rounding(monkeypatch):
    """Candidate hand poses that reach every key tie up to rounding; the first of them must
    win, not the rounding: a change of the IK's damping in its 12th digit (as another BLAS
    or a faster formula gives) moves no joint by a micrometre. Without the tie tolerance
    the stress corpus's stride bass moved a hand by 2 cm."""
    (stride,) = [piece for piece in stress_pieces() if piece.family == "stride"]
    notes = piece_notes(stride)
    before = generate_from_notes(notes)
    monkeypatch.setattr(finger_ik, "_DAMPING", finger_ik._DAMPING * (1.0 + 1e-12))
    after = generate_from_notes(notes)
    for side in HANDS:
        moved = np.abs(after.hand(side).joints - before.hand(side).joints).max()
        assert moved < 1e-6, f"{side} hand moved {moved * 1000:.1f} mm"


def test_a_move_into_a_substitution_starts_as_late_as_the_wrist_can():
    """The finger leaving a key at a swap holds it until then: the hand waits, then moves."""
    config = MidiEngineConfig()
    frames, keys = np.array([0, 10]), np.array([[0.0, 0.0, 0.0], [0.02, 0.0, 0.0]])
    eased_start, _ = move_schedule(frames, keys, config)
    quick_start, quick_end = move_schedule(frames, keys, config, quick=np.array([10]))
    assert eased_start[0] == 10 - config.wrist_move_time * config.fps
    assert quick_start[0] > 9.0 and quick_end[0] == 10


def test_close_keyframes_keep_one_hand_shape_unless_another_reaches_the_keys_better():
    """Two hand shapes reach every key alike, each scoring a hair better on alternate
    keyframes (its idle fingers a little higher): the hand keeps one shape instead of
    rocking between them, but takes the other where only it reaches a key, and keyframes
    far apart choose each for itself."""
    candidates = MidiEngineConfig().wrist_candidates[:2]  # level, and rolled 0.3 rad
    frames = np.arange(0, 24, 4)
    cost = np.zeros((2, len(frames)))
    cost[np.arange(len(frames)) % 2, np.arange(len(frames))] = -1e-6
    reach = np.zeros_like(cost)
    steady = 15.0
    assert len(set(steady_choices(cost, reach, candidates, frames, steady))) == 1
    reach[0, 3] = 1e-4  # the level hand misses a key at keyframe 3: a centimetre's miss
    chosen = steady_choices(cost, reach, candidates, frames, steady)
    assert chosen[3] == 1
    apart = steady_choices(cost, np.zeros_like(cost), candidates, frames * 4, steady)
    np.testing.assert_array_equal(apart, np.arange(len(frames)) % 2)


def test_a_scale_is_played_without_rocking_the_hand():
    """Each note of a scale used to choose its hand tilt for itself, and the hand rolled 17
    degrees one way and back from note to note (42 degrees a second on this scale; 14 now)."""
    (scale,) = [piece for piece in stress_pieces() if piece.name == "scale_C_major"]
    assert turning_rate(generate_from_notes(piece_notes(scale))) < 25.0


def _line(on, off, x, finger) -> ChordNotes:
    points = np.column_stack([x, np.full(len(x), 0.04), np.zeros(len(x))])
    return ChordNotes(np.array(on), np.array(off), points, np.array(finger))


def test_a_thumb_passing_under_a_held_finger_is_found_in_either_hand():
    """C D E F as 1 2 3 1 in the right hand: F's thumb passes under 3, which holds E until
    a frame before; the left hand passes under going down. A thumb struck after a rest, in
    a chord, or on the far side of the finger (crossing back over it) passes under nothing."""
    x = [0.0, 0.0235, 0.047, 0.0705]
    scale = _line([0, 5, 10, 15], [4, 9, 13, 19], x, [1, 2, 3, 1])
    np.testing.assert_array_equal(thumb_passing_under(scale, "right"), [-1, -1, -1, 2])
    assert (thumb_passing_under(scale, "left") == -1).all()
    down = _line([0, 5, 10, 15], [4, 9, 13, 19], x[::-1], [1, 2, 3, 1])
    np.testing.assert_array_equal(thumb_passing_under(down, "left"), [-1, -1, -1, 2])
    rest = _line([0, 5, 10, 20], [4, 9, 13, 24], x, [1, 2, 3, 1])
    assert (thumb_passing_under(rest, "right") == -1).all()
    chord = _line([0, 5, 10, 15, 15], [4, 9, 14, 19, 19], x + [0.094], [1, 2, 3, 1, 5])
    assert (thumb_passing_under(chord, "right") == -1).all()


def test_a_legato_hand_over_slides_level_and_a_leap_rises():
    """The wrist's arc (leap_arc) lifts a hand that leaps clear of the keys; a hand that
    moves on while the finger holding the last key lets go (a scale's thumb passing under)
    stays level: rising stretched that finger straight (stress scales: 12.6 % of pressed
    frames straight with the arc, 6.2 % without)."""
    notes = _line([0, 10], [11, 20], [0.0, 0.1], [3, 1])
    starts, ends = np.array([5.0]), np.array([10.0])
    np.testing.assert_array_equal(handing_over(notes, starts, ends), [True])
    held_on = _line([0, 10], [15, 20], [0.0, 0.1], [3, 1])  # held on after the move
    np.testing.assert_array_equal(handing_over(held_on, starts, ends), [False])
    free = _line([0, 10], [4, 20], [0.0, 0.1], [3, 1])  # released before the move
    np.testing.assert_array_equal(handing_over(free, starts, ends), [False])
    keys = np.array([[0.0, 0.0, 0.05], [0.1, 0.0, 0.05]])
    frames = np.arange(5, 11)
    assert leap_arc(starts, ends, keys, frames, 0.06, np.array([False])).max() > 0.02
    assert not leap_arc(starts, ends, keys, frames, 0.06, np.array([True])).any()


def test_fingers_stay_curved_in_legato_scales_and_chromatic_runs():
    """The finger that holds its key as the thumb passes under used to go straight: the
    hand moved on to the thumb's key in an arc and pulled the finger after it. Of the
    pressed frames of these runs, 15.7 % were straight; now the hand stays until the
    thumb is down and slides on level (7.3 %)."""
    names = ("scale_C_major", "scale_Fs_major", "scale_a_minor", "chromatic")
    straight = pressed = 0
    for piece in stress_pieces():
        if piece.name in names:
            s, n = straight_presses(generate_from_notes(piece_notes(piece)))
            straight, pressed = straight + s, pressed + n
    assert straight / pressed <= 0.09
