"""The user's own piano: its keyboard frame from two reference points, its key objects.

The engines play in the piano world of s2c_core.music.keyboard (metres; X from the left
edge of A0 along the keys, Y into the keys, Z up, z = 0 the white keys' tops, y = 0 their
front edge). A user's keyboard is located by either

- two points: the front-left top corner of its lowest key and the front-right top corner
  of its highest key (with those keys' pitches, e.g. 36 and 96 for a 61-key C2..C7), or
- two key objects and their pitches: the middle of each one's top face.

`fit_frame` turns them into the 4x4 matrix from the piano world to the Blender world
(origin, direction, uniform scale; the keyboard's up is the world's, made square to the
keys). Key objects named by a pattern (`{name}` C#4, `{pitch}` 61, `{index}` 0 for the
lowest key) are pressed like the built-in piano's keys: straight down by the key travel,
in constant steps, timed by piano.press_schedule. Pure numpy apart from `find_key_objects`
and `build_user_key_action`.
"""

from __future__ import annotations

import re

import bpy
import numpy as np

from s2c_core.music.keyboard import HIGHEST_PITCH, LOWEST_PITCH, Keyboard, note_name

from . import keying
from .piano import press_schedule

# Common keyboard sizes by their lowest and highest keys (MIDI pitches).
KEY_RANGES = {61: (36, 96), 76: (28, 103), 88: (LOWEST_PITCH, HIGHEST_PITCH)}
_SCALE_RANGE = (0.5, 2.0)  # a keyboard this far from real size is a picking mistake
_WORLD_UP = np.array([0.0, 0.0, 1.0])


class PianoFitError(ValueError):
    """The piano reference does not describe a keyboard (one line saying why)."""


def _check_range(low: int, high: int) -> None:
    if not LOWEST_PITCH <= low < high <= HIGHEST_PITCH:
        raise PianoFitError(
            f"key range {note_name(low)}..{note_name(high)} ({low}..{high}) must rise within "
            f"A0..C8 ({LOWEST_PITCH}..{HIGHEST_PITCH})"
        )


def fit_frame(
    left: np.ndarray,
    right: np.ndarray,
    left_piano: np.ndarray,
    right_piano: np.ndarray,
    player: np.ndarray | None = None,
    up: np.ndarray = _WORLD_UP,
) -> np.ndarray:
    """4x4 piano-world -> world matrix mapping the piano points onto the world points.

    `player`, a world point where the pianist is (the character's shoulders), must be in
    front of the keys: points given the wrong way round put the player behind them."""
    left, right = np.asarray(left, float), np.asarray(right, float)
    span_world = right - left
    span_piano = float(right_piano[0] - left_piano[0])
    along = np.linalg.norm(span_world)
    if along < 1e-6:
        raise PianoFitError("the two piano reference points coincide")
    x = span_world / along
    z = up - np.dot(up, x) * x
    if np.linalg.norm(z) < 0.2:
        raise PianoFitError("the piano reference points lie one above the other, not along keys")
    z /= np.linalg.norm(z)
    rotation = np.column_stack([x, np.cross(z, x), z])
    scale = along / span_piano
    if not _SCALE_RANGE[0] <= scale <= _SCALE_RANGE[1]:
        raise PianoFitError(
            f"the reference points are {along:.3g} m apart where the keys span "
            f"{span_piano:.3g} m (scale {scale:.2f}): check the points and the key range"
        )
    matrix = np.eye(4)
    matrix[:3, :3] = scale * rotation
    matrix[:3, 3] = left - scale * rotation @ np.asarray(left_piano, float)
    if player is not None:
        local = np.linalg.solve(matrix, np.append(player, 1.0))[:3]
        if local[1] > 0:
            raise PianoFitError(
                "the pianist would sit behind the keys: the piano reference points look "
                "swapped (the first is the lowest key's left edge, on the player's left)"
            )
    return matrix


def frame_from_edges(
    lowest_left: np.ndarray,
    highest_right: np.ndarray,
    low: int,
    high: int,
    player: np.ndarray | None = None,
) -> np.ndarray:
    """The frame from the front-left top corner of key `low` and the front-right top
    corner of key `high` (world points)."""
    _check_range(low, high)
    keyboard = Keyboard()
    left_piano = np.array([keyboard.key(low).x_left, 0.0, 0.0])
    right_piano = np.array([keyboard.key(high).x_right, 0.0, 0.0])
    return fit_frame(lowest_left, highest_right, left_piano, right_piano, player)


def frame_from_keys(
    low_top: np.ndarray,
    high_top: np.ndarray,
    low: int,
    high: int,
    player: np.ndarray | None = None,
) -> np.ndarray:
    """The frame from the middles of two keys' top faces (world points) and their pitches."""
    _check_range(low, high)
    keyboard = Keyboard()

    def top_middle(pitch: int) -> np.ndarray:
        key = keyboard.key(pitch)
        return np.array([key.x_center, 0.5 * (key.y_front + key.y_back), key.z_top])

    return fit_frame(low_top, high_top, top_middle(low), top_middle(high), player)


def top_middle(obj: bpy.types.Object, up: np.ndarray = _WORLD_UP) -> np.ndarray:
    """The middle of an object's top face: its world bounding box's centre, raised to its
    highest point along `up`."""
    corners = np.array([obj.matrix_world @ _vector(c) for c in obj.bound_box])
    centre = corners.mean(axis=0)
    return centre + (np.max(corners @ up) - centre @ up) * up


def _vector(corner):
    from mathutils import Vector

    return Vector(corner)


def key_pattern(pattern: str) -> re.Pattern:
    """A name pattern with {name} (C#4 or Db4), {pitch} or {index} as a regex."""
    fields = {
        "name": r"(?P<name>[A-Ga-g](?:#|b|s)?-?\d)",
        "pitch": r"(?P<pitch>\d{2,3})",
        "index": r"(?P<index>\d{1,2})",
    }
    parts = re.split(r"(\{name\}|\{pitch\}|\{index\})", pattern)
    if not any(p in ("{name}", "{pitch}", "{index}") for p in parts):
        raise PianoFitError(f"key name pattern {pattern!r} has no {{name}}, {{pitch}} or {{index}}")
    return re.compile(
        "".join(fields[p[1:-1]] if p.startswith("{") else re.escape(p) for p in parts)
    )


_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def pitch_of(match: re.Match, low: int) -> int:
    groups = match.groupdict()
    if groups.get("pitch"):
        return int(groups["pitch"])
    if groups.get("index"):
        return low + int(groups["index"])
    name = groups["name"]
    letter, rest = name[0].upper(), name[1:]
    shift = 0
    if rest[:1] in ("#", "s"):
        shift, rest = 1, rest[1:]
    elif rest[:1] == "b":
        shift, rest = -1, rest[1:]
    return 12 * (int(rest) + 1) + _PITCH_CLASS[letter] + shift


def find_key_objects(objects, pattern: str, low: int, high: int) -> dict[int, bpy.types.Object]:
    """Key objects by MIDI pitch whose names match `pattern` in the range low..high."""
    regex = key_pattern(pattern)
    found: dict[int, bpy.types.Object] = {}
    for obj in objects:
        match = regex.fullmatch(obj.name)
        if match is None:
            continue
        pitch = pitch_of(match, low)
        if low <= pitch <= high:
            if pitch in found:
                raise PianoFitError(
                    f"key objects {found[pitch].name!r} and {obj.name!r} both match "
                    f"{note_name(pitch)} with pattern {pattern!r}"
                )
            found[pitch] = obj
    if not found:
        raise PianoFitError(f"no objects match the key name pattern {pattern!r}")
    return found


def build_user_key_action(
    keys: dict[int, bpy.types.Object],
    notes: np.ndarray,
    fps: float,
    frame_start: float,
    piano_matrix: np.ndarray,
    *,
    action_name: str,
) -> bpy.types.Action | None:
    """One Action, a slot per played key, moving it down the piano's -Z by the key travel
    (scaled with the piano) in its parent's space; None if none of the keys is played."""
    notes = np.asarray(notes, dtype=float).reshape(-1, 6)
    played = [int(p) for p in np.unique(notes[:, 0]) if int(p) in keys] if len(notes) else []
    if not played:
        return None
    down_world = -piano_matrix[:3, 2] * Keyboard().geometry.key_travel
    with keying.new_action(action_name) as action:
        for pitch in played:
            obj = keys[pitch]
            mine = notes[notes[:, 0] == pitch]
            frames, pressed = press_schedule(mine[:, 1], mine[:, 2], fps, frame_start)
            to_parent = np.linalg.inv(np.array(obj.matrix_parent_inverse)) @ (
                np.linalg.inv(np.array(obj.parent.matrix_world)) if obj.parent else np.eye(4)
            )
            down = to_parent[:3, :3] @ down_world
            rest = np.array(obj.location)
            slot = keying.new_slot(action, obj)
            for axis in range(3):
                values = rest[axis] + down[axis] * pressed
                keying.write_fcurve(
                    action,
                    slot,
                    "location",
                    axis,
                    frames,
                    values,
                    group="Object Transforms",
                    interpolation="CONSTANT",
                )
    return action


def assign_user_key_action(
    keys: dict[int, bpy.types.Object], action: bpy.types.Action | None
) -> None:
    for obj in keys.values():
        slot = action.slots.get("OB" + obj.name) if action is not None else None
        if slot is not None:
            keying.assign_action(obj, action, slot)


def player_position(armature: bpy.types.Object, shoulders: list[str]) -> np.ndarray:
    """World point between the character's shoulders (the heads of its upper arms)."""
    world = np.array(armature.matrix_world)
    heads = [world @ np.append(armature.pose.bones[name].head, 1.0) for name in shoulders]
    return np.mean(heads, axis=0)[:3]


def frame_from_spec(
    scene: bpy.types.Scene, spec: str, player: np.ndarray | None
) -> tuple[np.ndarray, tuple[int, int] | None]:
    """(piano frame, key range or None) from a --piano argument:

    - `OBJECT`: an object whose world matrix is the piano frame (the built-in piano's
      root "S2C_Piano", or an empty on the lowest key's front-left top corner, X along
      the keys, Z up, scaled with the keyboard);
    - `A:LOW/B:HIGH`: two references with their pitches, each a key object's name (the
      middle of its top face) or a world point `x,y,z` (the lowest key's front-left top
      corner, the highest key's front-right top corner).
    """
    if "/" not in spec:
        obj = scene.objects.get(spec)
        if obj is None:
            raise PianoFitError(f"--piano {spec!r}: no such object in the scene")
        return np.array(obj.matrix_world), None
    references = []
    for item in spec.split("/"):
        what, _, pitch = item.rpartition(":")
        if not what or not pitch.strip().isdigit():
            raise PianoFitError(f"--piano {spec!r}: expected REFERENCE:PITCH/REFERENCE:PITCH")
        references.append((what.strip(), int(pitch)))
    if len(references) != 2:
        raise PianoFitError(f"--piano {spec!r}: give exactly two references")
    (first, low), (second, high) = references
    points = [_point(first), _point(second)]
    if all(isinstance(p, np.ndarray) for p in points):
        return frame_from_edges(points[0], points[1], low, high, player), (low, high)
    objects = [scene.objects.get(name) if p is None else None for name, p in
               zip((first, second), points, strict=True)]  # fmt: skip
    if any(p is not None for p in points) or any(o is None for o in objects):
        missing = next(n for n, o in zip((first, second), objects, strict=True) if o is None)
        raise PianoFitError(
            f"--piano {spec!r}: no object {missing!r} (give two objects or two points)"
        )
    tops = [top_middle(obj) for obj in objects]
    return frame_from_keys(tops[0], tops[1], low, high, player), (low, high)


def _point(text: str) -> np.ndarray | None:
    parts = text.split(",")
    if len(parts) != 3:
        return None
    try:
        return np.array([float(p) for p in parts])
    except ValueError:
        return None
