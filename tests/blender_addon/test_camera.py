"""camera.py: the generated scene's camera sees both hands for the whole take; a sun lights it."""

from __future__ import annotations

import bpy
import numpy as np
import pytest
from bpy_extras.object_utils import world_to_camera_view

from blender_addon import camera, rig
from blender_addon.scene import apply_take
from s2c_core.hand.rig import builtin_rig

pytestmark = pytest.mark.blender


def hand_vertices(scene, side: str) -> np.ndarray:
    """World positions of a hand mesh's deformed vertices at the current frame."""
    mesh_object = scene.objects[rig.MESH_NAMES[side]]
    evaluated = mesh_object.evaluated_get(bpy.context.evaluated_depsgraph_get())
    mesh = evaluated.to_mesh()
    try:
        co = np.empty(3 * len(mesh.vertices))
        mesh.vertices.foreach_get("co", co)
    finally:
        evaluated.to_mesh_clear()
    world = np.array(mesh_object.matrix_world)
    return co.reshape(-1, 3) @ world[:3, :3].T + world[:3, 3]


def in_view(scene, camera_object, points: np.ndarray) -> np.ndarray:
    """(N,) True where a point projects inside the image, in front of the camera."""
    from mathutils import Vector

    ndc = np.array([world_to_camera_view(scene, camera_object, Vector(p))[:] for p in points])
    return (
        (ndc[:, 0] >= 0) & (ndc[:, 0] <= 1) & (ndc[:, 1] >= 0) & (ndc[:, 1] <= 1) & (ndc[:, 2] > 0)
    )


def bounding_box(points: np.ndarray) -> np.ndarray:
    low, high = points.min(axis=0), points.max(axis=0)
    return np.array(np.meshgrid(*zip(low, high, strict=True), indexing="ij")).reshape(3, -1).T


def test_the_camera_sees_both_hands_in_every_frame(scene, make_motion):
    motion = make_motion(frames=3, seed=3)
    apply_take(scene, motion, take_name="t")
    camera_object = scene.camera
    assert camera_object.name == camera.CAMERA_NAME
    for frame in range(scene.frame_start, scene.frame_end + 1):
        scene.frame_set(frame)
        for side in ("left", "right"):
            box = bounding_box(hand_vertices(scene, side))
            assert in_view(scene, camera_object, box).all(), (frame, side)


@pytest.mark.parametrize("view", sorted(camera.VIEWS))
def test_each_view_fits_the_take_tightly(scene, make_motion, view):
    motion = make_motion(frames=6, seed=4)
    apply_take(scene, motion, take_name="t")
    camera_object = scene.camera
    points = camera.hand_points(motion, builtin_rig("right"))
    camera.fit_camera(camera_object, points, camera.VIEWS[view], camera.image_aspect(scene))
    scene.view_layers[0].update()
    assert in_view(scene, camera_object, points).all()
    # not from miles away: the cloud fills most of the frame in at least one direction
    from mathutils import Vector

    ndc = np.array([world_to_camera_view(scene, camera_object, Vector(p))[:2] for p in points])
    assert np.ptp(ndc, axis=0).max() > 0.8


def test_the_pianist_camera_looks_down_at_the_keys_from_the_players_side(scene, make_motion):
    apply_take(scene, make_motion(frames=4), take_name="t")
    matrix = np.array(scene.camera.matrix_world)
    looking = -matrix[:3, 2]
    assert looking[1] > 0.4 and looking[2] < -0.4  # towards the keys (+Y) and down
    assert matrix[1, 3] < 0.0 and matrix[2, 3] > 0.2  # from the player's side, above
    light = scene.objects[camera.LIGHT_NAME]
    assert light.data.type == "SUN" and light.data.energy > 0
    assert -np.array(light.matrix_world)[2, 2] < -0.5  # shining downwards


def test_a_later_take_keeps_the_camera_where_it_is(scene, make_motion):
    apply_take(scene, make_motion(frames=4, seed=1), take_name="a")
    scene.camera.location.x += 0.5  # the user moves it
    scene.view_layers[0].update()
    moved = np.array(scene.camera.matrix_world)
    apply_take(scene, make_motion(frames=4, seed=2), take_name="b")
    np.testing.assert_allclose(np.array(scene.camera.matrix_world), moved)
    assert sum(obj.type == "CAMERA" for obj in scene.objects) == 1
