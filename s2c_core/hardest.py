"""Where a take is hardest to play: the moments a preview's contact sheet shows.

"Hardest" here is where the hands travel fastest: the path length of both wrists within a
window (default one second) that starts at a note onset, in metres per second. Large
leaps, fast position shifts and hand crossings score high; a held chord scores zero.
The chosen windows do not overlap, so a sheet shows different passages; each is shown at
its first onset. A take without notes uses windows starting at every frame.
"""

from __future__ import annotations

import numpy as np

from .motion import HANDS, HandMotion


def wrist_speed_windows(motion: HandMotion, window_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(start frames, metres per second of both wrists over the window after each start)."""
    frames = motion.num_frames
    window = max(1, round(window_s * motion.fps))
    travelled = np.zeros(frames)
    for side in HANDS:
        track = motion.hand(side)
        present = np.asarray(track.present, dtype=bool)
        steps = np.linalg.norm(np.diff(np.asarray(track.transl, float), axis=0), axis=1)
        travelled[1:] += np.where(present[1:] & present[:-1], steps, 0.0)
    path = np.cumsum(travelled)  # path[f]: metres travelled up to frame f
    starts = _onset_frames(motion)
    ends = np.minimum(starts + window, frames - 1)
    return starts, (path[ends] - path[starts]) / (window / motion.fps)


def hardest_frames(motion: HandMotion, count: int, window_s: float = 1.0) -> list[int]:
    """Up to `count` frame indices (ascending) at the onsets of the hardest passages."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    starts, speed = wrist_speed_windows(motion, window_s)
    window = max(1, round(window_s * motion.fps))
    chosen: list[int] = []
    for index in np.argsort(-speed, kind="stable"):
        start = int(starts[index])
        if all(abs(start - other) >= window for other in chosen):
            chosen.append(start)
            if len(chosen) == count:
                break
    return sorted(chosen)


def _onset_frames(motion: HandMotion) -> np.ndarray:
    frames = motion.num_frames
    if motion.notes is None or len(motion.notes) == 0:
        return np.arange(frames)
    onsets = np.round(np.asarray(motion.notes)[:, 1] * motion.fps).astype(int)
    return np.unique(np.clip(onsets, 0, frames - 1))
