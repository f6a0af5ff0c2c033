from dataclasses import replace

import numpy as np
import pytest

from s2c_core.engines.midi import MidiEngineConfig, generate_from_midi, generate_from_notes
from s2c_core.engines.midi.metrics import key_contact, keys_under, stray_press_share
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.skeleton import tip_index
from s2c_core.motion import NOTE_COLUMNS
from s2c_core.music.keyboard import LOWEST_PITCH, Keyboard
from s2c_core.music.midi import MidiReadError, read_midi
from tests.engines.midi.midi_files import C_MAJOR, SHARED_MIDI, run, write_midi

KEYBOARD = Keyboard()


@pytest.fixture(scope="module")
def piece(tmp_path_factory):
    """Two hands: a melody with a chord in the right, a bass line with a leap in the left."""
    right = run([72 + s for s in C_MAJOR] + [79, 76, 72], step=0.2)
    right += [(64, 2.8, 3.4), (67, 2.8, 3.4), (72, 2.8, 3.4)]
    left = run([36, 43, 48, 43, 36, 55, 36], step=0.4)
    path = write_midi(tmp_path_factory.mktemp("midi") / "piece.mid", {"r": right, "l": left})
    calls = []
    motion = generate_from_midi(path, progress=lambda *args: calls.append(args))
    return path, motion, calls


def test_motion_is_a_valid_two_hand_take(piece):
    path, motion, calls = piece
    motion.validate()
    assert motion.fps == 30.0
    assert motion.metadata.engine == "midi"
    assert motion.metadata.source == str(path)
    assert motion.left.present.all() and motion.right.present.all()
    notes = motion.notes
    hand, finger = notes[:, NOTE_COLUMNS.index("hand")], notes[:, NOTE_COLUMNS.index("finger")]
    assert set(hand.tolist()) == {0.0, 1.0}
    assert np.all((finger >= 1) & (finger <= 5))
    assert motion.duration > notes[:, NOTE_COLUMNS.index("offset")].max()
    done = [c[0] for c in calls]
    assert done == sorted(done) and done[-1] == calls[-1][1]


def test_fingertips_press_their_keys_and_free_ones_stay_up(piece):
    motion = piece[1]
    assert key_contact(motion, KEYBOARD).mean() == 1.0
    assert stray_press_share(motion, KEYBOARD) <= 0.01


def test_joint_limits_hold_on_every_frame(piece):
    motion = piece[1]
    for side in ("left", "right"):
        rig = builtin_rig(side)
        assert rig.pose_within_limits(motion.hand(side).hand_pose.astype(np.float64)).all()


def test_wrist_never_teleports(piece):
    motion = piece[1]
    limit = MidiEngineConfig().wrist_max_speed * 1.01
    for side in ("left", "right"):
        speed = np.linalg.norm(np.diff(motion.hand(side).transl, axis=0), axis=1) * motion.fps
        assert speed.max() <= limit


def test_deterministic(piece):
    path, motion, _ = piece
    again = generate_from_midi(path)
    for side in ("left", "right"):
        assert np.array_equal(motion.hand(side).hand_pose, again.hand(side).hand_pose)
        assert np.array_equal(motion.hand(side).transl, again.hand(side).transl)
    assert np.array_equal(motion.notes, again.notes)


def test_idle_hand_is_absent(tmp_path):
    path = write_midi(tmp_path / "solo.mid", {"r": run([72, 74, 76])})
    motion = generate_from_midi(path)
    assert not motion.left.present.any()
    assert motion.right.present.all()
    assert set(motion.notes[:, 4].tolist()) == {1.0}


def test_missing_file(tmp_path):
    with pytest.raises(MidiReadError, match="no such MIDI file"):
        generate_from_midi(tmp_path / "missing.mid")


def test_keys_under_key_centres():
    for pitch in (21, 22, 60, 61, 108):
        point = KEYBOARD.contact_point(pitch)
        assert keys_under(KEYBOARD, point[:1], point[1:2])[0] == pitch - LOWEST_PITCH
    assert keys_under(KEYBOARD, np.array([0.5]), np.array([-0.05]))[0] == -1


def test_real_piece_key_contact():
    path = SHARED_MIDI / "chpn-p7.mid"
    if not path.is_file():
        pytest.skip("shared test MIDI files are not available")
    motion = generate_from_midi(path)
    assert key_contact(motion, KEYBOARD).mean() >= 0.98
    assert stray_press_share(motion, KEYBOARD) <= 0.01


def test_honour_tracks_follows_the_names(tmp_path):
    # A high "left" line the optimiser alone would give to the right hand.
    path = write_midi(tmp_path / "named.mid", {"Piano left": run([76, 77, 79])})
    named = generate_from_midi(path, MidiEngineConfig(honour_tracks=True))
    assert named.notes[:, NOTE_COLUMNS.index("hand")].tolist() == [0.0, 0.0, 0.0]
    assert generate_from_midi(path).notes[:, NOTE_COLUMNS.index("hand")].tolist() == [1.0] * 3


def test_stray_press_counts_a_free_fingertip_in_a_silent_key(piece):
    motion = piece[1]
    frame = motion.num_frames - 1  # after the last note: nothing sounds
    joints = motion.right.joints.copy()
    joints[frame, tip_index("index")] = KEYBOARD.contact_point(60) - [0.0, 0.0, 0.005]
    stray = replace(motion, right=replace(motion.right, joints=joints))
    assert stray_press_share(stray, KEYBOARD) == pytest.approx(
        stray_press_share(motion, KEYBOARD) + 1 / motion.num_frames
    )


def test_generate_from_notes_matches_the_file_path(piece):
    path, motion, _ = piece
    again = generate_from_notes(read_midi(path))
    assert np.array_equal(again.right.hand_pose, motion.right.hand_pose)
    assert np.array_equal(again.notes, motion.notes)


def test_more_than_ten_simultaneous_notes_are_reported(tmp_path):
    cluster = [(p, 0.5, 1.5) for p in (36, 40, 43, 48, 52, 55, 60, 64, 67, 72, 76, 79)]
    motion = generate_from_midi(write_midi(tmp_path / "cluster.mid", {"p": cluster}))
    hand = motion.notes[:, NOTE_COLUMNS.index("hand")]
    assert motion.metadata.extra["unplayed_notes"] == 2 == int((hand < 0).sum())
    assert hand[:5].tolist() == [0.0] * 5 and hand[-5:].tolist() == [1.0] * 5


def test_the_take_lasts_while_the_sustain_pedal_holds_the_last_notes(piece):
    path, motion, _ = piece
    notes = read_midi(path)
    held = replace(notes, pedal=np.array([[3.0, 6.0]]))  # the last chord ends at 3.4 s

    longer = generate_from_notes(held)

    fps = longer.fps
    assert longer.num_frames == motion.num_frames + round((6.0 - 3.4) * fps)
