"""Contact refinement on a synthetic case: a MIDI-engine performance knocked off its keys
(placement scaled and shifted, wrists wobbling, fingers disturbed) is pulled back on."""

from dataclasses import replace

import numpy as np
import pretty_midi
import pytest

from s2c_core.engines.midi.engine import generate_from_midi
from s2c_core.engines.midi.metrics import key_contact
from s2c_core.hand.fk import build_track
from s2c_core.hand.rig import builtin_rig
from s2c_core.motion import HANDS
from s2c_core.music.keyboard import Keyboard
from s2c_core.music.midi import read_midi
from s2c_core.refine_contacts import refine_contacts


@pytest.fixture(scope="module")
def performance(tmp_path_factory):
    path = tmp_path_factory.mktemp("midi") / "piece.mid"
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    melody = [72, 74, 76, 77, 79, 77, 76, 74, 72, 71, 72, 76, 79, 84]
    for i, pitch in enumerate(melody):
        piano.notes.append(pretty_midi.Note(80, pitch, 0.3 * i, 0.3 * i + 0.28))
    for i, chord in enumerate([(48, 52, 55), (43, 47, 50), (45, 48, 52), (41, 45, 48)]):
        for pitch in chord:
            piano.notes.append(pretty_midi.Note(70, pitch, 1.05 * i, 1.05 * i + 1.0))
    midi.instruments.append(piano)
    midi.write(str(path))
    return path, generate_from_midi(path)


def _knock_off_keys(motion, seed=0):
    """What a placement-unaware generator gives: wrong scale/offset, wobble, noisy fingers."""
    rng = np.random.default_rng(seed)
    tracks = {}
    for side in HANDS:
        track = motion.hand(side)
        frames = np.arange(track.num_frames)[:, None]
        wrist = 1.12 * (track.transl - 0.6) + 0.6 + [0.05, -0.03, 0.025]
        wrist = wrist + 0.01 * np.sin(frames / 7.0 + [0, 1, 2])
        rig = builtin_rig(side)
        abduction, flexion, _ = rig.angles_from_pose(track.hand_pose.astype(float))
        noisy = rig.clip_angles(abduction + rng.normal(scale=0.05, size=abduction.shape),
                                flexion + rng.normal(scale=0.15, size=flexion.shape))  # fmt: skip
        pose = rig.pose_from_angles(*noisy)
        tracks[side] = build_track(rig, track.global_orient, pose, wrist, track.present)
    return replace(motion, left=tracks["left"], right=tracks["right"])


def test_refinement_puts_fingertips_back_on_the_keys(performance):
    path, clean = performance
    keyboard = Keyboard()
    assert key_contact(clean, keyboard).mean() > 0.95
    disturbed = _knock_off_keys(clean)
    refined = refine_contacts(disturbed, read_midi(path), builtin_rig())
    report = refined.metadata.extra["key_contact"]
    assert report["before"] < 0.5
    assert report["after"] >= 0.9
    assert report["after"] == pytest.approx(key_contact(refined, keyboard).mean())
    for side in HANDS:
        track = refined.hand(side)
        assert builtin_rig(side).pose_within_limits(track.hand_pose.astype(float)).all()
        # The wrist correction is smooth: no step a centimetre longer than the take's own
        # fastest (the left hand's chord change in 0.05 s, about 5 cm a frame).
        steps = np.linalg.norm(np.diff(track.transl, axis=0), axis=1)
        given = np.linalg.norm(np.diff(disturbed.hand(side).transl, axis=0), axis=1)
        assert steps.max() < given.max() + 0.01


def test_idle_frames_keep_the_generated_style(performance):
    path, clean = performance
    disturbed = _knock_off_keys(clean, seed=1)
    refined = refine_contacts(disturbed, read_midi(path), builtin_rig())
    np.testing.assert_allclose(refined.right.global_orient, disturbed.right.global_orient)
    # the last frames are long after every note: the fingers are untouched there
    np.testing.assert_allclose(refined.right.hand_pose[-3:], disturbed.right.hand_pose[-3:],
                               atol=1e-6)  # fmt: skip
