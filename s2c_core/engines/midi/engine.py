"""MIDI file -> HandMotion, deterministically and with no learned weights.

The steps, one module each: onset groups (groups), hand split (split), chords too wide for
one hand rolled (rolling), fingering per hand (fingering), how long keys are really held
(holding), the playing hand's shape and orientation (posture), wrist keyframes and path
(wrist), fingertip targets per frame (fingertips) and finger IK (finger_ik).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...hand.fk import build_track
from ...hand.rig import HandRig, builtin_rig
from ...hand.rotations import matrix_to_axis_angle
from ...motion import HANDS, HandMotion, HandTrack, MotionMetadata, blender_length_problem
from ...music.keyboard import Keyboard
from ...music.midi import RELEASE_TAIL_S, MidiNotes, MidiReadError, read_midi
from .config import MidiEngineConfig
from .finger_ik import NUM_FINGERS, FingerSolver
from .fingering import assign_fingers
from .fingertips import (
    finger_targets,
    follow_neighbours,
    hover_height,
    note_frames,
    press_points,
)
from .groups import onset_groups
from .holding import release_before_restrike, release_out_of_reach
from .posture import Posture, hand_length, keep_wrist_in_range, playing_posture
from .press_correction import pull_wrist_to_presses, struck_frames
from .rolling import roll_wide_chords
from .split import MAX_FINGERS, split_hands
from .wrist import (
    ChordNotes,
    add_rests,
    follow_schedule,
    keyframe_frames,
    leap_arc,
    move_schedule,
    plan_keyframes,
)

ENGINE_NAME = "midi"
ENGINE_VERSION = "1"
_STEPS = 4  # progress steps: read (by generate_from_midi), split, left hand, right hand

Progress = Callable[[int, int, str], None]


def generate_from_midi(
    path: str | os.PathLike,
    config: MidiEngineConfig | None = None,
    rig: HandRig | None = None,
    progress: Progress | None = None,
) -> HandMotion:
    """Animate two hands playing the MIDI file at `path` (any side of `rig`; built-in if None).

    Rows of the returned notes table follow `read_midi`'s order; rolled chords carry their
    played (delayed) onsets.
    """
    notes = read_midi(path)
    if progress:
        progress(1, _STEPS, f"read {len(notes)} notes")
    return generate_from_notes(notes, config, rig, progress)


@dataclass(frozen=True)
class NotePlan:
    """Who plays what, per note in `read_midi` order: hand (0 left, 1 right, -1 for the
    inner notes of a >10-note chord), piano finger (1..5, 0 none), the played onset and
    offset (rolled chords delayed) and when the key is let go (early when out of reach)."""

    notes: MidiNotes
    hand: np.ndarray
    finger: np.ndarray
    onset: np.ndarray
    offset: np.ndarray
    release: np.ndarray
    rolled_chords: int = 0
    rolled_notes: int = 0

    @property
    def pitch(self) -> np.ndarray:
        return self.notes.pitch

    def for_hand(self, index: int) -> np.ndarray:
        """Indices of one hand's notes, sorted by played onset then pitch."""
        mine = np.flatnonzero(self.hand == index)
        return mine[np.lexsort((self.pitch[mine], self.onset[mine]))]

    def table(self) -> np.ndarray:
        """The HandMotion notes table (motion.NOTE_COLUMNS)."""
        columns = [self.pitch, self.onset, self.offset, self.notes.velocity, self.hand, self.finger]
        return np.column_stack(columns).astype(np.float64)


def plan_notes(
    notes: MidiNotes,
    keyboard: Keyboard,
    config: MidiEngineConfig,
    hand: np.ndarray | None = None,
    reach: float = 1.0,
) -> NotePlan:
    """Split the notes between the hands (unless `hand` gives each note's, 0 left, 1 right),
    roll chords too wide to grip, finger each hand (keeping fingers the file prescribes) for
    a hand `reach` times the adult hand's size."""
    group = onset_groups(notes.onset, notes.pitch, config.chord_window)
    if hand is None:
        named = notes.named_hands() if config.honour_tracks else None
        hand = split_hands(notes.pitch, notes.onset, notes.offset, group, keyboard, config, named)
    rolled = roll_wide_chords(notes.pitch, notes.onset, notes.offset, hand, group, keyboard, config)
    finger = np.zeros(len(notes), dtype=np.int64)
    release = rolled.offset.copy()
    plan = NotePlan(notes, hand, finger, rolled.onset, rolled.offset, release,
                    rolled.chords, rolled.notes)  # fmt: skip
    for index, side in enumerate(HANDS):
        mine = plan.for_hand(index)
        pitch, onset = notes.pitch[mine], rolled.onset[mine]
        release[mine] = release_out_of_reach(
            onset, rolled.offset[mine], keyboard.x_center(pitch), config.hold_span,
            config.wrist_max_speed,
        )  # fmt: skip
        chords = onset_groups(onset, pitch, config.chord_window, MAX_FINGERS)
        given = None if notes.finger is None else notes.finger[mine]
        finger[mine] = assign_fingers(pitch, onset, release[mine], chords, side, given, reach)
    return plan


def generate_from_notes(
    notes: MidiNotes,
    config: MidiEngineConfig | None = None,
    rig: HandRig | None = None,
    progress: Progress | None = None,
) -> HandMotion:
    """Animate two hands playing `notes` (pitches within A0..C8, as `read_midi` gives them,
    e.g. from a transcription); as `generate_from_midi` after reading the file."""
    if not len(notes):
        raise MidiReadError(f"{notes.path}: no notes to play")
    rig = rig or builtin_rig("right")
    size = _hand_size(rig)
    config = (config or MidiEngineConfig()).for_hand_size(size)
    _frame_count(notes.end, notes, config)  # refused before any work
    report = progress or (lambda done, total, message: None)
    keyboard = Keyboard()
    plan = plan_notes(notes, keyboard, config, reach=size)
    report(2, _STEPS, "hands split")

    # The take lasts as long as the music sounds (rolled chords may end a little later).
    end = max(notes.end, float(plan.offset.max()) + RELEASE_TAIL_S)
    num_frames = _frame_count(end, notes, config)
    tracks: dict[str, HandTrack] = {}
    for index, side in enumerate(HANDS):
        mine = plan.for_hand(index)
        tracks[side] = animate_hand(
            rig.for_side(side), notes.pitch[mine], plan.onset[mine], plan.release[mine],
            plan.finger[mine], num_frames, keyboard, config,
        )  # fmt: skip
        report(3 + index, _STEPS, f"{side} hand animated")

    metadata = MotionMetadata(
        engine=ENGINE_NAME,
        engine_version=ENGINE_VERSION,
        source=str(notes.path),
        hand_model=rig.name,
        extra={
            "config": config.to_dict(),
            "dropped_out_of_range": notes.dropped_out_of_range,
            "unplayed_notes": int((plan.hand < 0).sum()),
            "rolled_chords": plan.rolled_chords,
            "rolled_notes": plan.rolled_notes,
        },
    )
    return HandMotion(config.fps, tracks["left"], tracks["right"], metadata, plan.table())


def _frame_count(end: float, notes: MidiNotes, config: MidiEngineConfig) -> int:
    """The take's frame count up to `end` s, or MidiReadError when Blender could not key it."""
    num_frames = math.ceil(end * config.fps) + 1
    problem = blender_length_problem(num_frames, config.fps)
    if problem:
        raise MidiReadError(f"{notes.path}: too long to animate: {problem}")
    return num_frames


def animate_hand(
    rig: HandRig,
    pitch: np.ndarray,
    onset: np.ndarray,
    offset: np.ndarray,
    finger: np.ndarray,
    num_frames: int,
    keyboard: Keyboard,
    config: MidiEngineConfig,
) -> HandTrack:
    """One hand's track from its notes (sorted by onset; offsets when the hand lets go of
    the keys) and their fingers (1..5)."""
    solver = FingerSolver(rig)
    hover = hover_height(keyboard, config)
    posture = playing_posture(solver, rig, keyboard.geometry.white_width)
    on, off = note_frames(onset, offset, config.fps)
    points = press_points(pitch, keyboard)
    off = release_before_restrike(on, off, finger)
    notes = ChordNotes(on, off, points, finger)
    if len(pitch):
        chord_frames = keyframe_frames(notes.on, notes.off, config.wrist_move_time * config.fps)
        keys, tilts = plan_keyframes(
            chord_frames,
            notes,
            solver,
            posture,
            config.wrist_candidates,
            keyboard.geometry.black_height,
        )
        move_frames = config.wrist_move_time * config.fps
        chord_frames, keys, tilts = add_rests(
            chord_frames, keys, tilts, notes, config.rest_time * config.fps, move_frames,
            config.rest_lift,
        )  # fmt: skip
        starts, ends = move_schedule(chord_frames, keys, config)
        path = follow_schedule(starts, ends, np.column_stack([keys, tilts]), np.arange(num_frames))
        wrist, tilt = path[:, :3], path[:, 3:]
        wrist[:, 2] += leap_arc(starts, ends, keys, num_frames, config.leap_height)
    else:
        wrist = np.broadcast_to(
            _resting_wrist(rig.side, posture, keyboard, config), (num_frames, 3)
        )
        tilt = np.zeros((num_frames, 3))
    rotation = posture.orientation(tilt)  # (T, 3, 3)
    wrist, rotation = keep_wrist_in_range(wrist, rotation, posture.tips[2], rig.side)
    free = wrist[:, None] + np.einsum("tab,fb->tfa", rotation, posture.free_tips)
    targets = np.empty((num_frames, NUM_FINGERS, 3))
    touching = np.empty((num_frames, NUM_FINGERS), dtype=bool)
    for f in range(NUM_FINGERS):
        mine = np.flatnonzero(finger == f + 1)  # sorted by onset, presses not overlapping
        targets[:, f], touching[:, f] = finger_targets(
            notes.on[mine],
            notes.off[mine],
            notes.points[mine],
            free[:, f],
            hover,
            config,
            np.arange(num_frames),
        )
    targets = follow_neighbours(targets, touching, free)
    canonical = np.einsum("tfa,tab->tfb", targets - wrist[:, None], rotation)
    params = solver.solve(canonical, posture.params, config.ik_iterations, ~touching)
    struck = struck_frames(notes.on, finger, num_frames)
    wrist, params = pull_wrist_to_presses(
        wrist, rotation, canonical, touching, struck, params, solver, posture.params,
        config.ik_iterations,
    )  # fmt: skip
    hand_pose = rig.pose_from_angles(*solver.angles(params))
    present = np.full(num_frames, len(pitch) > 0)
    return build_track(rig, matrix_to_axis_angle(rotation), hand_pose, wrist, present)


def _hand_size(rig: HandRig) -> float:
    """The smaller hand's length relative to the built-in hand (1.0 for the built-in)."""
    builtin = hand_length(builtin_rig("right"))
    return min(hand_length(rig.for_side(side)) for side in HANDS) / builtin


def _resting_wrist(
    side: str, posture: Posture, keyboard: Keyboard, config: MidiEngineConfig
) -> np.ndarray:
    """Where an idle hand waits: its middle finger over its comfortable centre key."""
    centre = config.left_centre_pitch if side == "left" else config.right_centre_pitch
    return (
        press_points(np.array([centre]), keyboard)[0]
        - posture.orientation(np.zeros(3)) @ posture.tips[2]
    )
