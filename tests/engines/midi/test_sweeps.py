"""Sweep detection: which runs of single notes are broken chords swept over 2.5+ octaves."""

import numpy as np

from s2c_core.engines.midi.groups import group_bounds, onset_groups
from s2c_core.engines.midi.split import _LINE_STEP, _LINE_TIME
from s2c_core.engines.midi.sweeps import sweep_starts
from s2c_core.evaluate.textbook_fingering import major_degree_pitch
from s2c_core.music.keyboard import Keyboard
from tests.engines.midi.midi_files import c_major_triad


def starts(notes: list[tuple[int, float]]) -> np.ndarray:
    """Per note (pitch, onset), sorted by onset, its sweep's start (inf for none)."""
    pitch = np.array([p for p, _ in notes])
    onset = np.array([t for _, t in notes])
    group = onset_groups(onset, pitch, 0.03)
    order = np.lexsort((pitch, group))
    bounds = group_bounds(group[order])
    keyboard = Keyboard()
    x = keyboard.x_center(pitch[order]) / keyboard.geometry.white_width
    per_group = sweep_starts(x, onset[order], bounds, _LINE_STEP, _LINE_TIME)
    return per_group[group]


def timed(pitches: list[int], start: float = 0.0, step: float = 0.14) -> list[tuple[int, float]]:
    return [(p, start + i * step) for i, p in enumerate(pitches)]


def test_a_triad_swept_over_three_octaves_is_one_sweep_each_way():
    rising = c_major_triad(36, 10)  # C2..C5: 21 white keys
    notes = timed(rising + rising[-2::-1])
    found = starts(notes)
    assert np.all(found[:9] == 0.0)  # up, from the first key
    assert np.all(found[9:] == notes[9][1])  # and back down from the top, which begins it


def test_a_two_octave_arpeggio_a_scale_and_a_slow_sweep_are_not_sweeps():
    arpeggio = timed(c_major_triad(48, 7))  # C3..C5: the textbook two octaves
    scale = timed([major_degree_pitch(36, i) for i in range(29)], 2.0)  # 4 octaves
    slow = timed(c_major_triad(36, 13), 8.0, step=0.5)
    for notes in (arpeggio, scale, slow):
        assert np.all(np.isinf(starts(notes)))


def test_a_chord_breaks_a_sweep():
    swept = timed(c_major_triad(36, 13))  # C2..C6, one sweep
    assert np.all(starts(swept) == 0.0)
    chord = [(60, 0.84), (64, 0.84)]
    broken = timed(c_major_triad(36, 6)) + chord + timed(c_major_triad(60, 7)[1:], 0.98)
    assert np.all(np.isinf(starts(broken)))
