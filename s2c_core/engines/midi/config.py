"""Every knob of the MIDI engine in one plain dataclass (distances in metres, times in s)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class MidiEngineConfig:
    fps: float = 30.0
    # Hand split: honour "left"/"right" in track names (off by default: files lie).
    honour_tracks: bool = False
    chord_window: float = 0.035  # a chord's onsets each this close to the last (groups.py)
    comfortable_span: float = 0.165  # an octave between key centres
    max_span: float = 0.19  # about a tenth: wider chords are split between hands or rolled
    left_centre_pitch: int = 48  # C3: where a resting left hand sits
    right_centre_pitch: int = 67  # G4
    hold_span: float = 0.08  # a held key is let go when the hand strikes one further away
    roll_span: float = 0.19  # one hand's chords wider than this are rolled
    # and those of three or more notes wider than this (an octave less a little): with
    # thumb and fifth finger an octave apart this hand's inner fingers miss their keys.
    grip_span: float = 0.16
    # From the lowest to the highest note of a rolled chord: time for the hand to open out
    # over it (0.06 s between two parts left it short; 0.1 s lifted rac_op3_2's key contact
    # by 1.6 points).
    roll_step: float = 0.1
    # Motion.
    approach_time: float = 0.15  # fingertip moves over its key this long before the onset
    press_time: float = 0.03  # and drops onto it over the last part of that
    lift_time: float = 0.03  # after the note ends, back to hover height
    hover_clearance: float = 0.012  # lifted fingertips stay this far above the key tops under them
    # Hand poses the wrist planner tries per keyframe: (pitch, roll, drop, turn) = extra
    # tilt in rad (fingers up; thumb down), how far (m) to lower the wrist before settling
    # it, and how far (rad) to turn the hand out from its forearm-led heading.
    # (The twelve that won at least 1 % of keyframes on the tuning pieces, of all 27
    # combinations of 9 tilts/drops and 3 turns.)
    wrist_candidates: tuple[tuple[float, float, float, float], ...] = (
        (0.0, 0.0, 0.0, 0.0),
        (0.0, -0.3, 0.0, 0.0),
        (-0.3, 0.3, 0.0, 0.0),
        (0.0, 0.0, 0.0, 0.2),
        (0.0, -0.3, 0.0, 0.2),
        (0.0, 0.0, 0.0, -0.15),
        (-0.3, 0.0, 0.0, 0.0),
        (0.0, 0.3, 0.0, 0.2),
        (0.0, -0.3, 0.0, -0.15),
        (-0.3, 0.0, 0.0, 0.2),
        (0.0, 0.0, 0.02, 0.2),
        (0.0, 0.3, 0.0, 0.0),
    )
    # Quick single notes (onsets at most position_gap apart) whose reference-hand wrist
    # positions lie within position_span sideways are played from one hand position
    # (hand_positions.py): a 1-2 trill's lie 45 mm apart. Chosen on the tuning set: 0.07 m
    # cost the fresh stride contact; a 0.2 s gap took in elise's 0.21 s semiquavers, whose
    # stretched thumb a character without a thumb metacarpal bone cannot follow (the
    # retargeting test's two-bone thumb, tests/blender_addon/test_retarget.py).
    position_span: float = 0.05
    position_gap: float = 0.15
    # A wrist keyframe at least this long after the one before is settled with curved
    # fingers (wrist._SETTLE_CURL); closer ones, a fast roll's notes one frame apart, with
    # the fingers free to straighten: settled curved, the wrist lunged a few centimetres
    # each frame and big chords lost key contact (fresh seeds 11 and 7: 97.4, 97.7 %, 98.7
    # and 98.4 % now). Without the gap the tuning set misses slightly fewer keys (27 notes
    # against 30 of 32,516); of 0.067 and 0.1 s, 0.1 s missed fewer (30 against 33) and made
    # no stray presses.
    curl_gap: float = 0.1
    # Keyframes closer than this keep one hand shape (tilt, turn, drop) unless changing it
    # lets the hand reach its keys better (wrist.steady_choices); 0.25 and 1 s played the
    # tuning set alike (16 and 17 keys missed against 18).
    steady_shape_time: float = 0.5
    rest_time: float = 0.4  # a hand free of keys this long rests: lifted, untilted
    rest_lift: float = 0.02
    leap_height: float = 0.06  # most a leaping wrist rises above its straight path
    wrist_max_speed: float = 3.0  # m/s; wrist moves faster than this are spread out (late)
    wrist_move_time: float = 0.25  # longest time a wrist move between chords takes
    ik_iterations: int = 12

    def for_hand_size(self, size: float) -> MidiEngineConfig:
        """The spans one hand can reach, for a hand `size` times as long as the built-in."""
        if size == 1.0:
            return self
        return replace(
            self,
            comfortable_span=size * self.comfortable_span,
            max_span=size * self.max_span,
            hold_span=size * self.hold_span,
            roll_span=size * self.roll_span,
            grip_span=size * self.grip_span,
            position_span=size * self.position_span,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
