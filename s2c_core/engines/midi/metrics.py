"""Measures of a HandMotion against its notes: hand split, key contact, stray presses, keys
held through finger substitutions; of the two hands against each other: clearance; and of
how restless the hands look: how fast they turn.

Shared by the benchmark and the tests. Frames follow the engine's `note_frames`: a note
sounds on frames [on, off], and its onset frame is round(onset * fps).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ...hand.rotations import axis_angle_to_matrix
from ...hand.skeleton import PIANO_FINGER_NAMES, tip_index
from ...motion import HANDS, NOTE_COLUMNS, SUBSTITUTION_COLUMNS, HandMotion, note_frames
from ...music.keyboard import LOWEST_PITCH, NUM_KEYS, Keyboard
from .holding import SHORTEST_HOLD

_COLUMN = {name: i for i, name in enumerate(NOTE_COLUMNS)}
_SWAP = {name: i for i, name in enumerate(SUBSTITUTION_COLUMNS)}
_TIPS = np.array([tip_index(PIANO_FINGER_NAMES[f]) for f in range(1, 6)])
PALM_POINTS = np.array([0, 1, 4, 7, 10, 13])  # wrist and the five MCP joints (MANO order)
# Joints lie on the bones' axes, so two fingers side by side keep about one finger's
# breadth between their joints: adult finger breadths at the joints are about 16-22 mm
# (Greiner, "Hand anthropometry of U.S. Army personnel", NATICK/TR-92/011, 1991); 15 mm
# stays below the slimmest, so only true overlap counts.
FINGER_THICKNESS = 0.015  # m
PALM_CLEARANCE = 0.03  # m between the palms' points: closer, palm lies inside palm


def split_agreement(motion: HandMotion, truth: np.ndarray) -> tuple[int, int]:
    """(agreeing, compared) notes whose hand matches truth (N,), over notes with truth >= 0."""
    hand = motion.notes[:, _COLUMN["hand"]].astype(np.int64)
    known = truth >= 0
    return int((hand[known] == truth[known]).sum()), int(known.sum())


def key_contact(motion: HandMotion, keyboard: Keyboard) -> np.ndarray:
    """(N,) bool per note: at its onset frame the assigned fingertip is over the key (within
    its X extent) and below its top surface. Unassigned notes count as misses."""
    notes = motion.notes
    pitch = notes[:, _COLUMN["pitch"]].astype(np.int64)
    hand = notes[:, _COLUMN["hand"]].astype(np.int64)
    finger = notes[:, _COLUMN["finger"]].astype(np.int64)
    on, _ = note_frames(notes[:, _COLUMN["onset"]], notes[:, _COLUMN["offset"]], motion.fps)
    on = np.clip(on, 0, motion.num_frames - 1)
    ok = np.zeros(len(notes), dtype=bool)
    left, right, top = _key_extents(keyboard)
    for index, side in enumerate(HANDS):
        mine = np.flatnonzero((hand == index) & (finger >= 1))
        joints = motion.hand(side).joints
        tips = joints[on[mine], _TIPS[finger[mine] - 1]]
        key = pitch[mine] - LOWEST_PITCH
        ok[mine] = (tips[:, 0] >= left[key]) & (tips[:, 0] <= right[key]) & (tips[:, 2] < top[key])
    return ok


def substitution_contact(motion: HandMotion, keyboard: Keyboard) -> np.ndarray:
    """(K,) bool per substitution: its key stays down under the finger holding it, the note's
    own before the swap frame and the substitute from it, on every frame from the onset to
    SHORTEST_HOLD after the swap (within the key's X extent, below its top)."""
    notes, swaps = motion.notes, motion.substitutions
    row = swaps[:, _SWAP["note"]].astype(np.int64)
    on, _ = note_frames(notes[row, _COLUMN["onset"]], notes[row, _COLUMN["offset"]], motion.fps)
    swap = np.round(swaps[:, _SWAP["time"]] * motion.fps).astype(np.int64)
    until = np.round((swaps[:, _SWAP["time"]] + SHORTEST_HOLD) * motion.fps).astype(np.int64)
    left, right, top = _key_extents(keyboard)
    ok = np.zeros(len(swaps), dtype=bool)
    for k in range(len(swaps)):
        note = notes[row[k]]
        joints = motion.hand(HANDS[int(note[_COLUMN["hand"]])]).joints
        frames = np.arange(on[k], min(until[k], motion.num_frames - 1) + 1)
        finger = np.where(frames < swap[k], note[_COLUMN["finger"]], swaps[k, _SWAP["finger"]])
        tips = joints[frames, _TIPS[finger.astype(np.int64) - 1]]
        key = int(note[_COLUMN["pitch"]]) - LOWEST_PITCH
        inside = (tips[:, 0] >= left[key]) & (tips[:, 0] <= right[key]) & (tips[:, 2] < top[key])
        ok[k] = bool(inside.all())
    return ok


def stray_press_share(motion: HandMotion, keyboard: Keyboard) -> float:
    """Share of frames in which a fingertip that plays no note there is below the top of a
    key that is not sounding."""
    return float((stray_depths(motion, keyboard) > 0.0).any(axis=(1, 2)).mean())


def stray_depths(motion: HandMotion, keyboard: Keyboard) -> np.ndarray:
    """(T, 2, 5) per frame, hand (HANDS order) and piano finger: how far (m) a fingertip
    that plays no note there is below the top of the silent key under it; 0 where it is
    above it, over no key or over a sounding one, or where the hand is absent."""
    notes = motion.notes
    pitch = notes[:, _COLUMN["pitch"]].astype(np.int64)
    hand = notes[:, _COLUMN["hand"]].astype(np.int64)
    finger = notes[:, _COLUMN["finger"]].astype(np.int64)
    on, off = note_frames(notes[:, _COLUMN["onset"]], notes[:, _COLUMN["offset"]], motion.fps)
    frames = motion.num_frames
    sounding = _intervals(pitch - LOWEST_PITCH, on, off, frames, NUM_KEYS)
    _, _, top = _key_extents(keyboard)
    depths = np.zeros((frames, len(HANDS), 5))
    t = np.arange(frames)[:, None]
    for index, side in enumerate(HANDS):
        track = motion.hand(side)
        mine = (hand == index) & (finger >= 1)
        playing = _intervals(finger[mine] - 1, on[mine], off[mine], frames, 5)
        tips = track.joints[:, _TIPS]  # (T, 5, 3)
        key = keys_under(keyboard, tips[..., 0], tips[..., 1])
        safe_key = np.maximum(key, 0)
        depth = top[safe_key] - tips[..., 2]
        silent = ~sounding[t, safe_key]
        counts = (key >= 0) & silent & ~playing & track.present[:, None]
        depths[:, index] = np.where(counts, np.maximum(depth, 0.0), 0.0)
    return depths


def hand_gaps(motion: HandMotion) -> tuple[np.ndarray, np.ndarray]:
    """(T,) each: per frame the least distance between any joint of the left hand and any of
    the right, and between their palm points (wrist and MCP joints); inf where a hand is
    absent."""
    left, right = (motion.hand(side) for side in HANDS)
    joints, palms = joint_gaps(left.joints, right.joints)
    absent = ~(left.present & right.present)
    joints[absent], palms[absent] = np.inf, np.inf
    return joints, palms


def joint_gaps(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T,) each: per frame the least distance between the joints (T, 21, 3) of `a` and of
    `b`, and between their palm points."""
    return least_distance(a, b), least_distance(a[:, PALM_POINTS], b[:, PALM_POINTS])


def least_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T,) per frame the least distance between the points (T, n, 3) of `a` and (T, m, 3)
    of `b`."""
    least = np.empty(len(a))
    for first in range(0, len(a), 2048):  # a few MB of pairwise distances at a time
        rows = slice(first, first + 2048)
        p, q = a[rows].astype(np.float64), b[rows].astype(np.float64)
        # |p - q|^2 = |p|^2 + |q|^2 - 2 p.q: one matrix product instead of (t, n, m, 3)
        square = (p * p).sum(-1)[:, :, None] + (q * q).sum(-1)[:, None] - 2 * p @ q.swapaxes(1, 2)
        least[rows] = square.min(axis=(1, 2))
    return np.sqrt(np.maximum(least, 0.0))


def hand_clash_share(motion: HandMotion) -> float:
    """Share of frames in which the hands interpenetrate: a joint of one hand is within a
    finger's thickness of a joint of the other, or the palms are closer than PALM_CLEARANCE."""
    joints, palms = hand_gaps(motion)
    return float(((joints < FINGER_THICKNESS) | (palms < PALM_CLEARANCE)).mean())


def turning_rate(motion: HandMotion) -> float:
    """Degrees per second that the hands turn (tilt, roll and heading together: the angle
    between consecutive frames' hand orientations), averaged over the present hands' frames.
    A calm hand turns where the music takes it; one that rocks from note to note does not."""
    angles = []
    for side in HANDS:
        track = motion.hand(side)
        present = np.asarray(track.present, dtype=bool)
        rotation = axis_angle_to_matrix(np.asarray(track.global_orient, dtype=np.float64))
        cosine = (np.einsum("tij,tij->t", rotation[:-1], rotation[1:]) - 1.0) / 2.0
        angle = np.arccos(np.clip(cosine, -1.0, 1.0))
        angles.append(angle[present[:-1] & present[1:]])
    steps = np.concatenate(angles)
    return float(np.rad2deg(steps.mean()) * motion.fps) if len(steps) else 0.0


def keys_under(keyboard: Keyboard, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Key index (pitch - 21) whose top face covers each (x, y), black keys first; -1 none."""
    table = _key_table(keyboard)
    black_left, black_right, black_index, black_front, length, white_index = table
    b = np.clip(np.searchsorted(black_left, x, side="right") - 1, 0, len(black_left) - 1)
    on_black = (x >= black_left[b]) & (x <= black_right[b]) & (y >= black_front) & (y <= length)
    w = np.floor(x / keyboard.geometry.white_width).astype(np.int64)
    on_white = (w >= 0) & (w < len(white_index)) & (y >= 0.0) & (y <= length)
    white = white_index[np.clip(w, 0, len(white_index) - 1)]
    return np.where(on_black, black_index[b], np.where(on_white, white, -1))


def _intervals(
    row: np.ndarray, on: np.ndarray, off: np.ndarray, frames: int, rows: int
) -> np.ndarray:
    """(frames, rows) bool: row r is active on frames [on, off] of any of its intervals."""
    count = np.zeros((frames + 1, rows), dtype=np.int64)
    np.add.at(count, (np.clip(on, 0, frames), row), 1)
    np.add.at(count, (np.clip(off + 1, 0, frames), row), -1)
    return np.cumsum(count, axis=0)[:frames] > 0


def _key_extents(keyboard: Keyboard) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = keyboard.keys
    return (
        np.array([k.x_left for k in keys]),
        np.array([k.x_right for k in keys]),
        np.array([k.z_top for k in keys]),
    )


@cache
def _key_table(keyboard: Keyboard) -> tuple:
    keys = keyboard.keys
    black = [k for k in keys if k.black]
    return (
        np.array([k.x_left for k in black]),
        np.array([k.x_right for k in black]),
        np.array([k.pitch - LOWEST_PITCH for k in black]),
        black[0].y_front,
        keyboard.geometry.white_length,
        np.array([k.pitch - LOWEST_PITCH for k in keys if not k.black]),
    )
