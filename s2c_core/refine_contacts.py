"""Contact refinement: align generated hands to the notes that are actually played.

S2C places hands from audio alone, in the PianoMotion10M camera frame, so its fingertips
rarely land on the right keys. Given the notes (from MIDI, or transcribed), this:
1. assigns each note a hand and a finger with the MIDI engine's planning (split, rolled
   chords, fingering);
2. fits the placement of the camera frame in the piano world: a uniform scale and offset
   of the wrist paths that best puts each note's assigned fingertip over its key at its
   onset (scale by least squares across the keyboard, offset by medians);
3. moves each wrist by a smooth (monotone cubic) correction through the per-chord misses
   that remain, then bends the playing fingers by inverse kinematics onto their pressed
   keys for each note's duration, easing in and out over a few frames.
Everything else the model generated - the wrist orientations, the idle fingers, the
timing of the motion between notes - is kept.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.interpolate import PchipInterpolator

from .engines.midi.config import MidiEngineConfig
from .engines.midi.engine import NotePlan, plan_notes
from .engines.midi.finger_ik import NUM_FINGERS, FingerSolver
from .engines.midi.metrics import key_contact
from .hand.fk import build_track
from .hand.rig import HandRig
from .hand.rotations import axis_angle_to_matrix
from .hand.skeleton import PIANO_FINGER_NAMES, finger_chain, tip_index
from .motion import HANDS, HandMotion, HandTrack, note_frames
from .music.keyboard import Keyboard
from .music.midi import MidiNotes

_TIPS = np.array([tip_index(PIANO_FINGER_NAMES[f]) for f in range(1, NUM_FINGERS + 1)])
_SCALE_RANGE = (0.5, 2.0)
_PRESS_DEPTH = 0.6  # share of the key travel a fingertip presses to at the note
_EASE_FRAMES = 4  # frames over which a finger eases onto and off its key
_IK_ITERATIONS = 12


def refine_contacts(
    motion: HandMotion,
    notes: MidiNotes,
    rig: HandRig,
    keyboard: Keyboard | None = None,
    config: MidiEngineConfig | None = None,
) -> HandMotion:
    """A new HandMotion whose fingertips meet the played keys; key contact before and after
    is recorded in metadata.extra["key_contact"]."""
    keyboard = keyboard or Keyboard()
    plan = plan_notes(notes, keyboard, config or MidiEngineConfig())
    motion = replace(motion, notes=plan.table())  # played onsets: rolled chords delayed
    before = float(key_contact(motion, keyboard).mean()) if len(plan.pitch) else 1.0
    frames = np.clip(note_frames(plan.onset, plan.release, motion.fps)[0], 0, motion.num_frames - 1)
    motion = _fit_placement(motion, plan, frames, rig, keyboard)
    tracks = {
        side: _refine_hand(motion, plan, index, rig.for_side(side), keyboard)
        for index, side in enumerate(HANDS)
    }
    refined = replace(motion, left=tracks["left"], right=tracks["right"])
    after = float(key_contact(refined, keyboard).mean()) if len(plan.pitch) else 1.0
    extra = dict(motion.metadata.extra, key_contact={"before": before, "after": after})
    return replace(refined, metadata=replace(motion.metadata, extra=extra))


def _targets(plan: NotePlan, keyboard: Keyboard) -> np.ndarray:
    """(N, 3) where each note's fingertip goes: its contact point, pressed into the key."""
    points = np.array([keyboard.contact_point(int(p)) for p in plan.pitch]).reshape(-1, 3)
    points[:, 2] -= _PRESS_DEPTH * keyboard.geometry.key_travel
    return points


def _fit_placement(
    motion: HandMotion, plan: NotePlan, frames: np.ndarray, rig: HandRig, keyboard: Keyboard
) -> HandMotion:
    """Uniform scale + offset of both wrist paths that best lands the assigned tips."""
    targets = _targets(plan, keyboard)
    wrist, tip_offset, goal = [], [], []
    for index, side in enumerate(HANDS):
        mine = np.flatnonzero((plan.hand == index) & (plan.finger >= 1))
        track = motion.hand(side)
        tips = track.joints[frames[mine], _TIPS[plan.finger[mine] - 1]]
        wrist.append(track.transl[frames[mine]])
        tip_offset.append(tips - track.transl[frames[mine]])
        goal.append(targets[mine])
    wrist, tip_offset, goal = (
        np.concatenate(a).astype(np.float64) for a in (wrist, tip_offset, goal)
    )
    if len(wrist) < 2:
        return motion
    centre = np.median(wrist, axis=0)
    # the scale from least squares across the keyboard: tip_x ~= c_x + s (wrist_x - c_x) + d
    design = np.column_stack([wrist[:, 0] - centre[0], np.ones(len(wrist))])
    (scale, _), *_ = np.linalg.lstsq(design, goal[:, 0] - tip_offset[:, 0] - centre[0], rcond=None)
    scale = float(np.clip(scale, *_SCALE_RANGE))
    # the offset as medians after the (clipped) scale, so stray notes do not drag it
    scaled = centre + scale * (wrist - centre) + tip_offset
    shift = np.median(goal - scaled, axis=0)
    tracks = {}
    for side in HANDS:
        track = motion.hand(side)
        moved = centre + scale * (track.transl.astype(np.float64) - centre) + shift
        tracks[side] = build_track(
            rig.for_side(side), track.global_orient, track.hand_pose, moved, track.present
        )
    return replace(motion, left=tracks["left"], right=tracks["right"])


def _refine_hand(
    motion: HandMotion, plan: NotePlan, index: int, rig: HandRig, keyboard: Keyboard
) -> HandTrack:
    track = motion.hand(HANDS[index])
    mine = np.flatnonzero((plan.hand == index) & (plan.finger >= 1))
    if not len(mine):
        return track
    on, off = note_frames(plan.onset[mine], plan.release[mine], motion.fps)
    last = motion.num_frames - 1
    on, off = np.clip(on, 0, last), np.clip(off, 0, last)
    finger = plan.finger[mine]
    targets = _targets(plan, keyboard)[mine]
    wrist = track.transl.astype(np.float64) + _wrist_correction(track, on, finger, targets, last)
    moved = build_track(rig, track.global_orient, track.hand_pose, wrist, track.present)
    hand_pose = _press_fingers(moved, rig, on, off, finger, targets)
    return build_track(rig, track.global_orient, hand_pose, wrist, track.present)


def _wrist_correction(
    track: HandTrack, on: np.ndarray, finger: np.ndarray, targets: np.ndarray, last: int
) -> np.ndarray:
    """(T, 3) smooth wrist offset through the mean tip miss of each onset frame."""
    tips = track.joints[on, _TIPS[finger - 1]]
    frames, inverse = np.unique(on, return_inverse=True)
    miss = np.zeros((len(frames), 3))
    np.add.at(miss, inverse, targets - tips)
    miss /= np.bincount(inverse)[:, None]
    if len(frames) == 1:
        return np.broadcast_to(miss[0], (last + 1, 3))
    curve = PchipInterpolator(frames, miss, axis=0, extrapolate=False)(np.arange(last + 1))
    curve[: frames[0]] = miss[0]  # hold the first and last corrections at the ends
    curve[frames[-1] + 1 :] = miss[-1]
    return curve


def _press_fingers(
    track: HandTrack,
    rig: HandRig,
    on: np.ndarray,
    off: np.ndarray,
    finger: np.ndarray,
    targets: np.ndarray,
) -> np.ndarray:
    """hand_pose with each playing finger bent onto its key over [on, off], eased in/out."""
    frames = track.num_frames
    weight = np.zeros((frames, NUM_FINGERS))
    goal = track.joints[:, _TIPS].astype(np.float64).copy()  # (T, 5, 3) keep idle tips
    current = goal.copy()
    for start, end, f, point in zip(on, off, finger - 1, targets, strict=True):
        ease = np.arange(max(start - _EASE_FRAMES, 0), min(end + _EASE_FRAMES, frames - 1) + 1)
        w = np.clip(np.minimum(ease - (start - _EASE_FRAMES), end + _EASE_FRAMES - ease)
                    / _EASE_FRAMES, 0.0, 1.0)  # fmt: skip
        stronger = w > weight[ease, f]
        weight[ease[stronger], f] = w[stronger]
        goal[ease[stronger], f] = (1 - w[stronger, None]) * current[ease[stronger], f] + (
            w[stronger, None] * point
        )
    active = np.flatnonzero(weight.max(axis=1) > 0)
    hand_pose = track.hand_pose.astype(np.float64).copy()
    if not len(active):
        return hand_pose
    R = axis_angle_to_matrix(track.global_orient[active])
    canonical = np.einsum("tfa,tab->tfb", goal[active] - track.transl[active, None], R)
    solver = FingerSolver(rig)
    start = np.clip(np.full((NUM_FINGERS, 3), 0.3), solver.lower, solver.upper)
    params = solver.solve(canonical, start, _IK_ITERATIONS)
    solved = rig.pose_from_angles(*solver.angles(params)).reshape(len(active), 15, 3)
    pose = hand_pose.reshape(frames, 15, 3)
    for f in range(NUM_FINGERS):
        rows = np.array(finger_chain(PIANO_FINGER_NAMES[f + 1])[:3]) - 1
        moving = weight[active, f] > 0
        pose[active[moving][:, None], rows] = solved[moving][:, rows]
    return hand_pose
