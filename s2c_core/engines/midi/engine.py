"""MIDI file -> HandMotion, deterministically and with no learned weights.

The steps, one module each: onset groups (groups), hand split (split), chords too wide for
one hand rolled (rolling), fingering per hand (fingering; a glissando's one finger:
glissando), how long keys are really held (holding), the playing hand's shape and
orientation (posture), wrist keyframes and path (wrist), fingertip targets per frame
(fingertips), finger IK (finger_ik), and the two hands kept out of each other (clearance).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...hand.fk import build_track
from ...hand.rig import HandRig, builtin_rig
from ...hand.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from ...hand.skeleton import FINGERS
from ...motion import (
    HANDS,
    HandMotion,
    HandTrack,
    MotionMetadata,
    blender_length_problem,
    note_frames,
)
from ...music.keyboard import Keyboard
from ...music.midi import RELEASE_TAIL_S, MidiNotes, MidiReadError, read_midi
from .clearance import depth_shifts, room_shifts, thumb_tucks
from .config import MidiEngineConfig
from .finger_ik import NUM_FINGERS, FingerSolver, idle_within_hand
from .fingering import assign_fingers
from .fingertips import (
    finger_targets,
    follow_neighbours,
    lift_to_hover,
    press_points,
    tops_under_pad,
)
from .glissando import glissando_fingers
from .groups import onset_groups, with_rolled_chords
from .holding import release_before_restrike, release_out_of_reach
from .posture import Posture, hand_length, keep_wrist_in_range, playing_posture
from .press_correction import REACH_FRAMES, pull_wrist_to_presses, struck_frames
from .rolling import roll_wide_chords
from .split import MAX_FINGERS, split_hands
from .substitution import Substitutions, plan_substitutions, substituted_presses
from .territory import other_hand_neighbour
from .wrist import (
    ChordNotes,
    add_rests,
    follow_schedule,
    handing_over,
    keyframe_frames,
    leap_arc,
    move_schedule,
    plan_keyframes,
)

ENGINE_NAME = "midi"
ENGINE_VERSION = "1"
_ROOM_PASSES = 2  # clearance passes (see _make_room)
_CHUNK_FRAMES = 4096  # frames posed at once (a few MB of working arrays)
# A free fingertip bent with its pressing neighbours comes down towards the keys under its
# pad (fingertips.tops_under_pad), as a pianist's idle fingers stay close to, or rest on,
# the keys (S. Fink, "Mastering Piano Technique", 1992; a lifted one hovers
# config.hover_clearance above them): it aims _RESTING_HEIGHT above them, and is bent only
# where it keeps _BENT_FINGER_CLEARANCE above them. Aimed at its hover point, an idle
# finger inside a chord over the black keys' depth stood 2-3 cm above its pressing
# neighbours with its base joint bent backwards (15 % of such frames on the tuning set).
# 3 mm kept the 1-2-4-5 chord's middle finger standing (test_engine.py); 3, 5 and 8 mm of
# rest were tried on the tuning set (median height above the keys 9.0, 9.2, 10.9 mm, when
# only the fingers lagging their neighbours were moved; see docs/performance.md).
_BENT_FINGER_CLEARANCE = 0.002
_RESTING_HEIGHT = 0.005
_RESTING_TOLERANCE = 0.001
# s over which a resting finger eases down and back up, and over which the highest key
# tops under its pad count: lowered and raised frame by frame, fingers twitched 4 times as
# often as before they rested (fresh seeds 1-3: 2,129 reversals of more than 5 mm against
# 512); with 0.1 / 0.17 / 0.27 s, 754 / 590 / 528 (0.27 s chosen, the tuning set's median
# rest 7.1 -> 9.6 mm above the keys).
_RESTING_EASE = 0.27
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
    offset (rolled chords delayed), when the key is let go (early when out of reach), and
    the finger that takes over a held key, with the time it does (`swaps`)."""

    notes: MidiNotes
    hand: np.ndarray
    finger: np.ndarray
    onset: np.ndarray
    offset: np.ndarray
    release: np.ndarray
    rolled_chords: int = 0
    rolled_notes: int = 0
    swaps: Substitutions | None = None

    @property
    def pitch(self) -> np.ndarray:
        return self.notes.pitch

    def for_hand(self, index: int) -> np.ndarray:
        """Indices of one hand's notes, sorted by played onset then pitch."""
        mine = np.flatnonzero(self.hand == index)
        return mine[np.lexsort((self.pitch[mine], self.onset[mine]))]

    def table(self) -> np.ndarray:
        """The HandMotion notes table (motion.NOTE_COLUMNS), each note's offset when its
        key comes up: when the hand lets go of it, which may be before its sound ends
        (the pedal, or the score's notation, holds that; a piano's key rises all the same)."""
        columns = [
            self.pitch,
            self.onset,
            self.release,
            self.notes.velocity,
            self.hand,
            self.finger,
        ]
        return np.column_stack(columns).astype(np.float64)

    def swaps_for(self, mine: np.ndarray) -> Substitutions:
        """The substitutions of the notes `mine` (e.g. `for_hand`'s), in that order."""
        if self.swaps is None:
            return Substitutions.none(len(mine))
        return Substitutions(self.swaps.finger[mine], self.swaps.time[mine])

    def substitution_table(self) -> np.ndarray:
        """The HandMotion substitutions table (motion.SUBSTITUTION_COLUMNS)."""
        swaps = self.swaps_for(np.arange(len(self.hand)))
        row = np.flatnonzero(swaps.finger > 0)
        return np.column_stack([row, swaps.finger[row], swaps.time[row]]).astype(np.float64)


def plan_notes(
    notes: MidiNotes,
    keyboard: Keyboard,
    config: MidiEngineConfig,
    hand: np.ndarray | None = None,
    reach: float = 1.0,
) -> NotePlan:
    """Split the notes between the hands (unless `hand` gives each note's, 0 left, 1 right),
    roll chords too wide to grip, finger each hand (keeping fingers the file prescribes) for
    a hand `reach` times the adult hand's size, a glissando with the one finger that draws it,
    and plan finger substitutions on held keys."""
    # Finger ranges narrow for smaller hands but do not widen for bigger ones: a bigger
    # pianist's hand does reach further, but the wrist planner's stretched poses are made
    # for the adult hand's ranges (a 1.26x character given 1-3 octaves, as its length would
    # allow, ended 2-5 mm beside or above the keys).
    reach = min(reach, 1.0)
    group = onset_groups(notes.onset, notes.pitch, config.chord_window)
    if hand is None:
        named = notes.named_hands() if config.honour_tracks else None
        hand = split_hands(
            notes.pitch, notes.onset, notes.offset, group, keyboard, config, named, notes.pedal
        )
    rolled = roll_wide_chords(notes.pitch, notes.onset, notes.offset, hand, group, keyboard, config)
    finger = np.zeros(len(notes), dtype=np.int64)
    release = rolled.offset.copy()
    swaps = Substitutions.none(len(notes))
    plan = NotePlan(notes, hand, finger, rolled.onset, rolled.offset, release,
                    rolled.chords, rolled.notes, swaps)  # fmt: skip
    neighbour = other_hand_neighbour(
        notes.pitch, rolled.onset, rolled.offset, hand, config.chord_window
    )
    for index, side in enumerate(HANDS):
        mine = plan.for_hand(index)
        pitch, onset = notes.pitch[mine], rolled.onset[mine]
        release[mine] = release_out_of_reach(
            onset, rolled.offset[mine], keyboard.x_center(pitch), config.hold_span,
            config.wrist_max_speed, config.wrist_move_time,
        )  # fmt: skip
        # A rolled chord is fingered as the chord it is (struck onsets): one hand shape,
        # and so is a chord the file rolls note by note.
        chords = onset_groups(notes.onset[mine], pitch, config.chord_window, MAX_FINGERS)
        chords = with_rolled_chords(chords, notes.onset[mine], pitch, MAX_FINGERS)
        given = None if notes.finger is None else notes.finger[mine]
        finger[mine] = assign_fingers(
            pitch, onset, release[mine], chords, side, given, reach, neighbour=neighbour[mine]
        )
        drawn = glissando_fingers(pitch, onset, side)
        if given is not None:  # the file's own fingers come first
            drawn[given > 0] = 0
        finger[mine] = np.where(drawn > 0, drawn, finger[mine])
        hold = plan_substitutions(
            pitch, onset, release[mine], finger[mine], side, config.approach_time, reach
        )
        swaps.finger[mine], swaps.time[mine] = hold.swaps.finger, hold.swaps.time
        release[mine] = hold.release
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
            plan.finger[mine], num_frames, keyboard, config, plan.swaps_for(mine),
        )  # fmt: skip
        report(3 + index, _STEPS, f"{side} hand animated")
    _make_room(tracks, plan, rig, config)

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
    return HandMotion(config.fps, tracks["left"], tracks["right"], metadata, plan.table(),
                      plan.substitution_table())  # fmt: skip


def _make_room(
    tracks: dict[str, HandTrack], plan: NotePlan, rig: HandRig, config: MidiEngineConfig
) -> None:
    """Tuck in an idle thumb near the other hand, slide a hand that has nothing to play
    out of the other's way, then take the hand further in where both play close together
    (clearance), in place."""
    both = tracks["left"].present & tracks["right"].present
    approach = config.approach_time
    thumbs_free = tuple(
        ~_busy_frames(plan, index, len(both), config, approach, thumb_only=True) & both
        for index in range(2)
    )
    tucks = thumb_tucks(tracks["left"].joints, tracks["right"].joints, thumbs_free, config.fps)
    for side, tuck in zip(HANDS, tucks, strict=True):
        if tuck.any():
            _tuck_thumb(tracks[side], tuck, rig.for_side(side))
    # A hand slid aside stays aside until its finger drops onto its next key (press_time):
    # made to be back in place from the start of its approach (0.15 s before), it came
    # back through the other hand, which was still there. Shared pieces' clash frames 147
    # -> 110 (grieg_butterfly 0.61 -> 0.20 %, mz_545_1 0.15 -> 0 %), no key missed more.
    free = tuple(
        ~_busy_frames(plan, index, len(both), config, config.press_time) & both
        for index in range(2)
    )
    # A slid hand turns with its forearm, which moves its fingers a little more: a second
    # pass adds what that left short.
    for _ in range(_ROOM_PASSES):
        shifts = room_shifts(tracks["left"].joints, tracks["right"].joints, free, config.fps)
        for side, shift in zip(HANDS, shifts, strict=True):
            if shift.any():
                _slide(tracks[side], shift, rig.for_side(side))
    depths = depth_shifts(tracks["left"].joints, tracks["right"].joints, config.fps)
    for side, depth in zip(HANDS, depths, strict=True):
        depth = depth * both
        tracks[side].transl[:, 1] += depth
        tracks[side].joints[:, :, 1] += depth[:, None]


def _busy_frames(
    plan: NotePlan,
    hand: int,
    num_frames: int,
    config: MidiEngineConfig,
    lead: float,
    thumb_only: bool = False,
) -> np.ndarray:
    """(T,) bool: the hand (its thumb if `thumb_only`) holds a key of its own on these
    frames, or will strike one within `lead` s."""
    mine = plan.hand == hand
    if thumb_only:
        swaps = plan.swaps_for(np.arange(len(plan.hand)))
        mine &= (plan.finger == 1) | (swaps.finger == 1)
    on, off = note_frames(plan.onset[mine], plan.release[mine], config.fps)
    start = np.clip(on - round(lead * config.fps), 0, num_frames)
    count = np.zeros(num_frames + 1, dtype=np.int64)
    np.add.at(count, start, 1)
    np.add.at(count, np.clip(off + 1, 0, num_frames), -1)
    return np.cumsum(count)[:num_frames] > 0


# A tucked thumb's CMC abduction: this far inside the rig's limit towards the index finger.
_TUCK_MARGIN = np.deg2rad(5.0)
_THUMB_CMC = 3 * FINGERS.index("thumb")  # its hand_pose row


def _tuck_thumb(track: HandTrack, tuck: np.ndarray, rig: HandRig) -> None:
    """Turn the thumb in towards the index finger at its CMC joint by the share `tuck`
    (T,) of the way to its tucked abduction, in place; the rest of the hand stays."""
    (moved,) = np.nonzero(tuck)
    abduction, flexion, _ = rig.angles_from_pose(track.hand_pose[moved].astype(np.float64))
    tucked = rig.abd_limits[_THUMB_CMC, 0] + _TUCK_MARGIN
    inwards = np.minimum(tucked - abduction[:, _THUMB_CMC], 0.0)  # never out
    abduction[:, _THUMB_CMC] += tuck[moved] * inwards
    part = build_track(rig, track.global_orient[moved], rig.pose_from_angles(abduction, flexion),
                       track.transl[moved], track.present[moved])  # fmt: skip
    for name in ("hand_pose", "joints"):
        getattr(track, name)[moved] = getattr(part, name)


def _slide(track: HandTrack, shift: np.ndarray, rig: HandRig) -> None:
    """Move the hand's wrist sideways by `shift` (T,) m, in place, turned about the wrist
    as the forearm follows so that the wrist stays within its range."""
    (moved,) = np.nonzero(shift)
    wrist = track.transl[moved].astype(np.float64)
    wrist[:, 0] += shift[moved]
    rotation = axis_angle_to_matrix(track.global_orient[moved].astype(np.float64))
    wrist, rotation = keep_wrist_in_range(wrist, rotation, np.zeros(3), rig.side)
    part = build_track(rig, matrix_to_axis_angle(rotation), track.hand_pose[moved], wrist,
                       track.present[moved])  # fmt: skip
    for name in ("transl", "global_orient", "joints"):
        getattr(track, name)[moved] = getattr(part, name)


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
    swaps: Substitutions | None = None,
) -> HandTrack:
    """One hand's track from its notes (sorted by onset; offsets when the hand lets go of
    the keys), their fingers (1..5) and the fingers that take over held keys (`swaps`).

    The wrist is planned per keyframe (sparse); everything per frame is computed a chunk
    of frames at a time, so a long take costs its output arrays and a fixed working set,
    not one that grows with its length (an hour: about 50 MB per hand).
    """
    solver = FingerSolver(rig)
    posture = playing_posture(solver, rig, keyboard.geometry.white_width)
    on, off = note_frames(onset, offset, config.fps)
    points = press_points(pitch, keyboard)
    swap_frames = np.zeros(0, dtype=np.int64)
    if swaps is not None:  # a substituted key is pressed by one finger, then the other
        on, off, points, finger, swap_frames = substituted_presses(
            on, off, points, finger, swaps, config.fps, rig.side
        )
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
            keyboard,
            (config.position_span, config.position_gap * config.fps),
            round(config.curl_gap * config.fps),
            config.steady_shape_time * config.fps,
        )
        move_frames = config.wrist_move_time * config.fps
        chord_frames, keys, tilts = add_rests(
            chord_frames, keys, tilts, notes, config.rest_time * config.fps, move_frames,
            config.rest_lift,
        )  # fmt: skip
        starts, ends = move_schedule(chord_frames, keys, config, quick=swap_frames)
    else:  # an idle hand waits over its centre key, level
        starts = ends = np.zeros(0)
        keys = _resting_wrist(rig.side, posture, keyboard, config)[None]
        tilts = np.zeros((1, 3))
    schedule = WristSchedule(starts, ends, keys, tilts, handing_over(notes, starts, ends))
    track = HandTrack(
        transl=np.empty((num_frames, 3), np.float32),
        global_orient=np.empty((num_frames, 3), np.float32),
        hand_pose=np.empty((num_frames, 45), np.float32),
        present=np.full(num_frames, len(pitch) > 0),
        joints=np.empty((num_frames, 21, 3), np.float32),
    )
    # Posed with a margin on either side: a press correction reaches over REACH_FRAMES, to
    # targets of a thumb gliding off its key that look back to its release (an approach).
    margin = REACH_FRAMES + math.ceil(config.approach_time * config.fps)
    for first in range(0, num_frames, _CHUNK_FRAMES):
        last = min(first + _CHUNK_FRAMES, num_frames)
        frames = np.arange(max(first - margin, 0), min(last + margin, num_frames))
        chunk = _pose_frames(rig, solver, posture, notes, schedule, frames, keyboard, config)
        inner = slice(first - frames[0], last - frames[0])
        for name in ("transl", "global_orient", "hand_pose", "joints"):
            getattr(track, name)[first:last] = getattr(chunk, name)[inner]
    return track


@dataclass(frozen=True)
class WristSchedule:
    """The wrist's moves (G - 1,) between its keyframes: positions (G, 3), tilts (G, 3),
    and which moves are legato hand-overs (G - 1,) (wrist.handing_over)."""

    starts: np.ndarray
    ends: np.ndarray
    keys: np.ndarray
    tilts: np.ndarray
    handover: np.ndarray


def _pose_frames(
    rig: HandRig,
    solver: FingerSolver,
    posture: Posture,
    notes: ChordNotes,
    schedule: WristSchedule,
    frames: np.ndarray,
    keyboard: Keyboard,
    config: MidiEngineConfig,
) -> HandTrack:
    """The hand on `frames` (F,): wrist path, fingertip targets, IK, FK."""
    starts, ends, keys = schedule.starts, schedule.ends, schedule.keys
    path = follow_schedule(starts, ends, np.column_stack([keys, schedule.tilts]), frames)
    wrist, tilt = path[:, :3], path[:, 3:]
    wrist[:, 2] += leap_arc(starts, ends, keys, frames, config.leap_height, schedule.handover)
    rotation = posture.orientation(tilt)  # (F, 3, 3)
    wrist, rotation = keep_wrist_in_range(wrist, rotation, posture.tips[2], rig.side)
    free = wrist[:, None] + (rotation @ posture.free_tips.T).swapaxes(1, 2)
    targets = np.empty((len(frames), NUM_FINGERS, 3))
    touching = np.empty((len(frames), NUM_FINGERS), dtype=bool)
    for f in range(NUM_FINGERS):
        mine = np.flatnonzero(notes.finger == f + 1)  # sorted by onset, presses not overlapping
        targets[:, f], touching[:, f] = finger_targets(
            notes.on[mine], notes.off[mine], notes.points[mine], free[:, f], keyboard, config,
            frames, leaves_with_hand=f == 0,  # the thumb
        )  # fmt: skip
    targets = follow_neighbours(targets, touching, free)
    # An idle finger taken along by its neighbours hovers over the keys it is taken to.
    targets = np.where(touching[..., None], targets, lift_to_hover(targets, keyboard, config))
    canonical = (targets - wrist[:, None]) @ rotation  # into the hand frame
    # A free thumb starts from its idle shape: from the playing one, far from its own
    # rest, it could settle curled down into the keys. (The long fingers start from the
    # playing shape either way: their spreads are solved together.)
    start = np.broadcast_to(posture.params, touching.shape + (3,)).copy()
    start[~touching[:, 0], 0] = posture.free_params[0]
    params = solver.solve(canonical, start, config.ik_iterations, ~touching)
    struck = struck_frames(notes.on, notes.finger, frames)
    wrist, params = pull_wrist_to_presses(
        wrist, rotation, canonical, touching, struck, params, solver, start, config.ik_iterations,
    )  # fmt: skip
    ease = round(_RESTING_EASE * config.fps)
    params = _bend_free_fingers(
        solver, params, wrist, rotation, canonical, ~touching, keyboard, ease
    )
    # The pull may take the wrist past its deviation range: turned back about the fingers.
    wrist, rotation = keep_wrist_in_range(wrist, rotation, posture.tips[2], rig.side)
    hand_pose = rig.pose_from_angles(*solver.angles(params))
    present = np.ones(len(frames), dtype=bool)
    return build_track(rig, matrix_to_axis_angle(rotation), hand_pose, wrist, present)


def _bend_free_fingers(
    solver: FingerSolver,
    params: np.ndarray,
    wrist: np.ndarray,
    rotation: np.ndarray,
    canonical: np.ndarray,
    free: np.ndarray,
    keyboard: Keyboard,
    ease: int,
) -> np.ndarray:
    """`params` (F, 5, 3) with the free long fingers (free (F, 5)) beside a pressing one or
    inside the pressing fingers' span brought down to rest _RESTING_HEIGHT above the keys
    under them, easing down and back up over `ease` frames (those within
    _RESTING_TOLERANCE of it stay, unless they lag a pressing neighbour), their base joints
    bent at most finger_ik._LIFT_BEND less than a pressing neighbour's, where they keep
    _BENT_FINGER_CLEARANCE above those keys (else half as low); where they would not, those
    lagging the neighbour by more are bent with it towards their hover targets
    (`canonical`, F, 5, 3) instead, if they keep that clearance so."""

    def heights(canonical_tips: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """Fingertips' heights (R, 5) on frames `rows` and the key tops under their pads."""
        tips = wrist[rows, None] + canonical_tips @ rotation[rows].swapaxes(1, 2)
        return tips[..., 2], tops_under_pad(keyboard, tips[..., 0], tips[..., 1])

    posed = solver.tips(params)  # canonical
    height, tops = heights(posed, np.arange(len(params)))
    # The highest key tops under the pad over the frames around: a finger passing the
    # black keys' front edge would otherwise drop and rise with every millimetre in or out.
    above = height - _eased(tops, ease, fade=False)
    up = rotation[:, 2]  # the world's up in the hand frame
    # Eased in and out over `ease` frames (as much as the nearest frame where it rests,
    # less with each frame away, never below the rest height): a finger resting by a chord
    # otherwise sprang up to its hover point in the frame the chord was let go.
    idle = idle_within_hand(free)
    room = np.maximum(above - _RESTING_HEIGHT, 0.0)
    eased = np.minimum(_eased(np.where(idle, room, 0.0), ease), room)
    drop = eased * free
    lowered = posed - drop[..., None] * up[:, None]
    done = np.zeros_like(free)
    high = above > _RESTING_HEIGHT + _RESTING_TOLERANCE  # the others rest already
    half = posed - 0.5 * drop[..., None] * up[:, None]
    resting = high & (drop > 0.0)
    # Resting low, else half as low, else (only those lagging their neighbours) where they
    # hovered.
    for aims, also in ((lowered, resting), (half, resting), (canonical, None)):
        bent, changed = solver.bend_with_neighbours(params, aims, free, also, settled=done)
        rows = np.flatnonzero(changed.any(axis=1))
        height, tops = heights(solver.tips(bent[rows]), rows)
        keep = np.zeros_like(changed)
        keep[rows] = changed[rows] & (height - tops >= _BENT_FINGER_CLEARANCE)
        params = np.where(keep[..., None], bent, params)
        done |= keep
    return params


def _eased(values: np.ndarray, frames: int, fade: bool = True) -> np.ndarray:
    """(F, ...) the largest of `values` (F, ...) at each frame and the `frames` frames on
    either side, those k frames away weighted 1 - k / (frames + 1) if `fade`."""
    eased = values.copy()
    for step in range(1, frames + 1):
        weight = 1.0 - step / (frames + 1) if fade else 1.0
        eased[step:] = np.maximum(eased[step:], weight * values[:-step])
        eased[:-step] = np.maximum(eased[:-step], weight * values[step:])
    return eased


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
