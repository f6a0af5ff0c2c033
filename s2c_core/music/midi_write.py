"""Write MidiNotes to a Standard MIDI File: one piano track, velocities and the sustain pedal.

The inverse of `read_midi` for one track: notes keep their key-release offsets and the
pedal intervals become CC64 127 (down) / 0 (up), so reading the file back gives the same
notes and pedal, and a MIDI editor shows what was transcribed. The file appears atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..outputs import atomic_file
from .midi import MidiNotes

_SUSTAIN_CC = 64


def piano_midi(notes: MidiNotes, *, pedal_in_notes: bool = False):
    """A pretty_midi.PrettyMIDI with one acoustic grand track holding `notes` and the pedal.

    `pedal_in_notes`: each note lasts until it stops sounding (`MidiNotes.sounding_offset`)
    and there is no CC64, for a synthesiser that must sound exactly like the notes say.
    """
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0, name="piano")  # GM 1: acoustic grand
    offsets = notes.sounding_offset if pedal_in_notes else notes.offset
    piano.notes = [
        pretty_midi.Note(velocity=int(v), pitch=int(p), start=float(on), end=float(off))
        for p, on, off, v in zip(notes.pitch, notes.onset, offsets, notes.velocity, strict=True)
    ]
    pedal = () if pedal_in_notes else notes.pedal
    piano.control_changes = [
        pretty_midi.ControlChange(number=_SUSTAIN_CC, value=value, time=float(time))
        for down, up in pedal
        for value, time in ((127, down), (0, up))
    ]
    midi.instruments.append(piano)
    return midi


def write_midi(notes: MidiNotes, path: str | os.PathLike) -> Path:
    """Write `notes` to `path` (a temp file in the same folder, then renamed into place)."""
    path = Path(path)
    midi = piano_midi(notes)
    with atomic_file(path) as staging:
        midi.write(str(staging))
    return path
