"""The wrist planner (engines/midi/wrist.py), through the engine."""

import numpy as np

from s2c_core.engines.midi import finger_ik, generate_from_notes
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
