"""Fingertip targets per frame: on the key while the note sounds, lifted otherwise.

A note is pressed on frames [on, off] (`s2c_core.motion.note_frames`): its fingertip is at the key's
contact point, pushed down by the key travel. Before the onset the fingertip glides over
the key (`approach_time`) and drops onto it (`press_time`); after the release it lifts
(`lift_time`), gliding off over the key, except the thumb, which the hand carries off with
it. Between two notes of the same finger both ramps are shortened to fit the gap, so the
finger slides from key to key, lifting in the middle when there is time.
A finger with no note nearby hovers where the idle hand shape (posture.py) puts it, and never
lower than the key tops under it plus a clearance: the black keys' over their depth, the
white keys' in front of them, where the thumb rests near its key.
"""

from __future__ import annotations

import numpy as np

from ...music.keyboard import Keyboard
from .config import MidiEngineConfig


def press_points(pitch: np.ndarray, keyboard: Keyboard) -> np.ndarray:
    """(n, 3) where a fingertip presses each key: its contact point, key travel deep."""
    points = np.array([keyboard.contact_point(int(p)) for p in pitch]).reshape(-1, 3)
    points[:, 2] -= keyboard.geometry.key_travel
    return points


# The black keys' height counts from this far in front of them (the fingertip point lies
# inside a pad about a centimetre across, and the hand moves in and out between targets
# and pose), rising over the ramp in front of that from the white keys' height.
_BLACK_MARGIN = 0.02  # m
_BLACK_RAMP = 0.015  # m
# A posed fingertip's pad reaches about this far around its point (a fingertip pad is
# 10-15 mm across), and the black keys' height rises over as much again around them.
_PAD_RADIUS = 0.005  # m


def key_tops(keyboard: Keyboard, y: np.ndarray) -> np.ndarray:
    """Height (...,) of the key tops a fingertip at depth y (...,) (into the keys) passes
    over: the black keys' over their depth, the white keys' in front of them."""
    g = keyboard.geometry
    inside = np.asarray(y) - (g.white_length - g.black_length)  # past the black keys' front
    return _share(inside, _BLACK_MARGIN, _BLACK_RAMP) * g.black_height


def tops_under_pad(keyboard: Keyboard, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Height (...,) of the key tops under the pad of a posed fingertip at (x, y) (...,):
    the black keys' over them and within _PAD_RADIUS of them (rising from the white keys'
    over _PAD_RADIUS more), else the white keys' (in front of the black keys and in the
    gaps between them)."""
    g = keyboard.geometry
    centres = keyboard.black_x_centers
    x = np.asarray(x)
    right = np.clip(np.searchsorted(centres, x), 1, len(centres) - 1)
    apart = np.minimum(np.abs(x - centres[right - 1]), np.abs(x - centres[right]))
    along = _share(np.asarray(y) - (g.white_length - g.black_length), _PAD_RADIUS, _PAD_RADIUS)
    beside = _share(0.5 * g.black_width - apart, _PAD_RADIUS, _PAD_RADIUS)
    return along * beside * g.black_height


def _share(inside: np.ndarray, margin: float, ramp: float) -> np.ndarray:
    """How much (0..1) a black key's height counts at a signed distance (m) `inside` its
    edge: fully from `margin` outside it, rising from 0 over `ramp` before that."""
    return np.clip((inside + margin + ramp) / ramp, 0.0, 1.0)


def hover_height(keyboard: Keyboard, config: MidiEngineConfig, y: np.ndarray) -> np.ndarray:
    """Height (...,) a lifted fingertip at depth y (...,) stays above."""
    return key_tops(keyboard, y) + config.hover_clearance


def finger_targets(
    on: np.ndarray,
    off: np.ndarray,
    points: np.ndarray,
    free: np.ndarray,
    keyboard: Keyboard,
    config: MidiEngineConfig,
    frames: np.ndarray,
    leaves_with_hand: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Target (T, 3) of one finger on consecutive `frames` (T,) from its notes (sorted, not
    overlapping in frames), and whether it is on its way down to, on, or up from a key (T,)
    bool.

    on/off (n,) pressed frames, points (n, 3) press points, free (T, 3) where the finger
    hovers when it plays nothing. On its way to and from a key it stays at hover height
    over the keys it passes (`hover_height`) until it drops. A finger that
    `leaves_with_hand` glides off a released key carried by the hand: its offset from where
    it hovers fades as it was at the release, rather than holding it over the key while the
    hand moves on (the thumb, short and turning about its own base, cannot stay behind: it
    swung down into the keys after a leap).
    """
    num_frames = len(free)
    if not len(on):
        return lift_to_hover(free, keyboard, config), np.zeros(num_frames, dtype=bool)
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
    notes = ((current, True), (following, following != current))
    target = np.array(free, dtype=np.float64)
    for n, counts in notes:
        glide = _trapezoid(t, on[n], off[n], glide_in[n], glide_out[n]) * counts
        since = np.minimum(t, off[n]) if leaves_with_hand else t
        row = np.clip(since - t[0], 0, num_frames - 1).astype(np.int64)
        target[:, :2] += glide[:, None] * (points[n, :2] - free[row, :2])
    target = lift_to_hover(target, keyboard, config)
    touching = np.zeros(num_frames, dtype=bool)
    for n, counts in notes:
        drop = _trapezoid(t, on[n], off[n], drop_in[n], drop_out[n]) * counts
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


def lift_to_hover(points: np.ndarray, keyboard: Keyboard, config: MidiEngineConfig) -> np.ndarray:
    """Fingertip positions (..., 3) raised to at least hover height where they are."""
    lifted = np.array(points, dtype=np.float64)
    lifted[..., 2] = np.maximum(lifted[..., 2], hover_height(keyboard, config, lifted[..., 1]))
    return lifted


def _trapezoid(
    t: np.ndarray, on: np.ndarray, off: np.ndarray, rise: np.ndarray, fall: np.ndarray
) -> np.ndarray:
    """1 on [on, off], ramping linearly to 0 over `rise` frames before and `fall` after."""
    before = (t - (on - rise)) / np.maximum(rise, 1e-9)
    after = ((off + fall) - t) / np.maximum(fall, 1e-9)
    inside = (t >= on) & (t <= off)
    return np.where(inside, 1.0, np.clip(np.minimum(before, after), 0.0, 1.0))
