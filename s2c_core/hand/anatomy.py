"""Is a hand pose humanly possible? Joint angles against documented active ranges of motion.

Per frame and hand, the MANO pose is split into anatomical joint angles (the rig's
flexion/abduction decomposition: flexion positive towards the palm, abduction positive
towards the thumb), the wrist's angles are taken relative to the forearm of an arm model
(forearm.py), and each is compared with the active range of motion a healthy adult hand
reaches. The report gives, over the frames in which a hand is present, the share of
(frame, hand) pairs outside each range.

Ranges, in degrees (active motion, healthy adults):
- Finger MCP flexion 0..90, hyperextension to 45 (American Academy of Orthopaedic
  Surgeons, Greene & Heckman, "The Clinical Measurement of Joint Motion", 1994); Hume et
  al. 1990 ("Functional range of motion of the joints of the hand", J Hand Surg 15A:
  240-243) measured active MCP flexion of about 100, which is the upper bound used here.
- PIP flexion 0..100 (AAOS; Hume et al.: about 105), DIP 0..90 (AAOS; Hume et al.: about
  85). Neither extends actively beyond straight; a few degrees of passive hyperextension
  are normal, so a backwards bend of more than 10 degrees counts as impossible (and more
  than 15 is reported separately).
- Abduction between neighbouring fingers at the MCP joints: each long finger abducts and
  adducts about 20 degrees from its rest line, the little finger further (roughly 30-40
  degrees away from the ring) and the index about 25 towards the thumb; Cobos et al.
  2008 ("Efficient human hand kinematics for manipulation tasks", IROS) and Lee & Jung
  2015 (finger abduction ranges) tabulate ranges of this size. Two neighbours can
  therefore open up to about 45 degrees (index-middle), 40 (middle-ring) or 50
  (ring-little), and cannot pass through each other: they may close by at most a few
  degrees past parallel.
- Thumb: carpometacarpal (trapeziometacarpal) flexion-extension and abduction-adduction
  arcs of about 50-60 and 40-60 degrees (Kapandji, "The Physiology of the Joints", vol. 1,
  the upper limb); MCP flexion 0..50 with a few degrees of hyperextension (AAOS; Hume et
  al.: about 56); IP flexion 0..80, hyperextension to about 20 (AAOS).
- Wrist relative to the forearm: flexion 80, extension 70, radial deviation 20, ulnar
  deviation 30 (AAOS). Roll is the forearm's rotation: palm down is about 80-90 degrees
  of pronation (AAOS: pronation and supination 0..80 from thumb-up), and a pianist turns
  the thumb further down only with the shoulder's help (elbow raised), so the roll may go
  at most 35 degrees thumb-down past a flat palm and 90 thumb-up.

Apart from those ranges, `straight_presses` counts how often a long finger presses its key
straight: piano teachers ask for curved fingers, the rounded hand, the fingertips playing
and the middle joints bent (S. Fink, "Mastering Piano Technique", 1992; G. Sandor, "On
Piano Playing", 1981). A pressing finger whose middle (PIP) joint is bent less than 15
degrees reads as flat and stiff; a pianist plays so only to reach, in wide stretches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..motion import NOTE_COLUMNS, note_frames
from .forearm import ArmModel, forearm_directions
from .rig import HandRig, builtin_rig
from .rotations import axis_angle_to_matrix
from .skeleton import FINGERS, PIANO_FINGER_NAMES

LONG_FINGERS = ("index", "middle", "ring", "pinky")  # thumb side to little finger side


def _row(finger: str, segment: int) -> int:
    """hand_pose row (0..14) of a finger's joint: segment 1 = MCP (CMC for the thumb)."""
    return 3 * FINGERS.index(finger) + segment - 1


@dataclass(frozen=True)
class Ranges:
    """Active ranges of motion in degrees (lower, upper); see the module docstring."""

    mcp_flexion: tuple[float, float] = (-45.0, 100.0)
    pip_flexion: tuple[float, float] = (-10.0, 110.0)
    dip_flexion: tuple[float, float] = (-10.0, 90.0)
    severe_hyperextension: float = 15.0
    # Spread between neighbouring fingers' proximal phalanges in the palm plane (positive
    # apart): index-middle, middle-ring, ring-little.
    neighbour_spread: tuple[tuple[float, float], ...] = (
        (-8.0, 45.0),
        (-8.0, 40.0),
        (-8.0, 50.0),
    )
    thumb_cmc_flexion: tuple[float, float] = (-25.0, 55.0)
    thumb_cmc_abduction: tuple[float, float] = (-35.0, 55.0)
    thumb_mcp_flexion: tuple[float, float] = (-15.0, 60.0)
    thumb_ip_flexion: tuple[float, float] = (-20.0, 85.0)
    wrist_pitch: tuple[float, float] = (-80.0, 70.0)  # flexion negative, extension positive
    wrist_yaw: tuple[float, float] = (-35.0, 20.0)  # ulnar negative, radial positive
    wrist_roll: tuple[float, float] = (-90.0, 35.0)  # thumb up negative, thumb down positive


@dataclass(frozen=True)
class HandAngles:
    """Anatomical angles of one hand over T frames, degrees."""

    abduction: np.ndarray  # (T, 15) per hand_pose joint
    flexion: np.ndarray  # (T, 15)
    wrist: np.ndarray  # (T, 3) pitch (extension +), yaw (radial +), roll (thumb down +)


def hand_angles(
    rig: HandRig,
    global_orient: np.ndarray,
    hand_pose: np.ndarray,
    wrist: np.ndarray,
    arm: ArmModel | None = None,
) -> HandAngles:
    """Angles of a hand of `rig`'s side: (T, 3) global_orient, (T, 45) hand_pose, (T, 3)
    wrist positions in the piano world."""
    abduction, flexion, _ = rig.angles_from_pose(np.asarray(hand_pose, dtype=np.float64))
    rotation = axis_angle_to_matrix(np.asarray(global_orient, dtype=np.float64))
    forearm = forearm_directions(wrist, rig.side, arm)
    return HandAngles(
        np.rad2deg(abduction), np.rad2deg(flexion), wrist_angles(rotation, forearm, rig.side)
    )


def wrist_angles(rotation: np.ndarray, forearm: np.ndarray, side: str) -> np.ndarray:
    """(T, 3, 3) world-from-canonical hand rotations and (T, 3) unit forearm directions ->
    (T, 3) degrees: pitch (extension +), yaw (radial deviation +), roll (thumb down +).

    In the canonical hand frame the fingers point along -X (right hand; +X for the left),
    the palm faces -Y and the thumb lies on +Z.
    """
    along = -1.0 if side == "right" else 1.0
    fingers = rotation[..., :, 0] * along
    palm = -rotation[..., :, 1]
    thumb = rotation[..., :, 2]
    f_along = np.sum(forearm * fingers, axis=-1)
    pitch = np.arctan2(np.sum(forearm * palm, axis=-1), f_along)
    yaw = np.arctan2(-np.sum(forearm * thumb, axis=-1), f_along)
    up = np.array([0.0, 0.0, 1.0]) - forearm[..., 2:] * forearm
    up /= np.maximum(np.linalg.norm(up, axis=-1, keepdims=True), 1e-9)
    roll = np.arctan2(-np.sum(thumb * up, axis=-1), -np.sum(palm * up, axis=-1))
    return np.rad2deg(np.stack([pitch, yaw, roll], axis=-1))


def _outside(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values < bounds[0]) | (values > bounds[1])


def violations(angles: HandAngles, rig: HandRig, ranges: Ranges | None = None) -> dict:
    """Per check (CHECKS), (T,) bool: the frame's pose is outside that range of motion."""
    ranges = ranges or Ranges()
    flex, abd = angles.flexion, angles.abduction
    rows = {s: [_row(f, s) for f in LONG_FINGERS] for s in (1, 2, 3)}
    backwards = np.maximum(-flex[:, rows[2] + rows[3]], 0.0).max(axis=1)
    spread = abd[:, rows[1]] + rest_spread(rig)  # (T, 4) towards the thumb
    gaps = spread[:, :-1] - spread[:, 1:]
    spread_bad = np.zeros(len(flex), dtype=bool)
    for i, bounds in enumerate(ranges.neighbour_spread):
        spread_bad |= _outside(gaps[:, i], bounds)
    thumb = [_row("thumb", s) for s in (1, 2, 3)]
    checks = {
        "hyperextension": backwards > -ranges.pip_flexion[0],
        "severe_hyperextension": backwards > ranges.severe_hyperextension,
        "finger_flexion": _outside(flex[:, rows[1]], ranges.mcp_flexion).any(axis=1)
        | _outside(flex[:, rows[2]], ranges.pip_flexion).any(axis=1)
        | _outside(flex[:, rows[3]], ranges.dip_flexion).any(axis=1),
        "finger_spread": spread_bad,
        "thumb": _outside(flex[:, thumb[0]], ranges.thumb_cmc_flexion)
        | _outside(abd[:, thumb[0]], ranges.thumb_cmc_abduction)
        | _outside(flex[:, thumb[1]], ranges.thumb_mcp_flexion)
        | _outside(flex[:, thumb[2]], ranges.thumb_ip_flexion),
        "wrist_pitch": _outside(angles.wrist[:, 0], ranges.wrist_pitch),
        "wrist_yaw": _outside(angles.wrist[:, 1], ranges.wrist_yaw),
        "wrist_roll": _outside(angles.wrist[:, 2], ranges.wrist_roll),
    }
    checks["wrist"] = checks["wrist_pitch"] | checks["wrist_yaw"] | checks["wrist_roll"]
    checks["any"] = np.any([checks[c] for c in CHECKS[:-2]], axis=0)
    return checks


def rest_spread(rig: HandRig) -> np.ndarray:
    """(4,) degrees each long finger (LONG_FINGERS) points towards the thumb at rest."""
    rest = rig.rest_joints
    out = []
    for finger in LONG_FINGERS:
        base, middle = _row(finger, 1) + 1, _row(finger, 2) + 1  # joint indices
        bone = rest[middle] - rest[base]
        out.append(np.degrees(np.arctan2(bone[2], abs(bone[0]))))
    return np.array(out)


CHECKS = (
    "hyperextension",
    "severe_hyperextension",
    "finger_flexion",
    "finger_spread",
    "thumb",
    "wrist_pitch",
    "wrist_yaw",
    "wrist_roll",
    "wrist",  # any of the three wrist angles
    "any",  # any check at all
)


@dataclass(frozen=True)
class AnatomyReport:
    """Counts of (frame, hand) pairs with a hand present, and how many fail each check."""

    frames: int
    outside: dict[str, int]
    worst_backwards_bend: float  # degrees, over all frames

    def share(self, check: str) -> float:
        return self.outside[check] / self.frames if self.frames else 0.0

    def shares(self) -> dict[str, float]:
        return {check: self.share(check) for check in CHECKS}

    def __add__(self, other: AnatomyReport) -> AnatomyReport:
        outside = {c: self.outside[c] + other.outside[c] for c in CHECKS}
        worst = max(self.worst_backwards_bend, other.worst_backwards_bend)
        return AnatomyReport(self.frames + other.frames, outside, worst)


def empty_report() -> AnatomyReport:
    return AnatomyReport(0, dict.fromkeys(CHECKS, 0), 0.0)


def anatomy_report(motion, rig: HandRig | None = None, ranges: Ranges | None = None):
    """AnatomyReport of a HandMotion (`rig`: its hand, built-in if None)."""
    report = empty_report()
    for side in ("left", "right"):
        track = motion.hand(side)
        present = np.asarray(track.present, dtype=bool)
        if not present.any():
            continue
        side_rig = (rig or builtin_rig("right")).for_side(side)
        angles = hand_angles(
            side_rig,
            track.global_orient[present],
            track.hand_pose[present],
            track.transl[present],
        )
        bad = violations(angles, side_rig, ranges)
        rows = [_row(f, s) for f in LONG_FINGERS for s in (2, 3)]
        worst = float(max(-angles.flexion[:, rows].min(), 0.0))
        outside = {check: int(bad[check].sum()) for check in CHECKS}
        report = report + AnatomyReport(int(present.sum()), outside, worst)
    return report


STRAIGHT_PIP = 15.0  # degrees: a pressing long finger's middle joint bent less is straight


def straight_presses(motion, rig: HandRig | None = None) -> tuple[int, int]:
    """(straight, pressing): over each note's pressed frames (`note_frames`) played by a
    long finger (index to little), how many find that finger's middle joint bent less than
    STRAIGHT_PIP degrees, and how many there are. `rig`: the take's hand, built-in if None."""
    column = {name: i for i, name in enumerate(NOTE_COLUMNS)}
    notes = np.asarray(motion.notes)
    straight = pressing = 0
    for hand, side in enumerate(("left", "right")):
        mine = notes[(notes[:, column["hand"]] == hand) & (notes[:, column["finger"]] >= 2)]
        if not len(mine):
            continue
        track = motion.hand(side)
        side_rig = (rig or builtin_rig("right")).for_side(side)
        _, flexion, _ = side_rig.angles_from_pose(np.asarray(track.hand_pose, dtype=np.float64))
        on, off = note_frames(mine[:, column["onset"]], mine[:, column["offset"]], motion.fps)
        off = np.minimum(off, len(flexion) - 1)
        fingers = mine[:, column["finger"]].astype(np.int64)
        rows = np.array([_row(PIANO_FINGER_NAMES[f], 2) for f in fingers])
        lengths = np.maximum(off - on + 1, 0)
        frames = np.repeat(on, lengths) + _ramps(lengths)
        bent = np.rad2deg(flexion[frames, np.repeat(rows, lengths)])
        straight += int((bent < STRAIGHT_PIP).sum())
        pressing += len(frames)
    return straight, pressing


def _ramps(lengths: np.ndarray) -> np.ndarray:
    """0, 1, .., n-1 for each n in `lengths`, concatenated."""
    starts = np.cumsum(lengths) - lengths
    return np.arange(lengths.sum()) - np.repeat(starts, lengths)
