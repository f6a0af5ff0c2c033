"""MANO hand topology: 16 articulated joints plus 5 fingertips (21 points).

Order of the 16 MANO joints (and of the 15 `hand_pose` rotations, which skip the wrist):
wrist, index1-3, middle1-3, pinky1-3, ring1-3, thumb1-3. Fingertips follow as joints 16..20
in the same finger order: index, middle, pinky, ring, thumb.
"""

from __future__ import annotations

FINGERS = ("index", "middle", "pinky", "ring", "thumb")
NUM_MANO_JOINTS = 16
NUM_JOINTS = 21  # 16 MANO joints + 5 fingertips
NUM_POSE_JOINTS = 15  # hand_pose rotates joints 1..15; joint 0 is rotated by global_orient

JOINT_NAMES: tuple[str, ...] = (
    "wrist",
    *(f"{finger}{segment}" for finger in FINGERS for segment in (1, 2, 3)),
    *(f"{finger}_tip" for finger in FINGERS),
)

# Parent of each of the 21 points (-1 for the wrist). Each finger is a chain wrist->1->2->3->tip.
PARENTS: tuple[int, ...] = (
    -1,
    *(parent for f in range(5) for parent in (0, 1 + 3 * f, 2 + 3 * f)),
    *(3 + 3 * f for f in range(5)),
)


def finger_chain(finger: str) -> tuple[int, int, int, int]:
    """Joint indices (segment1, segment2, segment3, tip) of one finger."""
    f = FINGERS.index(finger)
    return (1 + 3 * f, 2 + 3 * f, 3 + 3 * f, NUM_MANO_JOINTS + f)


def tip_index(finger: str) -> int:
    return NUM_MANO_JOINTS + FINGERS.index(finger)


# Piano fingering numbers (1 = thumb ... 5 = little finger) to MANO finger names.
PIANO_FINGER_NAMES = {1: "thumb", 2: "index", 3: "middle", 4: "ring", 5: "pinky"}
