"""Score the MIDI engine's hands and fingers against fingerings human pianists wrote.

Reads fingering files in the text format of the PIG dataset (Nakamura, Saito & Yoshii 2020,
"Statistical learning and estimation of piano fingering", Information Sciences 517): after
comment lines starting with "//", one note per line, whitespace-separated:

    id  onset(s)  offset(s)  spelled pitch  onset velocity  offset velocity  channel  finger

channel 0 is the right hand and 1 the left; the finger is 1 (thumb) .. 5, negative for the
left hand, and "a_b" where finger b takes the key over from a (the first one counts here).

Two rates, as the literature reports them: `match`, notes given the annotator's hand and
finger by the engine splitting and fingering on its own (the hand counted too), and
`finger_match`, notes given the annotator's finger when the engine is told the hands (the
finger choice alone; Nakamura et al. report statistical models at roughly 60-65 % here and
annotators agreeing with each other on about 70 %).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engines.midi.config import MidiEngineConfig
from ..engines.midi.engine import plan_notes
from ..music.keyboard import Keyboard
from ..music.midi import MidiNotes, MidiReadError
from .counts import pooled

_PITCH = re.compile(r"^([A-Ga-g])(#{0,2}|b{0,2})(-?\d+)$")
_STEPS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_TRACKS = ("Piano right", "Piano left")  # PIG channel 0, 1: the names named_hands reads
_COLUMNS = 8


@dataclass(frozen=True)
class HumanFingering:
    """A fingering file's notes (tracks named for the annotator's hands, sorted as
    read_midi sorts) and the annotator's finger per note (1..5)."""

    notes: MidiNotes
    finger: np.ndarray


def spelled_pitch(name: str) -> int:
    """MIDI pitch of a spelled name: C4 60, C#4 and Db4 61, B#3 60 (octaves as in
    scientific pitch notation)."""
    match = _PITCH.match(name)
    if not match:
        raise ValueError(f"not a spelled pitch: {name!r}")
    letter, accidentals, octave = match.groups()
    alter = len(accidentals) * (1 if accidentals.startswith("#") else -1)
    return 12 * (int(octave) + 1) + _STEPS[letter.lower()] + alter


def read_pig(path: str | Path) -> HumanFingering:
    """The notes and fingers of a PIG-format file; MidiReadError (naming the file and the
    line) if it cannot be read."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MidiReadError(f"{path}: cannot read the fingering file ({exc})") from exc
    rows = []
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("//"):
            try:
                rows.append(_row(line))
            except ValueError as exc:
                raise MidiReadError(f"{path}, line {number}: {exc}") from exc
    if not rows:
        raise MidiReadError(f"{path}: no notes in the fingering file")
    pitch, onset, offset, velocity, hand, finger = (np.array(c) for c in zip(*rows, strict=True))
    if np.any((pitch < 21) | (pitch > 108)):
        raise MidiReadError(f"{path}: a pitch lies outside the piano's 88 keys")
    order = np.lexsort((pitch, onset))
    notes = MidiNotes(
        path=path,
        pitch=pitch[order],
        onset=onset[order],
        offset=offset[order],
        velocity=velocity[order],
        track=np.where(hand[order] == 1, 0, 1),
        track_names=_TRACKS,
    )
    return HumanFingering(notes, finger[order])


def _row(line: str) -> tuple[int, float, float, int, int, int]:
    fields = line.split()
    if len(fields) < _COLUMNS:
        raise ValueError(f"{len(fields)} fields, {_COLUMNS} expected")
    onset, offset = float(fields[1]), float(fields[2])
    if not offset > onset >= 0.0:
        raise ValueError(f"offset {offset} is not after onset {onset}")
    channel = int(fields[6])
    if channel not in (0, 1):
        raise ValueError(f"channel {channel}: 0 (right hand) or 1 (left) expected")
    finger = int(fields[7].split("_")[0])
    if abs(finger) not in range(1, 6) or (finger < 0) != (channel == 1):
        raise ValueError(f"finger {fields[7]!r} does not fit channel {channel}")
    velocity = int(np.clip(int(fields[4]), 1, 127))
    return spelled_pitch(fields[3]), onset, offset, velocity, 1 - channel, abs(finger)


@dataclass(frozen=True)
class Agreement:
    """Counts over a file's notes (add them to pool files)."""

    notes: int
    hand: int  # the engine's hand is the annotator's
    match: int  # and so is its finger (the engine splitting on its own)
    finger_match: int  # the engine's finger is the annotator's, the hands given

    def __add__(self, other: Agreement) -> Agreement:
        return pooled(self, other)

    def counts(self) -> tuple[int, int, int, int]:
        return self.notes, self.hand, self.match, self.finger_match


def agreement(human: HumanFingering, config: MidiEngineConfig | None = None) -> Agreement:
    """How far the engine's hands and fingers agree with `human`'s."""
    config = config or MidiEngineConfig()
    keyboard = Keyboard()
    truth = human.notes.named_hands()
    alone = plan_notes(human.notes, keyboard, config)
    told = plan_notes(human.notes, keyboard, config, hand=truth)
    same_hand = alone.hand == truth
    return Agreement(
        len(truth),
        int(same_hand.sum()),
        int((same_hand & (alone.finger == human.finger)).sum()),
        int((told.finger == human.finger).sum()),
    )
