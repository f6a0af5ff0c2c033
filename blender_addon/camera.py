"""A camera and a light that frame both hands on the keyboard for a whole take.

Views are named directions in the piano world (Z up, keys along X, the player at -Y):
"pianist" looks from the player's eyes over the hands to the keys, "above" straight down
with the player at the bottom of the picture. A camera is fitted to a cloud of points
(every hand joint over the take, padded by the skin and the forearm) so that all of them
project inside the frame with a margin: for a pinhole camera looking along d from
centre - distance * d, a point p is inside when |x_p| / depth_p <= tan(fov / 2) in both
image axes, and depth_p = (p - centre) . d + distance gives the least distance directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import bpy
import numpy as np
from mathutils import Matrix, Vector

from s2c_core.hand.fk import forward_kinematics
from s2c_core.hand.rig import HandRig
from s2c_core.motion import HANDS, HandMotion

from .blend_data import ensure_collection, new_object

CAMERA_NAME = "S2C_Camera"
LIGHT_NAME = "S2C_Light"
COLLECTION_NAME = "S2C Camera"

_LENS_MM = 35.0
_SENSOR_MM = 36.0
_FRAME_MARGIN = 0.9  # the points use at most 90 % of the frame's half-width/height
_WRIST_PADDING = 0.08  # m around the wrist: the forearm stub behind it
_JOINT_PADDING = 0.02  # m around the other joints: skin and fingertips
_SUN_DIRECTION = (0.35, 0.6, -1.0)  # from the player's left shoulder, down onto the keys
_SUN_STRENGTH = 3.0


@dataclass(frozen=True)
class View:
    """A camera direction (where it looks) and the world direction shown as up."""

    direction: tuple[float, float, float]
    up: tuple[float, float, float]


VIEWS = {
    "pianist": View(direction=(0.0, 0.62, -0.78), up=(0.0, 0.0, 1.0)),  # ~50 degrees down
    "above": View(direction=(0.0, 0.0, -1.0), up=(0.0, 1.0, 0.0)),
}


def hand_points(motion: HandMotion, rig: HandRig, frames: np.ndarray | None = None) -> np.ndarray:
    """(N, 3) world points that enclose both hands in every frame where they are present.

    frames: indices of the frames to cover (default: all of them).
    """
    points = []
    for side in HANDS:
        track = motion.hand(side)
        present = np.asarray(track.present, dtype=bool)
        if frames is not None:
            present = present & np.isin(np.arange(len(present)), frames)
        if not present.any():
            continue
        joints = track.joints
        if joints is None:
            joints = forward_kinematics(
                rig.for_side(side), track.global_orient, track.hand_pose, track.transl
            )
        joints = np.asarray(joints, dtype=float)[present]
        corners = np.array(np.meshgrid(*[(-1.0, 1.0)] * 3, indexing="ij")).reshape(3, -1).T
        points.append(joints[:, 0, None, :] + _WRIST_PADDING * corners)
        points.append(joints[:, 1:, None, :] + _JOINT_PADDING * corners)
    if not points:
        raise ValueError("no frame to frame: no hand is present there")
    return np.concatenate([p.reshape(-1, 3) for p in points])


def fit_camera(camera: bpy.types.Object, points: np.ndarray, view: View, aspect: float) -> None:
    """Aim `camera` along `view` and place it so every point shows inside the frame.

    aspect is the image's width / height; the lens and sensor are fixed (horizontal fit).
    """
    d = np.asarray(view.direction, float)
    d /= np.linalg.norm(d)
    up = np.asarray(view.up, float)
    up = up - (up @ d) * d
    up /= np.linalg.norm(up)
    right = np.cross(d, up)
    camera.data.lens, camera.data.sensor_width = _LENS_MM, _SENSOR_MM
    camera.data.sensor_fit = "HORIZONTAL"
    tan_x = _FRAME_MARGIN * 0.5 * _SENSOR_MM / _LENS_MM
    tan_y = tan_x / aspect
    x, y = points @ right, points @ up
    centre = 0.5 * (x.min() + x.max()) * right + 0.5 * (y.min() + y.max()) * up
    depth_offset = (points - centre) @ d
    lateral_x, lateral_y = np.abs((points - centre) @ right), np.abs((points - centre) @ up)
    distance = float(np.max(np.maximum(lateral_x / tan_x, lateral_y / tan_y) - depth_offset))
    camera.matrix_world = _camera_matrix(centre - distance * d, right, up, d)
    camera.data.clip_start = 0.01
    camera.data.clip_end = max(10.0, 4.0 * distance)


def _camera_matrix(location: np.ndarray, right: np.ndarray, up: np.ndarray, d: np.ndarray):
    """Blender cameras look along their local -Z with local +Y up."""
    matrix = np.eye(4)
    matrix[:3, 0], matrix[:3, 1], matrix[:3, 2], matrix[:3, 3] = right, up, -d, location
    return Matrix(matrix.tolist())


def ensure_camera_and_light(
    scene: bpy.types.Scene, motion: HandMotion, rig: HandRig
) -> bpy.types.Object:
    """The scene's "S2C_Camera" (made the active camera) and "S2C_Light" sun.

    Built and fitted to the take's hands from the pianist's view only when missing, so a
    camera the user has moved stays where it is for later takes.
    """
    collection = ensure_collection(scene, COLLECTION_NAME)
    camera = scene.objects.get(CAMERA_NAME)
    if camera is None:
        camera = new_object(collection, CAMERA_NAME, bpy.data.cameras.new(CAMERA_NAME))
        fit_camera(camera, hand_points(motion, rig), VIEWS["pianist"], image_aspect(scene))
    if scene.camera is None:
        scene.camera = camera
    if scene.objects.get(LIGHT_NAME) is None:
        sun = bpy.data.lights.new(LIGHT_NAME, "SUN")
        sun.energy = _SUN_STRENGTH
        sun.angle = np.deg2rad(10.0)  # soft shadow edges
        light = new_object(collection, LIGHT_NAME, sun)
        # a sun shines along its local -Z
        light.rotation_euler = (-Vector(_SUN_DIRECTION)).to_track_quat("Z", "Y").to_euler()
    return camera


def image_aspect(scene: bpy.types.Scene) -> float:
    render = scene.render
    return (render.resolution_x * render.pixel_aspect_x) / (
        render.resolution_y * render.pixel_aspect_y
    )
