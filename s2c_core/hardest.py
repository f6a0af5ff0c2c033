"""Where a take is hardest to play: the moments a preview's contact sheet shows.

"Hardest" here is where the hands travel fastest: the path length of both wrists within a
window (default one second) that starts at a note onset, in metres per second. Large
leaps, fast position shifts and hand crossings score high; a held chord scores zero.
The chosen windows do not overlap, so a sheet shows different passages; each is shown at
its first onset. Windows may be limited to those starting within a range of frames (the
part of the take a preview renders). A take without notes, or a range without onsets, uses
windows starting at every frame.
"""

from __future__ import annotations

import numpy as np

from .motion import HANDS, HandMotion


def wrist_speed_windows(
    motion: HandMotion, window_s: float = 1.0, within: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(start frames, metres per second of both wrists over the window after each start),
    for windows starting within frames `within` = (first, last) (default: the whole take)."""
    frames = motion.num_frames
    window = max(1, round(window_s * motion.fps))
    travelled = np.zeros(frames)
    for side in HANDS:
        track = motion.hand(side)
        present = np.asarray(track.present, dtype=bool)
        steps = np.linalg.norm(np.diff(np.asarray(track.transl, float), axis=0), axis=1)
        travelled[1:] += np.where(present[1:] & present[:-1], steps, 0.0)
    path = np.cumsum(travelled)  # path[f]: metres travelled up to frame f
    starts = _onset_frames(motion, within or (0, frames - 1))
    ends = np.minimum(starts + window, frames - 1)
    return starts, (path[ends] - path[starts]) / (window / motion.fps)


def hardest_frames(
    motion: HandMotion, count: int, window_s: float = 1.0, within: tuple[int, int] | None = None
) -> list[int]:
    """Up to `count` frame indices (ascending) at the onsets of the hardest passages
    starting within frames `within` = (first, last) (default: the whole take)."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    starts, speed = wrist_speed_windows(motion, window_s, within)
    window = max(1, round(window_s * motion.fps))
    chosen: list[int] = []
    for index in np.argsort(-speed, kind="stable"):
        start = int(starts[index])
        if all(abs(start - other) >= window for other in chosen):
            chosen.append(start)
            if len(chosen) == count:
                break
    return sorted(chosen)


def _onset_frames(motion: HandMotion, within: tuple[int, int]) -> np.ndarray:
    first, last = within
    if motion.notes is not None and len(motion.notes):
        onsets = np.round(np.asarray(motion.notes)[:, 1] * motion.fps).astype(int)
        onsets = np.unique(np.clip(onsets, 0, motion.num_frames - 1))
        onsets = onsets[(onsets >= first) & (onsets <= last)]
        if len(onsets):
            return onsets
    return np.arange(first, last + 1)
