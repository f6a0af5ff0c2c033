"""S2C network output -> HandMotion in the piano world.

The model predicts, per hand, pose48 / pi (global orient + 15 joints, relative to MANO's
hands_mean) and its stage-1 wrist guide xyz / [1.5, 1.5, 25] in the PianoMotion10M camera
frame, the left hand in the right model's mirrored image (S2C_REFERENCE §3.3). That is
exactly a PianoMotion10M frame, so the conversion goes through pm10m.
"""

from __future__ import annotations

import numpy as np

from ...hand.rig import HandRig
from ...motion import HandMotion, MotionMetadata
from ...pm10m import FRAME_SIZE, CameraPlacement, denormalise, motion_from_pm10m


def motion_from_prediction(
    pose: dict[str, np.ndarray],
    position: dict[str, np.ndarray],
    rig: HandRig,
    metadata: MotionMetadata,
    placement: CameraPlacement | None = None,
) -> HandMotion:
    """pose: per hand (F, 48) normalised; position: per hand (F, 3) normalised."""
    frames = {}
    for hand in ("left", "right"):
        radians, transl = denormalise(pose[hand], position[hand])
        frame = np.zeros((len(radians), FRAME_SIZE))
        frame[:, 0] = 1.0  # the model always plays both hands
        frame[:, 1:4] = transl
        frame[:, 4:52] = radians
        frames[hand] = frame
    return motion_from_pm10m(frames["right"], frames["left"], rig, placement, metadata=metadata)


def seam_jump_ratio(joints: np.ndarray, seams: list[tuple[int, int]], radius: int = 3) -> float:
    """Largest frame-to-frame joint jump within +-radius frames of a seam (a hand-over
    spanning frames first..last), over the median jump elsewhere (1.0 = seams are as smooth
    as the rest). joints: (F, J, 3)."""
    jumps = np.linalg.norm(np.diff(joints, axis=0), axis=-1).max(axis=-1)  # (F-1,)
    near = np.zeros(len(jumps), dtype=bool)
    for first, last in seams:  # jump i goes from frame i to i+1
        near[max(first - radius - 1, 0) : last + radius] = True
    if not near.any() or near.all():
        raise ValueError("need at least one seam and frames away from seams")
    return float(jumps[near].max() / np.median(jumps[~near]))
