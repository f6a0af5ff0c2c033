"""88-key piano keyboard geometry in the piano world frame (metres).

Piano world frame (see docs/motion_format.md): Z up; X runs along the keyboard from the
left edge of A0 (x = 0) towards C8; the player sits in front of the keys at negative Y and
faces +Y; y = 0 is the front edge of the white keys; z = 0 is the top surface of a white
key at rest. The motion engines and the Blender piano mesh both build from this module, so
a fingertip placed by an engine lands on the same key the mesh shows.

Black keys follow a real piano's layout rather than sitting midway between white keys: at
the back of the keyboard the C-E group (3 white keys) is split into 5 equal slots and the
F-B group (4 white keys) into 7, and each black key is centred in its slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

LOWEST_PITCH = 21  # A0
HIGHEST_PITCH = 108  # C8
NUM_KEYS = HIGHEST_PITCH - LOWEST_PITCH + 1

_BLACK_PITCH_CLASSES = frozenset({1, 3, 6, 8, 10})
_WHITE_INDEX_IN_OCTAVE = {0: 0, 2: 1, 4: 2, 5: 3, 7: 4, 9: 5, 11: 6}
# Black key centre in units of its group's slot width, counted from C (C-E group) or F (F-B).
_BLACK_SLOT_CENTRE = {
    1: ("CE", 1.5),
    3: ("CE", 3.5),
    6: ("FB", 1.5),
    8: ("FB", 3.5),
    10: ("FB", 5.5),
}
_NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def is_black(pitch: int) -> bool:
    """True for the sharps/flats (MIDI pitch classes 1, 3, 6, 8, 10)."""
    return pitch % 12 in _BLACK_PITCH_CLASSES


def note_name(pitch: int) -> str:
    """Scientific pitch name, e.g. 60 -> 'C4', 21 -> 'A0'."""
    return f"{_NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


@dataclass(frozen=True)
class KeyboardGeometry:
    """Real-piano key dimensions in metres (typical modern grand/upright values)."""

    white_width: float = 0.0235  # 7 whites per octave -> 164.5 mm octave
    white_length: float = 0.150  # visible depth of a white key
    white_gap: float = 0.001  # gap between neighbouring white keys (mesh only)
    black_width: float = 0.0125
    black_length: float = 0.095
    black_height: float = 0.0127  # black key top above the white key top
    key_travel: float = 0.010  # how far a key goes down when pressed
    white_contact_depth: float = 0.040  # where a finger plays a white key, from its front edge
    black_contact_depth: float = 0.025  # where a finger plays a black key, from its front edge

    @property
    def octave_width(self) -> float:
        return 7 * self.white_width


@dataclass(frozen=True)
class Key:
    """One key: its extent in X/Y, the height of its top surface, and where it is played."""

    pitch: int
    black: bool
    x_left: float
    x_right: float
    y_front: float
    y_back: float
    z_top: float

    @property
    def x_center(self) -> float:
        return 0.5 * (self.x_left + self.x_right)

    @property
    def width(self) -> float:
        return self.x_right - self.x_left

    @property
    def name(self) -> str:
        return note_name(self.pitch)


class Keyboard:
    """The 88 keys A0..C8 laid out with `KeyboardGeometry`; all lookups by MIDI pitch."""

    def __init__(self, geometry: KeyboardGeometry | None = None) -> None:
        self.geometry = geometry or KeyboardGeometry()

    @cached_property
    def keys(self) -> tuple[Key, ...]:
        return tuple(self._build_key(p) for p in range(LOWEST_PITCH, HIGHEST_PITCH + 1))

    @property
    def width(self) -> float:
        """Total width from the left edge of A0 to the right edge of C8."""
        return self.keys[-1].x_right

    def key(self, pitch: int) -> Key:
        if not LOWEST_PITCH <= pitch <= HIGHEST_PITCH:
            raise ValueError(f"pitch {pitch} is outside the 88-key range A0..C8 (21..108)")
        return self.keys[pitch - LOWEST_PITCH]

    @cached_property
    def _x_centers(self) -> np.ndarray:
        return np.array([k.x_center for k in self.keys])

    @cached_property
    def black_x_centers(self) -> np.ndarray:
        """Key-centre X of the 36 black keys, left to right."""
        return np.array([k.x_center for k in self.keys if k.black])

    def x_center(self, pitches: np.ndarray | int) -> np.ndarray:
        """Vectorised key-centre X for MIDI pitches (must be in range)."""
        return self._x_centers[np.asarray(pitches) - LOWEST_PITCH]

    def contact_point(self, pitch: int) -> np.ndarray:
        """Where a fingertip touches the key at rest: (x, y, z) on the key's top surface."""
        key = self.key(pitch)
        depth = (
            self.geometry.black_contact_depth if key.black else self.geometry.white_contact_depth
        )
        return np.array([key.x_center, key.y_front + depth, key.z_top])

    def pitch_at(self, x: float, y: float) -> int | None:
        """The key whose top face covers (x, y), black keys first (they sit on top)."""
        for key in sorted(self.keys, key=lambda k: not k.black):
            if key.x_left <= x <= key.x_right and key.y_front <= y <= key.y_back:
                return key.pitch
        return None

    def _build_key(self, pitch: int) -> Key:
        g = self.geometry
        if not is_black(pitch):
            x_left = self._white_left_edge(pitch)
            return Key(pitch, False, x_left, x_left + g.white_width, 0.0, g.white_length, 0.0)
        x_mid = self._black_center(pitch)
        return Key(
            pitch,
            True,
            x_mid - 0.5 * g.black_width,
            x_mid + 0.5 * g.black_width,
            g.white_length - g.black_length,
            g.white_length,
            g.black_height,
        )

    def _white_left_edge(self, pitch: int) -> float:
        """Left edge of a white key; A0 (the lowest) starts at x = 0."""
        return (_white_ordinal(pitch) - _white_ordinal(LOWEST_PITCH)) * self.geometry.white_width

    def _black_center(self, pitch: int) -> float:
        g = self.geometry
        group, slot = _BLACK_SLOT_CENTRE[pitch % 12]
        c_pitch = pitch - pitch % 12
        if group == "CE":
            group_left, slot_width = self._white_left_edge(c_pitch), 3 * g.white_width / 5
        else:
            group_left, slot_width = self._white_left_edge(c_pitch + 5), 4 * g.white_width / 7
        return group_left + slot * slot_width


def _white_ordinal(pitch: int) -> int:
    """Count of white keys below this white key's pitch, from MIDI 0."""
    return 7 * (pitch // 12) + _WHITE_INDEX_IN_OCTAVE[pitch % 12]
