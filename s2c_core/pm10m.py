"""Conversions between HandMotion and the PianoMotion10M 62-float frame layout.

PianoMotion10M frame (per hand, S2C_REFERENCE §1.2): [0] valid flag, [1:4] MANO transl in
camera space, [4:7] global_orient, [7:52] hand_pose relative to MANO's hands_mean, [52:62]
betas. Both hands are posed with the RIGHT MANO model; the left hand's image is then
mirrored x -> -x in camera space. Models see pose48 / pi and transl / [1.5, 1.5, 25], after
`adjust[1:3]` has been added to ty and tz.

The camera frame (x right, y down in the image, z forward from a bird's-eye camera, units
effectively metres) is placed in the piano world by a `CameraPlacement`; the default puts a
typical hand height over the middle of the keyboard and can be refitted to a performance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .hand.fk import build_track
from .hand.rig import HandRig
from .hand.rotations import (
    MIRROR_X,
    axis_angle_to_matrix,
    matrix_to_axis_angle,
    mirror_axis_angle,
)
from .motion import DEFAULT_FPS, HandMotion, MotionMetadata
from .music.keyboard import Keyboard

FRAME_SIZE = 62
FLAG, TRANSL, ORIENT, POSE, BETAS = (
    slice(0, 1), slice(1, 4), slice(4, 7), slice(7, 52), slice(52, 62),
)  # fmt: skip
TRANSL_SCALE = np.array([1.5, 1.5, 25.0])  # the reference's translation normaliser
TYPICAL_CAMERA_DEPTH = 25.0  # hands sit about 25 units in front of the PM10M camera
TYPICAL_WRIST_HEIGHT = 0.06  # metres above the white key tops


def _default_offset() -> np.ndarray:
    return np.array([0.5 * Keyboard().width, 0.07, TYPICAL_CAMERA_DEPTH + TYPICAL_WRIST_HEIGHT])


@dataclass(frozen=True)
class CameraPlacement:
    """world = scale * rotation @ camera + offset (a similarity transform).

    The default rotation maps camera x -> world X, camera y (down the image, towards the
    player) -> world -Y and camera z (away from the camera, downwards) -> world -Z.
    """

    scale: float = 1.0
    rotation: np.ndarray = field(default_factory=lambda: np.diag([1.0, -1.0, -1.0]))
    offset: np.ndarray = field(default_factory=_default_offset)

    def to_world(self, points: np.ndarray) -> np.ndarray:
        return self.scale * np.asarray(points) @ self.rotation.T + self.offset

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        return ((np.asarray(points) - self.offset) / self.scale) @ self.rotation

    def orient_to_world(self, aa: np.ndarray) -> np.ndarray:
        return matrix_to_axis_angle(self.rotation @ axis_angle_to_matrix(aa))

    def orient_to_camera(self, aa: np.ndarray) -> np.ndarray:
        return matrix_to_axis_angle(self.rotation.T @ axis_angle_to_matrix(aa))


def apply_adjust(frames: np.ndarray, adjust) -> np.ndarray:
    """Add adjust[1] to ty and adjust[2] to tz (the reference's `--adjust`); returns a copy."""
    out = np.array(frames, dtype=np.float64, copy=True)
    out[..., 2:4] += np.asarray(adjust, dtype=np.float64)[1:3]
    return out


def normalise(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 62) -> model targets: pose48 / pi (..., 48) and transl / scale (..., 3)."""
    frames = np.asarray(frames, dtype=np.float64)
    return frames[..., 4:52] / np.pi, frames[..., TRANSL] / TRANSL_SCALE


def denormalise(pose48: np.ndarray, transl: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of `normalise`: radians (..., 48) and camera-space transl (..., 3)."""
    return np.asarray(pose48) * np.pi, np.asarray(transl) * TRANSL_SCALE


def resample_frames(frames: np.ndarray, fps_in: float, fps_out: float = DEFAULT_FPS) -> np.ndarray:
    """Linear interpolation along time with the first and last frames kept (for converting
    whole sequences). Training crops use `data.pianomotion.resample_like_reference`, which
    samples at half-frame offsets exactly as the reference's F.interpolate does."""
    frames = np.asarray(frames, dtype=np.float64)
    if fps_in == fps_out:
        return frames
    count = max(1, int(round(len(frames) * fps_out / fps_in)))
    src = np.linspace(0.0, len(frames) - 1, count)
    idx = np.arange(len(frames))
    return np.stack([np.interp(src, idx, frames[:, c]) for c in range(frames.shape[1])], axis=1)


def motion_from_pm10m(
    right: np.ndarray,
    left: np.ndarray,
    rig: HandRig,
    placement: CameraPlacement | None = None,
    fps: float = DEFAULT_FPS,
    adjust=None,
    metadata: MotionMetadata | None = None,
) -> HandMotion:
    """Two (T, 62) PianoMotion10M arrays -> HandMotion in the piano world (30 fps)."""
    placement = placement or CameraPlacement()
    tracks = {}
    for side, frames in (("right", right), ("left", left)):
        frames = np.asarray(frames, dtype=np.float64)
        if frames.ndim != 2 or frames.shape[1] != FRAME_SIZE:
            raise ValueError(f"{side} hand: expected (T, {FRAME_SIZE}) frames, got {frames.shape}")
        if adjust is not None:
            frames = apply_adjust(frames, adjust)
        frames = resample_frames(frames, fps, DEFAULT_FPS)
        tracks[side] = _track_from_frames(
            frames, rig.for_side(side), rig.for_side("right"), side, placement
        )
    return HandMotion(
        fps=DEFAULT_FPS,
        left=tracks["left"],
        right=tracks["right"],
        metadata=metadata or MotionMetadata(engine="pianomotion10m", hand_model=rig.name),
    )


def motion_to_pm10m(
    motion: HandMotion, rig: HandRig, placement: CameraPlacement | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """HandMotion -> (right, left) (T, 62) PianoMotion10M arrays (betas zero, no adjust)."""
    placement = placement or CameraPlacement()
    right_rig = rig.for_side("right")
    out = []
    for side in ("right", "left"):
        track = motion.hand(side)
        orient_cam = placement.orient_to_camera(track.global_orient)
        pose_abs = np.asarray(track.hand_pose, dtype=np.float64)
        wrist_cam = placement.to_camera(track.transl)
        if side == "left":  # back to the right-hand model's mirrored image
            orient_cam = mirror_axis_angle(orient_cam)
            pose_abs = mirror_axis_angle(pose_abs.reshape(-1, 15, 3)).reshape(-1, 45)
            wrist_cam = wrist_cam @ MIRROR_X
        frames = np.zeros((track.num_frames, FRAME_SIZE))
        frames[:, FLAG] = np.asarray(track.present, dtype=np.float64)[:, None]
        frames[:, TRANSL] = wrist_cam - right_rig.mano_wrist
        frames[:, ORIENT] = orient_cam
        frames[:, POSE] = pose_abs - right_rig.mean_pose
        out.append(frames)
    return out[0], out[1]


def _track_from_frames(
    frames: np.ndarray, rig: HandRig, right_rig: HandRig, side: str, placement: CameraPlacement
):
    """One hand's 62-float frames (after adjust, at 30 fps) -> HandTrack in the world."""
    orient = frames[:, ORIENT]
    pose_abs = frames[:, POSE] + right_rig.mean_pose  # PM poses are relative to hands_mean
    wrist_cam = frames[:, TRANSL] + right_rig.mano_wrist
    if side == "left":  # PM poses the left hand with the right model, then mirrors x
        orient = mirror_axis_angle(orient)
        pose_abs = mirror_axis_angle(pose_abs.reshape(-1, 15, 3)).reshape(-1, 45)
        wrist_cam = wrist_cam @ MIRROR_X
    return build_track(
        rig,
        placement.orient_to_world(orient),
        pose_abs,
        placement.to_world(wrist_cam),
        frames[:, 0] > 0.5,
    )
