"""Score the MIDI engine's hand split and finger choice against a file's own answers.

Split: each note's hand against the hand its track is named for (`MidiNotes.named_hands`).
Fingering: with the hands taken from the tracks (so only the finger choice is scored), the
share of notes whose finger is one the textbooks accept (`StressPiece.fingering`).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np

from ..engines.midi.config import MidiEngineConfig
from ..engines.midi.engine import plan_notes
from ..engines.midi.groups import onset_groups
from ..engines.midi.split import split_hands
from ..music.keyboard import Keyboard
from ..music.midi import MidiNotes, read_midi
from .stress_corpus import StressPiece
from .textbook_fingering import Fingers

# The shared pieces (../shared/data/midi) that informed the MIDI engine's parameters; the
# benchmarks mark them * and only measure the others.
TUNING_PIECES = ("bach_846", "rac_op3_2", "chpn-p7", "mz_331_3")


def piece_notes(piece: StressPiece) -> MidiNotes:
    """The piece's notes as `read_midi` gives them (written to a temporary file and read)."""
    with tempfile.TemporaryDirectory() as folder:
        return _read_quietly(piece.write(Path(folder)))


def shared_pieces(midi_dir: Path) -> list[tuple[str, MidiNotes]]:
    """(label, notes) of every MIDI file in `midi_dir` by name; labels mark the tuning set *."""
    return [
        (f"{'*' if path.stem in TUNING_PIECES else ' '}{path.stem}", _read_quietly(path))
        for path in sorted(Path(midi_dir).glob("*.mid"))
    ]


def _read_quietly(path: Path) -> MidiNotes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes outside the piano: counted in the MidiNotes
        return read_midi(path)


def split_score(
    notes: MidiNotes, config: MidiEngineConfig | None = None, truth: np.ndarray | None = None
) -> tuple[int, int]:
    """(agreeing, compared) notes whose split hand is `truth`'s (by default their track's),
    over the notes whose hand it knows (0 left, 1 right)."""
    config = config or MidiEngineConfig()
    group = onset_groups(notes.onset, notes.pitch, config.chord_window)
    hand = split_hands(
        notes.pitch, notes.onset, notes.offset, group, Keyboard(), config, pedal=notes.pedal
    )
    truth = notes.named_hands() if truth is None else truth
    known = truth >= 0
    return int((hand[known] == truth[known]).sum()), int(known.sum())


def fingering_score(
    notes: MidiNotes,
    accepted: tuple[Fingers, ...],
    config: MidiEngineConfig | None = None,
) -> tuple[int, int]:
    """(agreeing, claimed) notes fingered as the textbook accepts, hands from the tracks."""
    finger = engine_fingers(notes, config)
    claimed = np.array([bool(f) for f in accepted])
    agree = np.array([int(f) in ok for f, ok in zip(finger, accepted, strict=True)])
    return int((agree & claimed).sum()), int(claimed.sum())


def engine_fingers(notes: MidiNotes, config: MidiEngineConfig | None = None) -> np.ndarray:
    """(N,) the engine's finger per note (read_midi order) with the tracks' hands."""
    config = config or MidiEngineConfig()
    hand = notes.named_hands()
    if np.any(hand < 0):
        raise ValueError(f"{notes.path}: a note's track names no hand")
    return plan_notes(notes, Keyboard(), config, hand=hand).finger
