"""scene.py: takes, timing, FBX/glTF round trips, atomic outputs and key reduction."""

from __future__ import annotations

from dataclasses import replace

import bpy
import numpy as np
import pytest

from blender_addon import keying
from blender_addon import scene as s2c_scene
from blender_addon.scene import apply_take, export_fbx, export_gltf, reduce_keys
from s2c_core.hand.fk import build_track
from s2c_core.hand.rig import REST_JOINTS_KEY, builtin_rig, rig_from_rest_joints
from s2c_core.motion import MotionFormatError, MotionMetadata

from .conftest import expected_hand, sample_hand

pytestmark = pytest.mark.blender


def test_built_scene_has_both_rigs_and_the_piano(scene, make_motion):
    actions = apply_take(scene, make_motion(frames=4), take_name="t")
    assert {"S2C_Hand_L", "S2C_Hand_R", "S2C_Piano"} <= set(scene.objects.keys())
    assert sum(obj.name.startswith("Key_") for obj in scene.objects) == 88
    assert set(actions) == {"left", "right", "piano"}


def test_apply_take_sets_rate_and_frame_range(scene, make_motion):
    apply_take(scene, make_motion(frames=10, fps=29.97), take_name="t", frame_start=3)
    assert scene.render.fps / scene.render.fps_base == pytest.approx(29.97)
    assert (scene.frame_start, scene.frame_end) == (3, 12)


def test_a_second_take_adds_an_action_and_keeps_the_first(scene, make_motion):
    first = apply_take(scene, make_motion(frames=4, seed=1), take_name="take1")
    second = apply_take(scene, make_motion(frames=6, seed=2), take_name="take2")
    names = {a.name for a in bpy.data.actions}
    assert {"take1_L", "take1_R", "take1_Keys", "take2_L", "take2_R", "take2_Keys"} <= names
    assert first["right"].use_fake_user and first["right"].users >= 1
    assert scene.objects["S2C_Hand_R"].animation_data.action == second["right"]


def test_fbx_round_trip_keeps_bones_frame_range_and_rotations(scene, make_motion, tmp_path):
    motion = make_motion(frames=12, seed=7)
    apply_take(scene, motion, take_name="t", frame_start=1)
    path = export_fbx(tmp_path / "take.fbx")
    assert path.is_file() and [p.name for p in tmp_path.iterdir()] == ["take.fbx"]
    bpy.ops.wm.read_factory_settings(use_empty=True)
    # FBX stores absolute time (frame / fps); an offset of 0 maps it back to the same frames.
    bpy.ops.import_scene.fbx(filepath=str(path), anim_offset=0.0)
    imported = bpy.context.scene
    for side, name in (("left", "S2C_Hand_L"), ("right", "S2C_Hand_R")):
        armature = imported.objects[name]
        assert {b.name for b in armature.data.bones} == set(keying.JOINT_NAMES)
        assert tuple(armature.animation_data.action.frame_range) == (1.0, 12.0)
        for index in (0, 5, 11):
            joints, rotations = sample_hand(armature, 1 + index)
            want_joints, want_rotations = expected_hand(motion, side, index)
            np.testing.assert_allclose(rotations, want_rotations, atol=1e-4)
            np.testing.assert_allclose(joints, want_joints, atol=1e-4)
    assert sum(obj.name.startswith("Key_") for obj in imported.objects) == 88


def test_fbx_without_piano_holds_only_the_hands(scene, make_motion, tmp_path):
    apply_take(scene, make_motion(frames=3), take_name="t")
    export_fbx(tmp_path / "hands.fbx", include_piano=False)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.fbx(filepath=str(tmp_path / "hands.fbx"))
    assert {obj.name for obj in bpy.context.scene.objects} == {
        "S2C_Hand_L", "S2C_Hand_R", "S2C_HandMesh_L", "S2C_HandMesh_R"
    }  # fmt: skip


def test_gltf_round_trip_keeps_the_sampled_pose(scene, make_motion, tmp_path):
    motion = make_motion(frames=8, seed=8)
    apply_take(scene, motion, take_name="t")
    path = export_gltf(tmp_path / "take.glb")
    assert path.read_bytes()[:4] == b"glTF"
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.context.scene.render.fps = 30  # glTF stores seconds; read them back at the take's rate
    bpy.ops.import_scene.gltf(filepath=str(path))
    armature = bpy.context.scene.objects["S2C_Hand_R"]
    for index in (0, 7):
        joints, rotations = sample_hand(armature, 1 + index)
        want_joints, want_rotations = expected_hand(motion, "right", index)
        np.testing.assert_allclose(rotations, want_rotations, atol=1e-4)
        np.testing.assert_allclose(joints, want_joints, atol=1e-4)


def test_a_failed_export_leaves_nothing_behind(scene, make_motion, tmp_path, monkeypatch):
    apply_take(scene, make_motion(frames=3), take_name="t")

    def broken(operator, **settings):
        with open(settings["filepath"], "wb") as handle:
            handle.write(b"half a file")
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(s2c_scene, "_run_exporter", broken)
    with pytest.raises(RuntimeError, match="exporter crashed"):
        export_fbx(tmp_path / "take.fbx")
    assert list(tmp_path.iterdir()) == []


def test_reduce_keys_every_nth_keeps_editable_keys(scene, make_motion):
    action = apply_take(scene, make_motion(frames=10), take_name="t")["right"]
    kept = reduce_keys(action, every_nth=3)
    fcurves = keying.action_fcurves(action)
    assert kept == 4 * len(fcurves)
    assert [p.co.x for p in fcurves[0].keyframe_points] == [1.0, 4.0, 7.0, 10.0]


def test_reduce_keys_within_tolerance(scene, make_motion):
    action = apply_take(scene, make_motion(frames=30), take_name="t")["right"]
    fcurve = keying.action_fcurves(action)[0]
    frames = np.arange(1.0, 31.0)
    smooth = np.sin(frames / 5.0)
    keying.set_keys(fcurve, frames, smooth)
    reduce_keys(action, tolerance=0.01)
    assert 2 < len(fcurve.keyframe_points) < 30
    np.testing.assert_allclose([fcurve.evaluate(f) for f in frames], smooth, atol=0.0101)


def test_reduce_keys_needs_exactly_one_mode(scene, make_motion):
    action = apply_take(scene, make_motion(frames=3), take_name="t")["right"]
    with pytest.raises(ValueError):
        reduce_keys(action)
    with pytest.raises(ValueError):
        reduce_keys(action, every_nth=2, tolerance=0.1)


def test_atomic_output_commits_only_on_success(tmp_path):
    with s2c_scene.atomic_output(tmp_path / "ok.txt") as temporary:
        temporary.write_text("done")
    assert (tmp_path / "ok.txt").read_text() == "done"
    with pytest.raises(KeyError), s2c_scene.atomic_output(tmp_path / "bad.txt") as temporary:
        temporary.write_text("half")
        raise KeyError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.txt"]


def test_a_take_made_with_mano_builds_and_keys_that_hand(scene, make_motion):
    """Blender can't load MANO itself: the take carries the rest joints it was made with."""
    big = builtin_rig("right").rest_joints * 1.15  # a larger hand than the built-in one
    rig = rig_from_rest_joints(big, "mano")
    motion = make_motion(frames=6)
    tracks = {
        side: build_track(rig.for_side(side), t.global_orient, t.hand_pose, t.transl, t.present)
        for side, t in (("left", motion.left), ("right", motion.right))
    }
    extra = {REST_JOINTS_KEY: big.tolist()}
    metadata = MotionMetadata(engine="test", hand_model="mano", extra=extra)
    motion = replace(motion, **tracks, metadata=metadata)
    apply_take(scene, motion, take_name="mano_take", frame_start=1)
    for side in ("left", "right"):
        armature = scene.objects[f"S2C_Hand_{side[0].upper()}"]
        joints, _ = sample_hand(armature, 1 + 3)
        np.testing.assert_allclose(joints, motion.hand(side).joints[3], atol=1e-5)


def _data_counts() -> dict[str, int]:
    kinds = ("objects", "actions", "meshes", "armatures", "materials", "collections")
    return {kind: len(getattr(bpy.data, kind)) for kind in kinds}


def test_bad_rest_joints_are_refused_before_the_scene_is_touched(scene, make_motion):
    motion = make_motion(frames=4)
    motion.metadata.extra[REST_JOINTS_KEY] = np.zeros((21, 3)).tolist()  # every bone 0 long
    before = _data_counts()
    with pytest.raises(MotionFormatError, match="rest_joints are degenerate"):
        apply_take(scene, motion, take_name="bad", frame_start=1)
    assert _data_counts() == before and len(scene.objects) == 0


def test_a_failure_while_keying_removes_what_the_take_built(scene, make_motion, monkeypatch):
    def broken(armature, *args, **kwargs):
        if armature.name.endswith("_R"):
            raise RuntimeError("keying failed")
        return original(armature, *args, **kwargs)

    original = keying.hand_action
    monkeypatch.setattr(keying, "hand_action", broken)
    before = _data_counts()
    with pytest.raises(RuntimeError, match="keying failed"):
        apply_take(scene, make_motion(frames=4), take_name="half", frame_start=1)
    assert _data_counts() == before and len(scene.objects) == 0
    monkeypatch.setattr(keying, "hand_action", original)
    apply_take(scene, make_motion(frames=4), take_name="whole", frame_start=1)  # still works
    assert scene.objects["S2C_Hand_R"].animation_data.action.name == "whole_R"


def test_a_take_ending_past_blenders_last_frame_is_refused_untouched(scene, make_motion):
    before = _data_counts()
    with pytest.raises(MotionFormatError, match="past Blender's last frame 1,048,574"):
        apply_take(scene, make_motion(frames=8), take_name="late", frame_start=1_048_570)
    assert _data_counts() == before and len(scene.objects) == 0
