"""The arm behind a playing hand: a fixed shoulder, an upper arm and a forearm.

A seated pianist's shoulders stay put in front of the middle of the keyboard; the elbow
goes wherever the wrist's position leaves it, which fixes the forearm's direction, and the
hand can only turn so far from that direction (see anatomy.py). This module finds the
elbow by two-bone inverse kinematics, the elbow hanging down and a little out from the
body, as a relaxed arm's does. Positions are in the piano world frame (metres: X along the
keys, Y into the keyboard, the player at negative Y, Z up from the white-key tops).

Segment lengths are adult averages (upper arm about 0.186 and forearm about 0.146 of body
height: Winter, "Biomechanics and Motor Control of Human Movement", 4th ed. 2009, fig.
4.1; about 0.30 m and 0.26 m for a 1.70 m person); the shoulders are placed as a pianist
seated at the usual height and distance holds them (the forearms about level with the
keys, the elbows a little in front of the body).

The shoulders stay put only while the hands play near them. A hand that plays across the
body (the right hand in the bass, the left in the treble) takes the trunk with it: the
pianist leans and turns towards that register, so the shoulder follows the hand along the
keys and the forearm stays nearly square to them, the hand in line with it rather than
bent sideways at the wrist (T. Mark, "What Every Pianist Needs to Know About the Body",
2003: the arm is carried by the collarbone and shoulder blade, and the torso balancing
over the sitting bones brings it where the hand plays; G. Sandor, "On Piano Playing",
1981, on the body following the arms). Without that, a hand far from its
shoulder is turned towards its thumb and its thumb-to-little-finger span across the keys
shrinks to about a seventh. Here the shoulder follows a hand more than `lean_from` inside
it by `lean_gain` of the excess, at most `max_lean` (trunk lateral flexion is about 30-35
degrees, AAOS; about 0.3 m at a seated shoulder's height).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_KEYBOARD_WIDTH = 52 * 0.0235  # 88 keys, 52 white keys of 23.5 mm


@dataclass(frozen=True)
class ArmModel:
    centre_x: float = 0.5 * _KEYBOARD_WIDTH  # the player sits in front of the middle
    shoulder_half_width: float = 0.17  # m from the body's midline to each shoulder joint
    shoulder_y: float = -0.38  # m in front of the white keys' front edge
    shoulder_z: float = 0.33  # m above the white-key tops
    upper_arm: float = 0.30
    forearm: float = 0.26
    # The elbow's preferred side: down, and out from the body by this much per unit down.
    elbow_out: float = 0.0
    # The trunk leans after a hand that plays across the body (see the module docstring):
    # metres inside the shoulder before it does, share of the rest, most it moves.
    lean_from: float = 0.10
    lean_gain: float = 0.7
    max_lean: float = 0.25

    def shoulder(self, side: str, wrist: np.ndarray | None = None) -> np.ndarray:
        """(3,) the `side` shoulder joint of the upright trunk, or (..., 3) with the trunk
        leaning after the `side` hand's wrists (..., 3)."""
        sign = 1.0 if side == "right" else -1.0
        upright = np.array(
            [self.centre_x + sign * self.shoulder_half_width, self.shoulder_y, self.shoulder_z]
        )
        if wrist is None:
            return upright
        inwards = sign * (upright[0] - np.asarray(wrist, dtype=np.float64)[..., 0])
        lean = np.zeros(np.shape(wrist))
        lean[..., 0] = -sign * np.clip(
            self.lean_gain * (inwards - self.lean_from), 0.0, self.max_lean
        )
        return upright + lean


def elbow_positions(wrist: np.ndarray, side: str, arm: ArmModel | None = None) -> np.ndarray:
    """(..., 3) wrist positions -> (..., 3) elbow positions of the `side` arm.

    A wrist beyond the arm's reach gets the elbow on the straight line to it.
    """
    arm = arm or ArmModel()
    shoulder = arm.shoulder(side, wrist)
    to_wrist = np.asarray(wrist, dtype=np.float64) - shoulder
    distance = np.maximum(np.linalg.norm(to_wrist, axis=-1, keepdims=True), 1e-9)
    axis = to_wrist / distance
    reach = np.clip(distance, abs(arm.upper_arm - arm.forearm), arm.upper_arm + arm.forearm)
    along = (arm.upper_arm**2 - arm.forearm**2 + reach**2) / (2.0 * reach)
    height = np.sqrt(np.maximum(arm.upper_arm**2 - along**2, 0.0))
    sign = 1.0 if side == "right" else -1.0
    pole = np.array([sign * arm.elbow_out, 0.0, -1.0])
    bend = pole - np.sum(pole * axis, axis=-1, keepdims=True) * axis
    bend /= np.maximum(np.linalg.norm(bend, axis=-1, keepdims=True), 1e-9)
    return shoulder + along * axis + height * bend


def forearm_directions(wrist: np.ndarray, side: str, arm: ArmModel | None = None) -> np.ndarray:
    """(..., 3) unit vectors from the elbow to the wrist."""
    wrist = np.asarray(wrist, dtype=np.float64)
    forearm = wrist - elbow_positions(wrist, side, arm)
    return forearm / np.maximum(np.linalg.norm(forearm, axis=-1, keepdims=True), 1e-9)
