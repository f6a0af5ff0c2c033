from dataclasses import replace

import numpy as np
import pytest

from s2c_core.engines.midi import MidiEngineConfig, generate_from_midi, generate_from_notes
from s2c_core.engines.midi.clearance import (
    DEEPEST_PARTING,
    THUMB_JOINTS,
    depth_shifts,
    room_shifts,
    thumb_tucks,
)
from s2c_core.engines.midi.metrics import (
    FINGER_THICKNESS,
    PALM_CLEARANCE,
    hand_clash_share,
    hand_gaps,
    joint_gaps,
    key_contact,
)
from s2c_core.hand.rig import builtin_rig
from s2c_core.music.keyboard import Keyboard
from s2c_core.music.midi import read_midi
from tests.engines.midi.midi_files import SHARED_MIDI, run, write_midi

FPS = 30.0


def _flat_hand(side: str) -> np.ndarray:
    """The built-in hand's rest joints laid flat on the keys, fingers into the keyboard
    (its canonical frame: fingers along x, the palm's width along z)."""
    rest = builtin_rig(side).rest_joints
    forward = -rest[:, 0] if side == "right" else rest[:, 0]
    across = rest[:, 2] if side == "right" else -rest[:, 2]
    return np.column_stack([across, forward, rest[:, 1]])


def _hands(left_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both flat hands over T frames, the left one's wrist at `left_x` (T,), the right
    one's at x = 0."""
    left = np.repeat(_flat_hand("left")[None], len(left_x), axis=0)
    left[:, :, 0] += left_x[:, None]
    return left, np.repeat(_flat_hand("right")[None], len(left_x), axis=0)


def test_joint_gaps_measure_the_closest_joints_and_palms():
    left, right = _hands(np.array([-0.3, 0.0]))
    joints, palms = joint_gaps(left, right)
    assert joints[0] > 0.1 and palms[0] > 0.1
    assert joints[1] < FINGER_THICKNESS and palms[1] < PALM_CLEARANCE


def test_a_free_hand_slides_clear_and_is_back_for_its_notes():
    # The left hand runs over to the right hand's place and back; the right hand is free
    # until frame 50.
    left_x = np.concatenate([np.linspace(-0.3, 0.0, 20), np.zeros(10), np.linspace(0, -0.3, 30)])
    left, right = _hands(left_x)
    free_right = np.arange(len(left_x)) < 50
    left_shift, right_shift = room_shifts(left, right, (np.zeros(60, bool), free_right), FPS)
    assert not left_shift.any()  # the left hand was busy throughout
    assert (right_shift[~free_right] == 0).all()
    assert np.abs(np.diff(right_shift)).max() <= 0.5 / FPS + 1e-9
    moved = right.copy()
    moved[:, :, 0] += right_shift[:, None]
    joints, palms = joint_gaps(left, moved)
    assert (joints >= FINGER_THICKNESS).all() and (palms >= PALM_CLEARANCE).all()
    assert (right_shift >= 0).all()  # out of the way to the right, the side it is on


def test_a_free_hand_keeps_to_its_side_when_the_other_runs_past_its_place():
    # The left hand's run ends 5 cm right of where the free right hand waits (x = 0): the
    # right hand must stay on its side, ahead of it, not flip to the left through it.
    left_x = np.concatenate([np.linspace(-0.3, 0.05, 30), np.linspace(0.05, -0.3, 30)])
    left, right = _hands(left_x)
    free_right = np.ones(len(left_x), dtype=bool)
    _, right_shift = room_shifts(left, right, (np.zeros(60, bool), free_right), FPS)
    assert (right_shift >= 0).all()
    moved = right.copy()
    moved[:, :, 0] += right_shift[:, None]
    joints, palms = joint_gaps(left, moved)
    assert (joints >= FINGER_THICKNESS).all() and (palms >= PALM_CLEARANCE).all()


def test_a_resting_hand_makes_room_for_the_other_hands_run(tmp_path):
    # The right hand plays, then rests while the left hand runs up through its place.
    scale = [48, 50, 52, 53, 55, 57, 59, 60, 62, 64, 65, 67, 69, 71, 72, 74, 76]
    tracks = {"Piano right": run([72, 76, 79], 0.2), "Piano left": run(scale, 1.0, 0.15)}
    path = write_midi(tmp_path / "through.mid", tracks)
    motion = generate_from_midi(path, MidiEngineConfig(honour_tracks=True))
    joints, _ = hand_gaps(motion)
    assert joints.min() >= FINGER_THICKNESS
    assert hand_clash_share(motion) == 0.0
    assert key_contact(motion, Keyboard()).all()


def test_a_hand_slid_aside_stays_aside_until_its_finger_drops():
    # grieg_butterfly 36.8-38.6 s: the left hand, slid aside while the right hand dips to
    # F#3, was made to be back on its own path from the start of its approach to D#4
    # (0.15 s before), and went through the right hand to get there (3 frames).
    notes = read_midi(SHARED_MIDI / "grieg_butterfly.mid")
    keep = (notes.onset >= 36.8) & (notes.onset < 38.6)
    excerpt = replace(
        notes, pitch=notes.pitch[keep], onset=notes.onset[keep] - 36.8,
        offset=notes.offset[keep] - 36.8, velocity=notes.velocity[keep],
        track=notes.track[keep], pedal=np.zeros((0, 2)),
    )  # fmt: skip
    motion = generate_from_notes(excerpt)
    assert hand_clash_share(motion) == 0.0
    assert key_contact(motion, Keyboard()).all()


def test_hands_playing_in_each_others_way_take_different_depths():
    # Both hands play throughout, side by side, the right a little further in, thumbs
    # touching.
    left, right = _hands(np.full(20, -0.098))
    right[:, :, 1] += 0.025
    assert joint_gaps(left, right)[0].min() < FINGER_THICKNESS
    left_in, right_in = depth_shifts(left, right, FPS)
    assert np.allclose(left_in, -right_in) and np.abs(left_in).max() <= DEEPEST_PARTING / 2
    left[:, :, 1] += left_in[:, None]
    right[:, :, 1] += right_in[:, None]
    joints, palms = joint_gaps(left, right)
    assert (joints >= FINGER_THICKNESS).all() and (palms >= PALM_CLEARANCE).all()


def test_an_idle_thumb_near_the_other_hand_tucks_in_and_is_back_out_to_play():
    # Each thumb 7 mm from the other hand; the left thumb is free until frame 30, the
    # right thumb plays throughout.
    left, right = _hands(np.full(40, 0.1))
    free_left = np.arange(40) < 30
    left_tuck, right_tuck = thumb_tucks(left, right, (free_left, np.zeros(40, bool)), FPS)
    assert not right_tuck.any()
    assert (left_tuck[~free_left] == 0).all()
    assert left_tuck.max() == 1.0 and (left_tuck >= 0).all()
    assert np.abs(np.diff(left_tuck)).max() <= 1.0 / 3.0 + 1e-9  # a tenth of a second


def _thumb_gaps(motion) -> np.ndarray:
    """(T,) the least distance between a thumb joint of the left hand and one of the right."""
    left, right = (motion.hand(side).joints[:, THUMB_JOINTS] for side in ("left", "right"))
    return np.linalg.norm(left[:, :, None] - right[:, None], axis=-1).min(axis=(1, 2))


@pytest.mark.parametrize(
    "tracks",
    [
        # Five-finger runs side by side, the left hand's thumb on middle C and the right
        # hand's on D, each idle in between.
        {
            "Piano left": run([55, 57, 59, 60, 59, 57, 55, 57, 59, 60], 0.3, 0.2),
            "Piano right": run([62, 64, 65, 67, 65, 64, 62, 64, 65, 67], 0.3, 0.2),
        },
        # Chords whose thumbs play the neighbouring keys C4 and D4.
        {
            "Piano left": [
                (p, 0.3 + 0.5 * i, 0.7 + 0.5 * i) for i in range(4) for p in (53, 57, 60)
            ],
            "Piano right": [
                (p, 0.3 + 0.5 * i, 0.7 + 0.5 * i) for i in range(4) for p in (62, 65, 69)
            ],
        },
    ],
    ids=["runs", "chords"],
)
def test_thumbs_of_hands_side_by_side_around_middle_c_never_meet(tmp_path, tracks):
    motion = generate_from_midi(
        write_midi(tmp_path / "side_by_side.mid", tracks), MidiEngineConfig(honour_tracks=True)
    )
    assert _thumb_gaps(motion).min() >= FINGER_THICKNESS  # they came within 4-7 mm
    assert hand_clash_share(motion) == 0.0
    assert key_contact(motion, Keyboard()).all()
