"""The wrist planner (engines/midi/wrist.py), through the engine."""

import numpy as np

from s2c_core.engines.midi import MidiEngineConfig, finger_ik, generate_from_notes
from s2c_core.engines.midi.wrist import move_schedule
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
