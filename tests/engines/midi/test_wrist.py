"""The wrist planner (engines/midi/wrist.py), through the engine."""

import numpy as np

from s2c_core.engines.midi import MidiEngineConfig, finger_ik, generate_from_notes
from s2c_core.engines.midi.metrics import turning_rate
from s2c_core.engines.midi.wrist import move_schedule, steady_choices
from s2c_core.evaluate.hand_scores import piece_notes
from s2c_core.evaluate.stress_corpus import stress_pieces
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
