"""Forward kinematics of a MANO-topology hand in numpy.

Each of joints 1..15 rotates its subtree about itself by its `hand_pose` rotation, composed
down the chain (MANO's kinematics, without skinning); fingertips ride on their last
segment. `global_orient` rotates the whole hand about the wrist, and the wrist is then
placed at `wrist` (HandMotion's `transl`).
"""

from __future__ import annotations

import numpy as np

from .rig import HandRig
from .rotations import axis_angle_to_matrix
from .skeleton import NUM_MANO_JOINTS, PARENTS


def global_rotations(global_orient: np.ndarray, hand_pose: np.ndarray) -> np.ndarray:
    """(..., 3), (..., 45) -> (..., 16, 3, 3) world rotation of each MANO joint's frame."""
    local = axis_angle_to_matrix(
        np.concatenate(
            [
                np.asarray(global_orient)[..., None, :],
                np.asarray(hand_pose).reshape(hand_pose.shape[:-1] + (15, 3)),
            ],
            -2,
        )
    )
    world = np.empty_like(local)
    world[..., 0, :, :] = local[..., 0, :, :]
    for j in range(1, NUM_MANO_JOINTS):
        world[..., j, :, :] = world[..., PARENTS[j], :, :] @ local[..., j, :, :]
    return world


def forward_kinematics(
    rig: HandRig, global_orient: np.ndarray, hand_pose: np.ndarray, wrist: np.ndarray
) -> np.ndarray:
    """World positions of the 21 joints: (..., 3), (..., 45), (..., 3) -> (..., 21, 3)."""
    rotations = global_rotations(global_orient, hand_pose)
    offsets = rig.bone_offsets
    batch = np.broadcast_shapes(np.shape(global_orient)[:-1], np.shape(wrist)[:-1])
    joints = np.empty(batch + (len(PARENTS), 3))
    joints[..., 0, :] = wrist
    for j in range(1, len(PARENTS)):
        parent = PARENTS[j]
        joints[..., j, :] = joints[..., parent, :] + np.einsum(
            "...ab,b->...a", rotations[..., parent, :, :], offsets[j]
        )
    return joints


def build_track(
    rig: HandRig,
    global_orient: np.ndarray,
    hand_pose: np.ndarray,
    wrist: np.ndarray,
    present: np.ndarray,
):
    """A HandTrack with world joints filled in by forward kinematics (float32)."""
    from ..motion import HandTrack

    return HandTrack(
        transl=np.asarray(wrist, dtype=np.float32),
        global_orient=np.asarray(global_orient, dtype=np.float32),
        hand_pose=np.asarray(hand_pose, dtype=np.float32),
        present=np.asarray(present, dtype=bool),
        joints=forward_kinematics(rig, global_orient, hand_pose, wrist).astype(np.float32),
    )
