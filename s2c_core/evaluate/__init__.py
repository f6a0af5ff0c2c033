"""Evaluation faithful to the reference S2C/PianoMotion10M protocol (S2C_REFERENCE §5)."""
