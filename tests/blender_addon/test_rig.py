"""Hand armatures: MANO bone tree + tips, rest joints, consistent rolls, a skinned mesh."""

from __future__ import annotations

import bmesh
import bpy
import numpy as np
import pytest
from mathutils import Matrix, Quaternion, Vector

from blender_addon import rig
from blender_addon.scene import ensure_hand_rigs
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.skeleton import JOINT_NAMES, NUM_MANO_JOINTS, PARENTS

from .conftest import signed_volume

pytestmark = pytest.mark.blender


@pytest.mark.parametrize("side", ["left", "right"])
def test_bones_follow_the_mano_tree_at_the_rest_joints(scene, side):
    armature = ensure_hand_rigs(scene)[side]
    bones = armature.data.bones
    assert armature.name == rig.ARMATURE_NAMES[side]
    assert sorted(b.name for b in bones) == sorted(JOINT_NAMES)
    rest = builtin_rig(side).rest_joints
    for j, name in enumerate(JOINT_NAMES):
        parent = bones[name].parent
        assert (parent.name if parent else None) == (JOINT_NAMES[PARENTS[j]] if j else None)
        np.testing.assert_allclose(bones[name].head_local, rest[j], atol=1e-6)
        assert bones[name].use_deform == (j < NUM_MANO_JOINTS)


@pytest.mark.parametrize("side", ["left", "right"])
def test_every_bone_z_axis_points_to_the_back_of_the_hand(scene, side):
    armature = ensure_hand_rigs(scene)[side]
    z_axes = np.array([np.array(b.matrix_local)[:3, 2] for b in armature.data.bones])
    assert np.all(z_axes @ rig.BACK_OF_HAND > 0.95)


def test_ensure_hand_rigs_builds_once(scene):
    first = ensure_hand_rigs(scene)
    assert ensure_hand_rigs(scene) == first
    assert sum(obj.type == "ARMATURE" for obj in scene.objects) == 2


def test_hand_mesh_is_skinned_with_normalised_weights(scene):
    armature = ensure_hand_rigs(scene)["right"]
    mesh = scene.objects[rig.MESH_NAMES["right"]]
    assert mesh.parent == armature
    assert mesh.modifiers["Armature"].object == armature
    assert sorted(g.name for g in mesh.vertex_groups) == sorted(JOINT_NAMES[:NUM_MANO_JOINTS])
    totals = np.array([sum(g.weight for g in v.groups) for v in mesh.data.vertices])
    np.testing.assert_allclose(totals, 1.0, atol=1e-6)  # every vertex weighted
    assert all(1 <= len(v.groups) <= 4 for v in mesh.data.vertices)
    assert [m.type for m in mesh.modifiers] == ["ARMATURE", "SUBSURF"]
    assert mesh.modifiers["Subdivision"].render_levels >= 1


@pytest.mark.parametrize("side", ["left", "right"])
def test_hand_mesh_is_one_manifold_part_with_skin_and_nails(scene, side):
    ensure_hand_rigs(scene)
    data = scene.objects[rig.MESH_NAMES[side]].data
    surface = bmesh.new()
    try:
        surface.from_mesh(data)
        assert all(e.is_manifold for e in surface.edges)
        assert all(v.is_manifold for v in surface.verts)
        surface.verts.ensure_lookup_table()
        seen, stack = {surface.verts[0].index}, [surface.verts[0]]
        while stack:
            vert = stack.pop()
            for edge in vert.link_edges:
                other = edge.other_vert(vert)
                if other.index not in seen:
                    seen.add(other.index)
                    stack.append(other)
        assert len(seen) == len(surface.verts)  # one part: nothing loose
    finally:
        surface.free()
    assert [m.name for m in data.materials] == ["S2C_Skin", "S2C_Nail"]
    nails = np.zeros(len(data.polygons), dtype=np.int32)
    data.polygons.foreach_get("material_index", nails)
    assert 0 < nails.mean() < 0.05


def _evaluated_volume(mesh_object) -> float:
    depsgraph = bpy.context.evaluated_depsgraph_get()
    evaluated = mesh_object.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        return signed_volume(mesh)
    finally:
        evaluated.to_mesh_clear()


def test_a_full_fist_keeps_the_hand_volume(scene):
    """Every joint at its flexion limit and the thumb fully abducted: no collapse at the
    knuckles or the thumb base (linear blend skinning loses volume where it folds)."""
    armature = ensure_hand_rigs(scene)["right"]
    mesh = scene.objects[rig.MESH_NAMES["right"]]
    mesh.modifiers["Subdivision"].show_viewport = False
    scene.view_layers[0].update()
    rest = _evaluated_volume(mesh)
    hand = builtin_rig("right")
    abduction = np.where(np.arange(15) >= 12, hand.abd_limits[:, 1], 0.0)
    pose = hand.pose_from_angles(abduction, hand.flex_limits[:, 1]).reshape(15, 3)
    for name, axis_angle in zip(JOINT_NAMES[1:NUM_MANO_JOINTS], pose, strict=True):
        angle = float(np.linalg.norm(axis_angle))
        rest_rotation = Matrix(np.array(armature.data.bones[name].matrix_local)[:3, :3].tolist())
        turn = Quaternion(Vector((axis_angle / angle).tolist()), angle).to_matrix()
        rotation = rest_rotation.transposed() @ turn @ rest_rotation
        armature.pose.bones[name].rotation_quaternion = rotation.to_quaternion()
    scene.view_layers[0].update()
    fist = _evaluated_volume(mesh)
    assert fist == pytest.approx(rest, rel=0.05)


@pytest.mark.parametrize("side", ["left", "right"])
def test_hand_mesh_faces_point_outward(scene, side):
    ensure_hand_rigs(scene)
    assert signed_volume(scene.objects[rig.MESH_NAMES[side]].data) > 1e-4  # m^3, a real hand


def test_skin_follows_a_bent_finger(scene):
    armature = ensure_hand_rigs(scene)["right"]
    mesh = scene.objects[rig.MESH_NAMES["right"]]
    bone = armature.pose.bones["index3"]
    bone.rotation_quaternion = (np.cos(0.4), np.sin(0.4), 0.0, 0.0)
    mesh.modifiers["Subdivision"].show_viewport = False  # compare the cage's own vertices
    scene.view_layers[0].update()
    group = mesh.vertex_groups["index3"].index
    rigid = [
        v.index for v in mesh.data.vertices if len(v.groups) == 1 and v.groups[0].group == group
    ]
    evaluated = mesh.evaluated_get(bpy.context.evaluated_depsgraph_get()).to_mesh()
    moved = np.array([evaluated.vertices[i].co for i in rigid])
    rest = np.array([mesh.data.vertices[i].co for i in rigid])
    deform = np.array(bone.matrix) @ np.linalg.inv(
        np.array(armature.data.bones["index3"].matrix_local)
    )
    expected = rest @ deform[:3, :3].T + deform[:3, 3]
    assert len(rigid) > 0
    np.testing.assert_allclose(moved, expected, atol=1e-6)
