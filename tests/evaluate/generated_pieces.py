"""Helpers for the tests of the generated corpora (stress corpus, fresh textures)."""

from __future__ import annotations

import io

from s2c_core.evaluate.stress_corpus import StressPiece


def midi_bytes(piece: StressPiece) -> bytes:
    """The piece's MIDI file as it would be written, to compare pieces byte for byte."""
    buffer = io.BytesIO()
    piece.midi.write(buffer)
    return buffer.getvalue()
