"""Compile the MIDI engine's kernels before a user's first take.

The hand split's search and the finger IK are compiled by numba on first use and cached
on disk beside their modules. Compiling takes about 20 s, once per installation: paid by
the first take, it would look like a hang behind Blender's Generate Hands. The installer
(scripts/install_into_blender.py) runs `compile_ahead` in the backend environment instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...motion import HandMotion
from ...music.midi import MidiNotes
from .engine import generate_from_notes

# Both hands at once, as real pieces play: a left-hand broken chord and chord, and a
# right-hand scale over it ending on a chord (every kernel the engine has runs for them).
_LEFT = [(48, 0.0), (52, 0.25), (55, 0.5), (48, 1.0), (52, 1.0), (55, 1.0)]
_RIGHT = [(60 + step, 0.25 * i) for i, step in enumerate((0, 2, 4, 5, 7, 9, 11, 12))]
_RIGHT += [(64, 2.0), (67, 2.0), (72, 2.0)]


def compile_ahead() -> HandMotion:
    """Animate a few bars of both hands (the take is of no further use), compiling and
    caching what the engine compiles on first use."""
    notes = sorted((onset, pitch, hand) for hand, part in enumerate((_LEFT, _RIGHT))
                   for pitch, onset in part)  # fmt: skip
    onset, pitch, track = (np.array(column) for column in zip(*notes, strict=True))
    return generate_from_notes(
        MidiNotes(
            path=Path("compile_ahead"),
            pitch=pitch.astype(np.int64),
            onset=onset,
            offset=onset + 0.2,
            velocity=np.full(len(pitch), 80),
            track=track.astype(np.int64),
            track_names=("left", "right"),
        )
    )
