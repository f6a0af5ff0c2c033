"""The MIDI engine: MIDI file -> HandMotion with no learned weights."""

from .config import MidiEngineConfig
from .engine import generate_from_midi, generate_from_notes

__all__ = ["MidiEngineConfig", "generate_from_midi", "generate_from_notes"]
