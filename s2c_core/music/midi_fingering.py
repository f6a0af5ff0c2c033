"""Fingers a MIDI file prescribes: per-note text, marker or lyric events "1".."5".

Notation programs and annotated corpora export fingering as a meta event at the note's onset
in the note's own track: one digit for a single note, or one digit per note for a chord
("135", "1 3 5", "1-3-5", matched to the chord's notes from low to high). Events that fit no
note, or give a chord a count of digits other than its size, are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

_TEXT_TYPES = ("text", "marker", "lyrics", "cue_marker")
_DIGITS = re.compile(r"^\s*[1-5](?:\s*[-,/ ]?\s*[1-5])*\s*$")
_SAME_TIME = 1e-4  # s


def prescribed_fingers(path: Path, midi, pitch: np.ndarray, onset: np.ndarray) -> np.ndarray:
    """(N,) finger 1..5 per note (given by pitch, onset in s) from the file's events, 0 none.

    `midi` is the file as pretty_midi read it (for its tempo map).
    """
    import mido

    finger = np.zeros(len(pitch), dtype=np.int64)
    try:
        tracks = mido.MidiFile(str(path)).tracks
    except Exception:  # pretty_midi read it already; fingering is optional
        return finger
    for track in tracks:
        struck, marks, tick = {}, [], 0
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                struck.setdefault(tick, []).append(message.note)
            elif message.type in _TEXT_TYPES and _DIGITS.match(message.text or ""):
                marks.append((tick, [int(c) for c in message.text if c.isdigit()]))
        for mark_tick, digits in marks:
            chord = sorted(set(struck.get(mark_tick, [])))
            if len(chord) != len(digits):
                continue
            time = midi.tick_to_time(mark_tick)
            for note, digit in zip(chord, digits, strict=True):
                rows = np.flatnonzero((pitch == note) & (np.abs(onset - time) < _SAME_TIME))
                finger[rows] = digit
    return finger
