"""S2C Hands backend: audio/MIDI -> HandMotion (no bpy here)."""

__version__ = "0.1.0"
