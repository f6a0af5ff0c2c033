"""Fingertip targets per frame: on the key while the note sounds, lifted otherwise.

A note is pressed on frames [on, off] (`note_frames`): its fingertip is at the key's
contact point, pushed down by the key travel. Before the onset the fingertip glides over
the key (`approach_time`) and drops onto it (`press_time`); after the release it lifts
(`lift_time`), gliding off over the key, except the thumb, which the hand carries off with
it. Between two notes of the same finger both ramps are shortened to fit the gap, so the
finger slides from key to key, lifting in the middle when there is time.
A finger with no note nearby hovers where the idle hand shape (posture.py) puts it, and never
lower than the tops of the black keys plus a clearance.
"""

from __future__ import annotations

import numpy as np

from ...music.keyboard import Keyboard
from .config import MidiEngineConfig


def note_frames(onset: np.ndarray, offset: np.ndarray, fps: float) -> tuple[np.ndarray, ...]:
    """First and last frame (inclusive) on which each note is pressed."""
    on = np.round(np.asarray(onset) * fps).astype(np.int64)
    off = np.maximum(on, np.round(np.asarray(offset) * fps).astype(np.int64) - 1)
    return on, off


def press_points(pitch: np.ndarray, keyboard: Keyboard) -> np.ndarray:
    """(n, 3) where a fingertip presses each key: its contact point, key travel deep."""
    points = np.array([keyboard.contact_point(int(p)) for p in pitch]).reshape(-1, 3)
    points[:, 2] -= keyboard.geometry.key_travel
    return points


def hover_height(keyboard: Keyboard, config: MidiEngineConfig) -> float:
    return keyboard.geometry.black_height + config.hover_clearance


def finger_targets(
    on: np.ndarray,
    off: np.ndarray,
    points: np.ndarray,
    free: np.ndarray,
    hover: float,
    config: MidiEngineConfig,
    frames: np.ndarray,
    leaves_with_hand: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Target (T, 3) of one finger on consecutive `frames` (T,) from its notes (sorted, not
    overlapping in frames), and whether it is on its way down to, on, or up from a key (T,)
    bool.

    on/off (n,) pressed frames, points (n, 3) press points, free (T, 3) where the finger
    hovers when it plays nothing. A finger that `leaves_with_hand` glides off a released
    key carried by the hand: its offset from where it hovers fades as it was at the
    release, rather than holding it over the key while the hand moves on (the thumb,
    short and turning about its own base, cannot stay behind: it swung down into the keys
    after a leap).
    """
    num_frames = len(free)
    if not len(on):
        return _hovering(free, hover), np.zeros(num_frames, dtype=bool)
    fps = config.fps
    gap_before = np.concatenate([[np.inf], on[1:] - off[:-1]])
    gap_after = np.concatenate([gap_before[1:], [np.inf]])
    glide_in = np.minimum(config.approach_time * fps, gap_before)
    glide_out = np.minimum(config.approach_time * fps, gap_after)
    drop_in = np.minimum(config.press_time * fps, 0.5 * gap_before)
    drop_out = np.minimum(config.lift_time * fps, 0.5 * gap_after)

    t = np.asarray(frames, dtype=np.float64)
    # The note pressed at or last before t, and the one after it: no other note is near t.
    current = np.clip(np.searchsorted(on, t, side="right") - 1, 0, len(on) - 1)
    following = np.minimum(current + 1, len(on) - 1)
    target = _hovering(free, hover)
    touching = np.zeros(num_frames, dtype=bool)
    for n, counts in ((current, True), (following, following != current)):
        glide = _trapezoid(t, on[n], off[n], glide_in[n], glide_out[n]) * counts
        drop = _trapezoid(t, on[n], off[n], drop_in[n], drop_out[n]) * counts
        since = np.minimum(t, off[n]) if leaves_with_hand else t
        row = np.clip(since - t[0], 0, num_frames - 1).astype(np.int64)
        target[:, :2] += glide[:, None] * (points[n, :2] - free[row, :2])
        target[:, 2] += drop * (points[n, 2] - target[:, 2])
        touching |= drop > 0
    return target, touching


def follow_neighbours(targets: np.ndarray, touching: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Targets (T, 5, 3) (piano finger order) where an idle long finger moves sideways with
    its neighbours that press keys, by their mean shift from the idle shape.

    The long fingers' extensor tendons are tied together (juncturae tendinum) and the
    fingers cannot cross or splay far apart, so a finger with nothing to play goes where
    its neighbours take it rather than staying in the hand's default shape.
    """
    shift = np.where(touching[..., None], targets[..., :2] - free[..., :2], 0.0)
    idle = ~touching & (np.abs(targets[..., :2] - free[..., :2]).max(axis=-1) < 1e-9)
    out = targets.copy()
    for finger in range(1, 5):  # index .. little
        neighbours = [n for n in (finger - 1, finger + 1) if 1 <= n <= 4]
        count = touching[:, neighbours].sum(axis=1)
        follow = idle[:, finger] & (count > 0)
        mean = shift[:, neighbours].sum(axis=1)[follow] / count[follow, None]
        out[follow, finger, :2] += mean
    return out


def _hovering(free: np.ndarray, hover: float) -> np.ndarray:
    target = np.array(free, dtype=np.float64)
    target[:, 2] = np.maximum(target[:, 2], hover)
    return target


def _trapezoid(
    t: np.ndarray, on: np.ndarray, off: np.ndarray, rise: np.ndarray, fall: np.ndarray
) -> np.ndarray:
    """1 on [on, off], ramping linearly to 0 over `rise` frames before and `fall` after."""
    before = (t - (on - rise)) / np.maximum(rise, 1e-9)
    after = ((off + fall) - t) / np.maximum(fall, 1e-9)
    inside = (t >= on) & (t <= off)
    return np.where(inside, 1.0, np.clip(np.minimum(before, after), 0.0, 1.0))
