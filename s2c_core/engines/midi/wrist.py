"""Wrist path: keyframes where the keys held down change, minimum-jerk moves, speed-limited.

A keyframe is made at each onset, and after each release that leaves keys held down (the
hand relaxes around what it still holds, which lets freed fingers lift). Each keyframe
places the reference hand shape so that, on average, the assigned fingertips sit on their
keys (notes still held count half), then settles it: the fingers are solved by IK at the
keyframe and the wrist moves by the pressing fingertips' mean miss, a few times, so a
stretched chord pulls the hand towards the finger that falls short. This is done for each
candidate hand tilt and wrist drop (a lower wrist flattens the fingers, which widens their
reach), and each keyframe keeps the candidate whose pressing fingertips miss least while
its free fingertips stay clear of the keys.

The wrist holds a keyframe and moves to the next one just in time to arrive at its onset
(at most `wrist_move_time` before it); after a release it moves at once. A move whose
minimum-jerk peak speed would exceed `wrist_max_speed` is given more time: it starts as
soon as the previous move allows and arrives late, never jumps. The tilt follows the same
schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import MidiEngineConfig
from .finger_ik import MISS_WEIGHTS, NUM_FINGERS, FingerSolver
from .posture import Posture

_HELD_WEIGHT = 0.5
_SETTLE_ITERATIONS = 3
_SETTLE_IK_ITERATIONS = 8
_MIN_JERK_PEAK = 1.875  # peak speed of a minimum-jerk move over its average speed
_TILT_COST = 1e-6  # m^2 per rad: among equally good tilts, the least tilted hand wins
_CLEARANCE_MARGIN = 0.003  # m a free fingertip should keep above black key tops


@dataclass(frozen=True)
class ChordNotes:
    """One hand's notes for planning: frames pressed, press points, fingers (1..5).

    Sorted by onset; presses of the same finger do not overlap.
    """

    on: np.ndarray
    off: np.ndarray
    points: np.ndarray  # (n, 3)
    finger: np.ndarray


def keyframe_frames(on: np.ndarray, off: np.ndarray, move_frames: float) -> np.ndarray:
    """Frames of the wrist keyframes for notes pressed on frames [on, off] (sorted, unique).

    Every onset frame; and for each release that leaves notes held, the frame a move that
    starts at the release ends (or the frame before the next change, if sooner).
    """
    onsets = np.unique(on)
    changes = np.union1d(onsets, off + 1)
    releases = np.setdiff1d(off + 1, onsets)
    held = _interval_sums(on, off, np.ones((len(on), 1)), int(off.max()) + 2)[releases, 0]
    releases = releases[held > 0]
    following = changes[
        np.minimum(np.searchsorted(changes, releases, side="right"), len(changes) - 1)
    ]
    following = np.where(following > releases, following - 1, releases + move_frames)
    arrive = np.minimum(releases + np.ceil(move_frames), following)
    return np.union1d(onsets, arrive.astype(np.int64))


def plan_keyframes(
    chord_frames: np.ndarray,
    notes: ChordNotes,
    solver: FingerSolver,
    posture: Posture,
    candidates: tuple[tuple[float, float, float], ...],
    clear_height: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Wrist keyframes (G, 3) and hand tilts (G, 2) for keyframes at frames (G,).

    candidates: (pitch, roll, drop) to try, see MidiEngineConfig.wrist_candidates.
    """
    targets, pressing = _pressing_targets(chord_frames, notes)
    best_keys = best_tilts = best_score = None
    for pitch, roll, drop in candidates:
        tilt = np.array([pitch, roll])
        rotation = posture.orientation(tilt)
        wishes = notes.points - posture.tips[notes.finger - 1] @ rotation.T
        keys = wrist_keyframes(chord_frames, notes.on, notes.off, wishes) - [0.0, 0.0, drop]
        keys, miss = _settle(keys, targets, pressing, solver, posture, rotation)
        free_z = keys[:, 2:] + (posture.free_tips @ rotation.T)[:, 2]
        low = np.maximum(clear_height + _CLEARANCE_MARGIN - free_z, 0.0) ** 2
        score = miss + (low * ~pressing).sum(axis=1) + _TILT_COST * np.abs(tilt).sum()
        if best_score is None:
            best_keys, best_tilts, best_score = keys, np.tile(tilt, (len(keys), 1)), score
            continue
        better = score < best_score
        best_keys = np.where(better[:, None], keys, best_keys)
        best_tilts = np.where(better[:, None], tilt, best_tilts)
        best_score = np.minimum(score, best_score)
    return best_keys, best_tilts


def wrist_keyframes(
    chord_frames: np.ndarray, note_on: np.ndarray, note_off: np.ndarray, wishes: np.ndarray
) -> np.ndarray:
    """(G, 3) wrist keyframe per keyframe frame (G,).

    note_on/note_off (n,) pressed frames of the hand's notes; wishes (n, 3) the wrist
    position that puts each note's finger of the reference shape on its key.
    """
    frames = int(max(note_off.max(), chord_frames.max())) + 2
    # Sum wishes and counts of the notes struck on, and held through, each frame.
    weighted = np.column_stack([wishes, np.ones(len(wishes))])
    struck = _interval_sums(note_on, note_on, weighted, frames)
    held = _interval_sums(note_on + 1, note_off, weighted, frames)
    total = (struck + _HELD_WEIGHT * held)[chord_frames]
    return total[:, :3] / total[:, 3:]


def _interval_sums(
    start: np.ndarray, stop: np.ndarray, values: np.ndarray, frames: int
) -> np.ndarray:
    """(frames, D) per frame, the sum of values (n, D) over intervals [start, stop] that
    contain it (empty intervals add nothing)."""
    steps = np.zeros((frames + 1, values.shape[1]))
    keep = stop >= start
    np.add.at(steps, start[keep], values[keep])
    np.add.at(steps, stop[keep] + 1, -values[keep])
    return np.cumsum(steps, axis=0)[:frames]


def _pressing_targets(chord_frames: np.ndarray, notes: ChordNotes) -> tuple[np.ndarray, ...]:
    """Press point (G, 5, 3) of each finger at each keyframe, and whether it presses (G, 5)."""
    targets = np.zeros((len(chord_frames), NUM_FINGERS, 3))
    pressing = np.zeros((len(chord_frames), NUM_FINGERS), dtype=bool)
    for f in range(NUM_FINGERS):
        mine = np.flatnonzero(notes.finger == f + 1)
        if not len(mine):
            continue
        latest = np.searchsorted(notes.on[mine], chord_frames, side="right") - 1
        note = mine[np.maximum(latest, 0)]
        pressing[:, f] = (latest >= 0) & (notes.off[note] >= chord_frames)
        targets[:, f] = notes.points[note]
    return targets, pressing


def _settle(
    keys: np.ndarray,
    targets: np.ndarray,
    pressing: np.ndarray,
    solver: FingerSolver,
    posture: Posture,
    rotation: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Move keyframes by the pressing fingertips' mean miss; also return the weighted
    squared miss per keyframe (G,)."""
    weight = pressing[..., None].astype(np.float64)
    count = np.maximum(weight.sum(axis=1), 1.0)
    miss = np.zeros_like(targets)
    for _ in range(_SETTLE_ITERATIONS + 1):
        goal = np.where(pressing[..., None], targets, keys[:, None] + posture.tips @ rotation.T)
        params = solver.solve(
            (goal - keys[:, None]) @ rotation, posture.params, _SETTLE_IK_ITERATIONS
        )
        miss = (goal - keys[:, None]) - solver.tips(params) @ rotation.T
        keys = keys + (miss * weight).sum(axis=1) / count
    miss_hand = (miss * weight) @ rotation  # the solver's weights live in the hand frame
    return keys, (MISS_WEIGHTS * miss_hand**2).sum(axis=(1, 2))


def minimum_jerk(tau: np.ndarray) -> np.ndarray:
    return tau**3 * (10.0 + tau * (-15.0 + 6.0 * tau))


def move_schedule(
    key_frames: np.ndarray, keys: np.ndarray, config: MidiEngineConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end frame (G - 1,) of each move between consecutive keyframes."""
    fps = config.fps
    distance = np.linalg.norm(np.diff(keys, axis=0), axis=1)
    needed = _MIN_JERK_PEAK * distance / config.wrist_max_speed * fps
    wanted = np.maximum(needed, config.wrist_move_time * fps)
    starts = np.empty(len(distance))
    ends = np.empty(len(distance))
    free_from = float(key_frames[0])
    for g, (arrive, duration, minimum) in enumerate(
        zip(key_frames[1:].tolist(), wanted.tolist(), needed.tolist(), strict=True)
    ):
        start = max(free_from, arrive - duration)
        starts[g] = start
        ends[g] = start + max(arrive - start, minimum, 1e-9)
        free_from = max(ends[g], arrive)
    return starts, ends


def follow_schedule(
    starts: np.ndarray, ends: np.ndarray, values: np.ndarray, frames: np.ndarray
) -> np.ndarray:
    """(F, D) values on `frames` (F,), moving through keyframe values (G, D) on the schedule."""
    if not len(starts):
        return np.broadcast_to(values[0], (len(frames),) + values.shape[1:]).copy()
    t = np.asarray(frames, dtype=np.float64)
    segment = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, None)
    tau = np.clip((t - starts[segment]) / (ends[segment] - starts[segment]), 0.0, 1.0)
    tau = np.where(t < starts[0], 0.0, tau)
    step = values[segment + 1] - values[segment]
    return values[segment] + minimum_jerk(tau)[:, None] * step
