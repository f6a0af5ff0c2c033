"""`s2c generate --scene character.blend --target-rig NAME`: the take on the user's own
character and piano, the outputs read back by Blender and by assimp."""

import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from blender_addon import retarget  # noqa: E402
from blender_addon.piano import PIANO_ROOT_NAME  # noqa: E402
from s2c_core.cli import main  # noqa: E402
from s2c_core.motion import load_motion  # noqa: E402
from tests.blender_addon.character_rigs import build_character, fingertip_contact  # noqa: E402
from tests.engines.midi.midi_files import C_MAJOR, run, write_midi  # noqa: E402

FRAME = 20  # a frame inside the take where fingers are down


@pytest.fixture
def character(tmp_path, scene) -> Path:
    """A Mixamo-named character in centimetres (object scale 0.01), hands 20 % larger."""
    build_character(scene, "mixamo", 1.2, object_scale=0.01, name="Hero")
    path = tmp_path / "character.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


@pytest.fixture
def clip(tmp_path) -> Path:
    notes = run([60 + p for p in C_MAJOR]) + run([48 + p for p in C_MAJOR[::-1]], start=0.6)
    return write_midi(tmp_path / "clip.mid", {"piano": notes})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tip_positions(armature) -> np.ndarray:
    names = sorted(b.name for b in armature.pose.bones if b.name.endswith(("Index3", "Thumb3")))
    world = np.array(armature.matrix_world)
    return np.array([(world @ np.append(armature.pose.bones[n].tail, 1.0))[:3] for n in names])


@pytest.mark.slow
def test_keys_the_take_onto_the_character_and_exports(tmp_path, character, clip):
    before = digest(character)
    outputs = {k: tmp_path / f"out.{k}" for k in ("npz", "blend", "fbx")}
    args = ["generate", str(clip), "--scene", str(character), "--target-rig", "Hero",
            "--out", str(outputs["npz"]), "--blend", str(outputs["blend"]),
            "--fbx", str(outputs["fbx"]), "--arm-ik", "--progress", "none"]  # fmt: skip
    assert main(args) == 0
    assert digest(character) == before

    bpy.ops.wm.open_mainfile(filepath=str(outputs["blend"]))
    scene = bpy.context.scene
    hero = scene.objects["Hero"]
    assert hero.animation_data.action.get(retarget.TAKE_PROPERTY)
    assert scene.objects[retarget.ik_target_name(hero, "left")].animation_data.action
    assert scene.render.fps / scene.render.fps_base == pytest.approx(30.0)
    piano = np.array(scene.objects[PIANO_ROOT_NAME].matrix_world)
    mapping = retarget.mapping_for(hero)
    motion = load_motion(outputs["npz"])
    assert motion.metadata.hand_model == "Hero"
    assert fingertip_contact(scene, hero, mapping, motion, piano).mean() >= 0.98
    scene.frame_set(FRAME)
    expected = tip_positions(hero)

    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.fbx(filepath=str(outputs["fbx"]), anim_offset=0.0)
    imported = next(o for o in bpy.context.scene.objects if o.type == "ARMATURE")
    assert set(mapping.bones["left"].values()) <= set(imported.data.bones.keys())
    bpy.context.scene.frame_set(FRAME)
    assert np.abs(tip_positions(imported) - expected).max() < 2e-3  # metres


@pytest.mark.slow
def test_fbx_read_by_assimp(tmp_path, character, clip):
    assimp = shutil.which("assimp")
    if assimp is None:
        pytest.skip("assimp (Debian assimp-utils) is not installed: no third-party FBX check")
    fbx = tmp_path / "hero.fbx"
    args = ["generate", str(clip), "--scene", str(character), "--target-rig", "Hero",
            "--fbx", str(fbx), "--progress", "none"]  # fmt: skip
    assert main(args) == 0
    info = subprocess.run([assimp, "info", str(fbx)], capture_output=True, text=True).stdout
    assert "Animations:         1" in info
    channels = int(info.split("Animation Channels:")[1].split()[0])
    assert channels >= 2 * 18  # both arms, hands and fingers at least
    assert "mixamorig:LeftHandIndex1" in info and "mixamorig:RightHandThumb3" in info


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target-rig", "Nobody"], "no armature named 'Nobody'"),
        (["--target-rig", "Hero", "--piano", "Ghost"], "--piano 'Ghost': no such object"),
        (["--target-rig", "Hero", "--piano=-0.4,-0.3,1.1:36/0.4,-0.3,1.1:96"], "look swapped"),
        (["--target-rig", "Hero", "--rig-preset", "missing.json"], "mapping preset not found"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, character, clip, capsys, extra,
                                                  message):  # fmt: skip
    before = digest(character)
    out = tmp_path / "out.blend"
    args = ["generate", str(clip), "--scene", str(character), *extra, "--blend", str(out),
            "--progress", "none"]  # fmt: skip
    assert main(args) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and message in error[0]
    assert not out.exists() and digest(character) == before


def test_scene_options_need_each_other(character, clip, capsys):
    assert main(["generate", str(clip), "--target-rig", "Hero", "--blend", "x.blend"]) == 2
    assert "--target-rig needs --scene" in capsys.readouterr().err
    args = ["generate", str(clip), "--scene", str(character), "--blend", str(character)]
    assert main([*args, "--target-rig", "Hero", "--progress", "none", "--overwrite"]) == 2
    assert "would overwrite the input scene" in capsys.readouterr().err
