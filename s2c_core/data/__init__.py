"""Datasets: the PianoMotion10M reader (official layout)."""
