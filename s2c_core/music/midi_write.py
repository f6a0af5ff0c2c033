"""Write MidiNotes to a Standard MIDI File: one piano track, velocities and the sustain pedal.

The inverse of `read_midi` for one track: notes keep their key-release offsets and the
pedal intervals become CC64 127 (down) / 0 (up), so reading the file back gives the same
notes and pedal, and a MIDI editor shows what was transcribed. The file appears atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .midi import MidiNotes

_SUSTAIN_CC = 64


def piano_midi(notes: MidiNotes):
    """A pretty_midi.PrettyMIDI with one acoustic grand track holding `notes` and the pedal."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0, name="piano")  # GM 1: acoustic grand
    piano.notes = [
        pretty_midi.Note(velocity=int(v), pitch=int(p), start=float(on), end=float(off))
        for p, on, off, v in zip(
            notes.pitch, notes.onset, notes.offset, notes.velocity, strict=True
        )
    ]
    for down, up in notes.pedal:
        piano.control_changes += [
            pretty_midi.ControlChange(number=_SUSTAIN_CC, value=127, time=float(down)),
            pretty_midi.ControlChange(number=_SUSTAIN_CC, value=0, time=float(up)),
        ]
    midi.instruments.append(piano)
    return midi


def write_midi(notes: MidiNotes, path: str | os.PathLike) -> Path:
    """Write `notes` to `path` (a temp file in the same folder, then renamed into place)."""
    path = Path(path)
    midi = piano_midi(notes)
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    try:
        midi.write(staging)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return path
