"""Pose-bone rotations that put a character's arm and hand where a take's hand goes.

Pure numpy (no bpy), in the armature's space, so it is tested on plain arrays.

Hand and fingers: a take gives each MANO joint j a rotation G_j(t) from the canonical hand
frame to the piano frame. The character's hand at rest lies in the piano frame as
`F @ canonical` (F = rig_description.hand_frame of its rest joints), so the joint turns
its rest segment by D_j(t) = G_j(t) F^T, whatever the bone's roll: the bone's posed
rotation is D_j(t) times its rest rotation. Each pose bone's quaternion is then
Basis = (M_parent K)^T M, with M the bone's posed rotation, M_parent its keyed parent's
and K the fixed rest offset between them (bones in between stay at rest).

Arm: the upper arm swings so that the elbow lies on the circle the two bone lengths allow
and the forearm swings so that the wrist reaches the take's wrist, the elbow towards a
pole direction (analytic two-bone IK); the shoulder is not moved. The hand's turn about
the forearm's axis is then given to the forearm (pronation and supination happen in the
forearm, not at the wrist), which moves neither the elbow nor the wrist.

Thumb without a metacarpal bone: many game rigs give the thumb two bones, so its
proximal phalanx starts fixed to the hand, where the take's thumb swings it about the
carpometacarpal joint first. Each thumb bone still takes its joint's rotation, and the
whole two-bone chain then turns about its base so that it points where the take's tip
goes (`two_bone_thumb`), its last joint bending a little where the lengths differ.
"""

from __future__ import annotations

import numpy as np

from s2c_core.hand.rotations import axis_angle_to_matrix, matrix_to_quaternion
from s2c_core.hand.skeleton import finger_chain

_EPS = 1e-9


def swing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(..., 3, 3) the smallest rotation turning directions a onto b (..., 3)."""
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    axis = np.cross(a, b)
    cos = np.clip(np.sum(a * b, axis=-1), -1.0, 1.0)
    sin = np.linalg.norm(axis, axis=-1)
    # Opposite directions: turn half a circle about any axis perpendicular to a.
    fallback = np.cross(a, np.where(np.abs(a[..., :1]) < 0.9, [1.0, 0, 0], [0, 1.0, 0]))
    axis = np.where((sin < 1e-12)[..., None] & (cos < 0)[..., None], fallback, axis)
    norm = np.linalg.norm(axis, axis=-1, keepdims=True)
    k = np.where(norm > 1e-12, axis / np.maximum(norm, 1e-12), 0.0)
    angle = np.arctan2(sin, cos)
    K = np.zeros(k.shape[:-1] + (3, 3))
    K[..., 0, 1], K[..., 0, 2], K[..., 1, 2] = -k[..., 2], k[..., 1], -k[..., 0]
    K = K - np.swapaxes(K, -1, -2)
    s, c = np.sin(angle)[..., None, None], np.cos(angle)[..., None, None]
    return np.eye(3) + s * K + (1 - c) * (K @ K)


def two_bone_thumb(delta: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 3, 3) turns of a two-bone thumb's distal bone about its joint and then of the
    whole chain about its base (the proximal phalanx's head, fixed to the hand) that put its
    tip where the take's thumb tip goes.

    delta (T, 16, 3, 3): the rotation each MANO joint gives its rest segment; rest (21, 3):
    the rest joints, the metacarpal joint a virtual one inside the palm (retarget.rest_joints).
    The take's chain starts where its carpometacarpal rotation carries the proximal phalanx's
    head, (D_cmc - D_wrist)(rest_mcp - rest_cmc) away from the character's. The distal bone
    bends at the interphalangeal joint, in the plane the two bones span, until the chain is
    as long as the distance from its base to that tip (as far as a straight chain allows);
    then the chain turns by the smallest rotation that points it there."""
    cmc, mcp, ip, tip = finger_chain("thumb")
    proximal = delta[:, mcp] @ (rest[ip] - rest[mcp])
    distal = delta[:, ip] @ (rest[tip] - rest[ip])
    wanted = proximal + distal + (delta[:, cmc] - delta[:, 0]) @ (rest[mcp] - rest[cmc])
    a, b = np.linalg.norm(rest[ip] - rest[mcp]), np.linalg.norm(rest[tip] - rest[ip])
    length = np.clip(np.linalg.norm(wanted, axis=-1), abs(a - b) + 1e-9, a + b - 1e-9)
    hinge = np.cross(proximal, distal)
    sin = np.linalg.norm(hinge, axis=-1)
    bent = np.arctan2(sin, np.sum(proximal * distal, axis=-1))
    wanted_bend = np.arccos(np.clip((length**2 - a * a - b * b) / (2 * a * b), -1.0, 1.0))
    # A straight thumb has no bending plane: it stays straight.
    turn = np.where(sin > 1e-6 * a * b, wanted_bend - bent, 0.0)
    axis = hinge / np.maximum(sin, _EPS)[:, None]
    bend = axis_angle_to_matrix(axis * turn[:, None])
    reached = proximal + np.einsum("tab,tb->ta", bend, distal)
    return bend, swing(reached, wanted)


def local_rotations(posed: np.ndarray, parent_posed: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """(T, 3, 3) pose-bone basis rotations: (parent_posed @ offset)^T @ posed."""
    return np.swapaxes(parent_posed @ offset, -1, -2) @ posed


def twist_angle(rotation: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """(T,) angle of the twist about unit `axis` (T, 3) in rotations (T, 3, 3): the
    swing-twist decomposition's twist, in (-pi, pi]."""
    q = matrix_to_quaternion(rotation)  # (w, x, y, z) with w >= 0
    return 2.0 * np.arctan2(np.sum(q[..., 1:] * axis, axis=-1), q[..., 0])


def two_bone_ik(
    shoulder: np.ndarray,
    elbow: np.ndarray,
    wrist: np.ndarray,
    target: np.ndarray,
    pole: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arm rotations reaching `target` (T, 3) from the rest arm shoulder/elbow/wrist (3,).

    Returns the upper arm's and the forearm's (T, 3, 3) rotations (applied on top of the
    rest arm, in the same space) and the (T, 3) wrist reached, which is the target unless
    it lies beyond the arm's reach. The elbow bends towards the direction `pole` (3,), and
    the upper arm turns so that the elbow's rest hinge axis becomes the new one, so the
    elbow bends as a hinge (for an arm straight at rest the hinge is taken across `pole`).
    """
    upper = np.linalg.norm(elbow - shoulder)
    lower = np.linalg.norm(wrist - elbow)
    reach = target - shoulder
    distance = np.linalg.norm(reach, axis=-1)
    u = reach / np.maximum(distance, _EPS)[:, None]
    d = np.clip(distance, abs(upper - lower) + 1e-6, upper + lower - 1e-6)
    side = pole - np.sum(pole * u, axis=-1, keepdims=True) * u
    side /= np.maximum(np.linalg.norm(side, axis=-1, keepdims=True), _EPS)
    cos_a = np.clip((upper**2 + d**2 - lower**2) / (2 * upper * d), -1.0, 1.0)
    new_elbow = shoulder + upper * (cos_a[:, None] * u + np.sqrt(1 - cos_a**2)[:, None] * side)
    reached = shoulder + d[:, None] * u
    rest_hinge = np.cross(elbow - shoulder, wrist - elbow)
    if np.linalg.norm(rest_hinge) < 0.03 * upper * lower:  # straight within ~2 degrees
        rest_hinge = np.cross(pole, elbow - shoulder)
    hinge = np.cross(new_elbow - shoulder, reached - new_elbow)
    turn_upper = _frame(new_elbow - shoulder, hinge) @ np.swapaxes(
        _frame(elbow - shoulder, rest_hinge), -1, -2
    )
    rest_forearm = np.einsum("tab,b->ta", turn_upper, wrist - elbow)
    turn_lower = swing(rest_forearm, reached - new_elbow) @ turn_upper
    return turn_upper, turn_lower, reached


def _frame(along: np.ndarray, across: np.ndarray) -> np.ndarray:
    """(..., 3, 3) orthonormal columns: `along`, `across` made perpendicular, their cross."""
    a = along / np.linalg.norm(along, axis=-1, keepdims=True)
    b = across - np.sum(across * a, axis=-1, keepdims=True) * a
    b = b / np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), _EPS)
    return np.stack([a, b, np.cross(a, b)], axis=-1)
