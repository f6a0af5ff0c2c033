"""A character's hands from a rig description file: reading, validation, and the MIDI
engine planning for hands larger and smaller than ours."""

import json
from dataclasses import replace

import numpy as np
import pytest

from s2c_core.cli import main
from s2c_core.engines.midi.engine import generate_from_midi, generate_from_notes
from s2c_core.engines.midi.metrics import key_contact
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.rig_description import (
    RIG_DESCRIPTION_KEY,
    RigDescription,
    RigDescriptionError,
    hand_frame,
    read_rig_description,
    write_rig_description,
)
from s2c_core.hand.rotations import axis_angle_to_matrix
from s2c_core.motion import load_motion
from s2c_core.music.keyboard import Keyboard
from s2c_core.music.midi import read_midi
from tests.engines.midi.midi_files import SHARED_MIDI

ROTATIONS = {"left": np.array([0.4, -1.1, 0.2]), "right": np.array([-0.7, 0.3, 2.0])}


def described(scale: float) -> RigDescription:
    """Our hands scaled, each turned its own way and placed somewhere in the world."""
    hands = {}
    for side, offset in (("left", [-0.3, 0.1, 1.2]), ("right", [0.3, 0.1, 1.2])):
        turn = axis_angle_to_matrix(ROTATIONS[side])
        hands[side] = scale * builtin_rig(side).rest_joints @ turn.T + offset
    return RigDescription(f"x{scale}", hands)


def test_round_trip_and_canonical_rigs(tmp_path):
    path = write_rig_description(tmp_path / "hero.json", described(1.2))
    description = read_rig_description(path)
    assert description.name == "x1.2"
    rigs = description.rigs()
    for side in ("left", "right"):
        assert np.allclose(rigs.for_side(side).rest_joints, 1.2 * builtin_rig(side).rest_joints)
        frame = hand_frame(description.hands[side], side)
        assert np.allclose(frame, axis_angle_to_matrix(ROTATIONS[side]))


def _edit(tmp_path, change) -> str:
    data = described(1.0).to_json()
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "not a rig description"),
        (lambda d: d["hands"].pop("left"), "exactly 'left' and 'right'"),
        (lambda d: d["hands"]["left"].pop(), r"expected \(21, 3\)"),
        (lambda d: d["hands"]["right"][3].__setitem__(0, float("nan")), "non-finite"),
        (lambda d: d["hands"]["right"].__setitem__(2, d["hands"]["right"][1]), "degenerate"),
        (lambda d: d["hands"].update(left=(100 * np.array(d["hands"]["left"])).tolist()), "metres"),
        (lambda d: d["hands"]["left"][0].__setitem__(0, "x"), "not numbers"),
    ],
)
def test_bad_descriptions_are_one_line_naming_the_file(tmp_path, change, message):
    path = _edit(tmp_path, change)
    with pytest.raises(RigDescriptionError, match=message) as error:
        read_rig_description(path)
    assert str(error.value).startswith(path) and "\n" not in str(error.value)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(RigDescriptionError, match="not found"):
        read_rig_description(tmp_path / "none.json")
    (tmp_path / "junk.json").write_text("{")
    with pytest.raises(RigDescriptionError, match="not a JSON rig description"):
        read_rig_description(tmp_path / "junk.json")


@pytest.mark.parametrize("scale", [1.2, 0.85])
def test_larger_and_smaller_hands_still_land_on_their_keys(scale):
    path = SHARED_MIDI / "chpn-p7.mid"
    if not path.is_file():
        pytest.skip("shared test MIDI files are not available")
    rigs = described(scale).rigs()
    motion = generate_from_midi(path, rig=rigs)
    assert key_contact(motion, Keyboard()).mean() >= 0.98
    rest = builtin_rig("right").rest_joints
    last_segment = motion.right.joints[:, 17] - motion.right.joints[:, 6]  # middle3 -> tip
    expected = scale * np.linalg.norm(rest[17] - rest[6])
    assert np.linalg.norm(last_segment, axis=1) == pytest.approx(expected, rel=1e-4)


def test_cli_plans_for_the_description_and_carries_it(tmp_path, capsys):
    from tests.test_cli import EXAMPLE

    rig = write_rig_description(tmp_path / "hero.json", described(0.85))
    out = tmp_path / "take.npz"
    args = ["generate", str(EXAMPLE), "--rig-description", str(rig), "--out", str(out)]
    assert main([*args, "--progress", "none"]) == 0
    motion = load_motion(out)
    assert motion.metadata.hand_model == "x0.85"
    assert motion.metadata.extra[RIG_DESCRIPTION_KEY]["hands"]["left"][0] == pytest.approx(
        described(0.85).hands["left"][0].tolist()
    )
    both = [*args, "--mano", str(rig), "--overwrite", "--progress", "none"]
    assert main(both) == 2
    assert "either --mano or --rig-description" in capsys.readouterr().err


@pytest.mark.slow
def test_s2c_engine_is_refined_for_the_described_hands(tmp_path):
    from tests.engines.s2c.tiny_s2c import write_tiny_official
    from tests.test_cli import EXAMPLE

    exp = tmp_path / "official"
    write_tiny_official(exp)
    rig = write_rig_description(tmp_path / "hero.json", described(1.2))
    out = tmp_path / "take.npz"
    assert main(["generate", str(EXAMPLE), "--engine", "s2c", "--checkpoint", str(exp),
                 "--sampler", "ddim", "--steps", "3", "--rig-description", str(rig),
                 "--out", str(out), "--progress", "none"]) == 0  # fmt: skip
    motion = load_motion(out)
    assert motion.metadata.hand_model == "x1.2"
    contact = motion.metadata.extra["key_contact"]
    assert contact["after"] > contact["before"]
    rest = builtin_rig("right").rest_joints
    segment = motion.right.joints[:, 17] - motion.right.joints[:, 6]  # middle3 -> tip
    assert np.linalg.norm(segment, axis=1) == pytest.approx(
        1.2 * np.linalg.norm(rest[17] - rest[6]), rel=1e-4
    )


def test_two_hands_of_different_sizes_each_keep_their_own():
    hands = {"left": described(1.2).hands["left"], "right": described(0.9).hands["right"]}
    rigs = RigDescription("odd", hands).rigs()
    ratio = np.linalg.norm(rigs.for_side("left").rest_joints[17]) / np.linalg.norm(
        rigs.for_side("right").rest_joints[17]
    )
    assert ratio == pytest.approx(1.2 / 0.9)
    path = SHARED_MIDI / "elise.mid"
    if not path.is_file():
        pytest.skip("shared test MIDI files are not available")
    notes = read_midi(path)
    keep = notes.onset < 12.0
    columns = ("pitch", "onset", "offset", "velocity", "track")
    clip = replace(notes, **{c: getattr(notes, c)[keep] for c in columns})
    motion = generate_from_notes(clip, rig=rigs)
    assert key_contact(motion, Keyboard()).mean() >= 0.98
    assert np.linalg.norm(motion.left.joints[:, 17] - motion.left.joints[:, 6], axis=1) == (
        pytest.approx(1.2 * np.linalg.norm(builtin_rig("left").rest_joints[17] - builtin_rig(
            "left").rest_joints[6]), rel=1e-4)
    )  # fmt: skip
