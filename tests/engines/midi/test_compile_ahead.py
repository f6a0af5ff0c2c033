import numpy as np

from s2c_core.engines.midi.compile_ahead import compile_ahead
from s2c_core.engines.midi.metrics import key_contact
from s2c_core.motion import NOTE_COLUMNS
from s2c_core.music.keyboard import Keyboard


def test_compile_ahead_plays_both_hands_on_their_keys():
    # Both hands' kernels run (split, fingering, IK of each hand), every key struck.
    motion = compile_ahead()
    hands = motion.notes[:, NOTE_COLUMNS.index("hand")].astype(np.int64)
    assert set(hands.tolist()) == {0, 1}
    assert key_contact(motion, Keyboard()).all()
