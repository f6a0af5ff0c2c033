"""The piano: 88 key objects built from s2c_core's keyboard geometry, and key-press animation.

Every key is its own object named after its note ("Key_C4", "Key_C#4"), parented to one
empty, "S2C_Piano", at the world origin, so the mesh matches the piano world frame the
motion engines use (Z up, metres, X from A0 to C8, player at -Y, y = 0 the white keys'
front edge, z = 0 the white keys' top). A pressed key moves straight down by `key_travel`,
the depth the engines press fingertips to.
"""

from __future__ import annotations

import bpy
import numpy as np

from s2c_core.music.keyboard import Key, Keyboard, note_name

from . import keying
from .blend_data import boxes_mesh, ensure_collection, ensure_material, new_object

PIANO_ROOT_NAME = "S2C_Piano"
COLLECTION_NAME = "S2C Piano"
PITCH_PROPERTY = "s2c_pitch"
TRAVEL_PROPERTY = "s2c_key_travel"
REST_Z_PROPERTY = "s2c_rest_z"

_WHITE_KEY_THICKNESS = 0.022  # key body below the white top surface
_BLACK_KEY_SINK = 0.006  # how far a black key's body reaches below the white top
_CASE_MARGIN = 0.03  # cheek blocks either side of the keys
_CASE_DEPTH = 0.12  # key bed + back rail behind the keys
_CASE_BOTTOM = -0.09
_BACK_RAIL_HEIGHT = 0.035


def key_object_name(pitch: int) -> str:
    return f"Key_{note_name(pitch)}"


def build_piano(scene: bpy.types.Scene, keyboard: Keyboard) -> bpy.types.Object:
    """Build the piano into the "S2C Piano" collection and return its root empty."""
    collection = ensure_collection(scene, COLLECTION_NAME)
    root = new_object(collection, PIANO_ROOT_NAME, None)
    root.empty_display_type = "PLAIN_AXES"
    root[TRAVEL_PROPERTY] = keyboard.geometry.key_travel
    meshes = {False: _key_mesh(keyboard, black=False), True: _key_mesh(keyboard, black=True)}
    for key in keyboard.keys:
        _add_key(collection, root, key, meshes[key.black])
    for template in meshes.values():
        bpy.data.meshes.remove(template)
    case = new_object(collection, "S2C_PianoCase", _case_mesh(keyboard), parent=root)
    case.data.materials.append(ensure_material("S2C_PianoCase", (0.05, 0.04, 0.035, 1.0), 0.3))
    return root


def _add_key(
    collection: bpy.types.Collection, root: bpy.types.Object, key: Key, mesh: bpy.types.Mesh
) -> bpy.types.Object:
    # Own mesh per key: FBX's exporter warns about every object that shares a mesh.
    name = key_object_name(key.pitch)
    obj = new_object(collection, name, mesh.copy(), parent=root)
    obj.data.name = name
    # The origin sits at the centre of the key's top face, so "down by travel" is location.z.
    obj.location = (key.x_center, 0.5 * (key.y_front + key.y_back), key.z_top)
    obj[PITCH_PROPERTY] = key.pitch
    obj[REST_Z_PROPERTY] = key.z_top
    return obj


def _key_mesh(keyboard: Keyboard, *, black: bool) -> bpy.types.Mesh:
    g = keyboard.geometry
    if black:
        half_x, half_y, bottom = 0.5 * g.black_width, 0.5 * g.black_length, -g.black_height
        bottom -= _BLACK_KEY_SINK
        name, rgba, roughness = "S2C_BlackKey", (0.02, 0.02, 0.02, 1.0), 0.35
    else:
        half_x, half_y = 0.5 * (g.white_width - g.white_gap), 0.5 * g.white_length
        bottom = -_WHITE_KEY_THICKNESS
        name, rgba, roughness = "S2C_WhiteKey", (0.92, 0.91, 0.88, 1.0), 0.25
    mesh = boxes_mesh(name, [((-half_x, -half_y, bottom), (half_x, half_y, 0.0))])
    mesh.materials.append(ensure_material(name, rgba, roughness))
    return mesh


def _case_mesh(keyboard: Keyboard) -> bpy.types.Mesh:
    """Key bed under the keys, a rail behind them and a cheek block at each end."""
    g, width = keyboard.geometry, keyboard.width
    below = -_WHITE_KEY_THICKNESS
    back = g.white_length + _CASE_DEPTH
    left, right = -_CASE_MARGIN, width + _CASE_MARGIN
    return boxes_mesh(
        "S2C_PianoCase",
        [
            ((left, 0.0, _CASE_BOTTOM), (right, back, below)),
            ((left, g.white_length, below), (right, back, _BACK_RAIL_HEIGHT)),
            ((left, 0.0, below), (0.0, g.white_length, _BACK_RAIL_HEIGHT)),
            ((width, 0.0, below), (right, g.white_length, _BACK_RAIL_HEIGHT)),
        ],
    )


def key_objects(piano: bpy.types.Object) -> dict[int, bpy.types.Object]:
    """The piano's key objects by MIDI pitch."""
    return {
        int(child[PITCH_PROPERTY]): child for child in piano.children if PITCH_PROPERTY in child
    }


def press_schedule(
    onsets: np.ndarray, offsets: np.ndarray, fps: float, frame_start: float
) -> tuple[np.ndarray, np.ndarray]:
    """Key-down/up frames of one key: (frames, pressed), the timing `press_motion` shapes.

    Notes on the same key that start on the same frame merge; a key released at or after
    the next onset is let up one frame earlier (or halfway, for very fast repeats) so a
    repeated note always shows a fresh press. The first entry is the key at rest.
    """
    on = frame_start + np.asarray(onsets, dtype=float) * fps
    off = frame_start + np.asarray(offsets, dtype=float) * fps
    order = np.argsort(on, kind="stable")
    on, off = on[order], off[order]
    on, first = np.unique(on, return_index=True)
    off = np.maximum.reduceat(off, first)
    next_on = np.append(on[1:], np.inf)
    off = np.minimum(off, next_on - 1.0)
    off = np.where(off > on, off, np.minimum(on + 1.0, 0.5 * (on + next_on)))
    frames = np.concatenate([[min(frame_start, on[0] - 1.0)], np.column_stack([on, off]).ravel()])
    pressed = np.concatenate([[False], np.tile([True, False], len(on))])
    return frames, pressed


# How long a key takes from rest to the key bed, by MIDI velocity: Goebl, Bresin & Galembo,
# "Touch and temporal behavior of grand piano actions" (JASA 118(2), 2005) measured travel
# times from about 25 ms (fortissimo) to over 150 ms (pianissimo) on grand pianos. Travel time
# falls roughly as 1/hammer speed and MIDI velocity grows roughly with log(hammer speed), so
# the time is interpolated log-linearly in velocity. The depth is always the full travel: a
# note only sounds once the key has gone deep enough for the hammer to escape.
DESCENT_LOUDEST_S = 0.025  # velocity 127
DESCENT_SOFTEST_S = 0.160  # velocity 1
RELEASE_S = 0.03  # the key rises back under the action's weight


def descent_seconds(velocity: np.ndarray) -> np.ndarray:
    """Key travel time from rest to the key bed for MIDI velocities 1..127."""
    share = (np.clip(np.asarray(velocity, dtype=float), 1, 127) - 1) / 126
    return DESCENT_SOFTEST_S * (DESCENT_LOUDEST_S / DESCENT_SOFTEST_S) ** share


def press_motion(
    onsets: np.ndarray, offsets: np.ndarray, velocities: np.ndarray, fps: float, frame_start: float
) -> tuple[np.ndarray, np.ndarray]:
    """Keys of one key's linear depth curve: (frames, depth 0 rest .. 1 key bed).

    The press schedule's timing is kept (down at each onset, back at rest at each key-up
    frame); a press starts `descent_seconds(velocity)` before its onset, so loud notes snap
    down and soft ones sink, and the key rises over RELEASE_S before its key-up frame.
    """
    frames, pressed = press_schedule(onsets, offsets, fps, frame_start)
    on, up = frames[1::2], frames[2::2]
    on_frames = frame_start + np.asarray(onsets, dtype=float) * fps
    loudest = np.array([np.max(velocities[on_frames == frame], initial=1) for frame in on])
    descent, release = descent_seconds(loudest) * fps, RELEASE_S * fps
    keys = [(frames[0], 0.0)]
    for start, hold_end, travel in zip(on, up, descent, strict=True):
        if start - travel > keys[-1][0]:
            keys.append((start - travel, 0.0))
        keys.append((start, 1.0))
        if hold_end - release > start:
            keys.append((hold_end - release, 1.0))
        keys.append((hold_end, 0.0))
    table = np.array(keys)
    return table[:, 0], table[:, 1]


def build_key_action(
    piano: bpy.types.Object,
    notes: np.ndarray,
    fps: float,
    frame_start: float,
    *,
    action_name: str,
) -> bpy.types.Action | None:
    """One Action with a slot per played key (z location, linear); None if no notes.

    Nothing is assigned here, so a caller can build every Action of a take first and
    assign them only when all succeeded.
    """
    notes = np.asarray(notes, dtype=float).reshape(-1, 6)
    if not len(notes):
        return None
    keys = key_objects(piano)
    travel = float(piano[TRAVEL_PROPERTY])
    with keying.new_action(action_name) as action:
        for pitch in np.unique(notes[:, 0]).astype(int):
            obj = keys.get(int(pitch))
            if obj is None:
                continue  # outside the 88 keys: the engines already warned about it
            played = notes[notes[:, 0] == pitch]
            frames, depth = press_motion(played[:, 1], played[:, 2], played[:, 3], fps, frame_start)
            values = float(obj[REST_Z_PROPERTY]) - travel * depth
            slot = keying.new_slot(action, obj)
            keying.write_fcurve(
                action,
                slot,
                "location",
                2,
                frames,
                values,
                group="Object Transforms",
            )
    return action


def assign_key_action(piano: bpy.types.Object, action: bpy.types.Action | None) -> None:
    """Give each key its slot of `action`; keys without one are cleared and put at rest."""
    for obj in key_objects(piano).values():
        slot = action.slots.get("OB" + obj.name) if action is not None else None
        if slot is None:
            if obj.animation_data is not None:
                obj.animation_data.action = None
            obj.location.z = float(obj[REST_Z_PROPERTY])
        else:
            keying.assign_action(obj, action, slot)


def animate_keys(
    piano: bpy.types.Object,
    notes: np.ndarray,
    fps: float,
    frame_start: float,
    *,
    action_name: str = "Keys",
) -> bpy.types.Action | None:
    """Key presses for a notes table (HandMotion.notes layout) as one new Action."""
    action = build_key_action(piano, notes, fps, frame_start, action_name=action_name)
    assign_key_action(piano, action)
    return action
