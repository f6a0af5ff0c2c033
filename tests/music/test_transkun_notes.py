import importlib.util
import types
from pathlib import Path

import numpy as np
import pytest

from s2c_core.music.midi import MidiNotes
from s2c_core.music.render import render_midi
from s2c_core.music.transcribe import note_scores
from s2c_core.music.transkun_notes import (
    TranskunSettings,
    _segment_count,
    _to_notes,
    format_eta,
    transcribe_transkun,
)
from tests.music.test_render import needs_fluidsynth

needs_transkun = pytest.mark.skipif(
    importlib.util.find_spec("transkun") is None,
    reason="needs transkun (pip install --no-deps transkun==2.0.1, see docs/audio.md)",
)


def pedalled_phrase() -> MidiNotes:
    """4 s: a seeded melody over a bass note held by the sustain pedal from 0.3 s to 3 s.

    (Soundfonts hold pedalled notes without the open strings' resonance a real piano adds,
    so transkun rarely hears the pedal itself on them; pedal events are tested below.)
    """
    rng = np.random.default_rng(11)
    melody = [(int(rng.integers(60, 80)), 0.25 + 0.3 * i) for i in range(10)]
    rows = [(40, 0.25, 0.6, 70)] + [(p, t, t + 0.25, int(rng.integers(50, 110))) for p, t in melody]
    table = np.array(sorted(rows, key=lambda row: (row[1], row[0])), dtype=np.float64)
    return MidiNotes(
        path="phrase",
        pitch=table[:, 0].astype(np.int64),
        onset=table[:, 1],
        offset=table[:, 2],
        velocity=table[:, 3].astype(np.int64),
        track=np.zeros(len(table), dtype=np.int64),
        track_names=("piano",),
        pedal=np.array([[0.3, 3.0]]),
    )


@pytest.mark.slow
@needs_transkun
@needs_fluidsynth
def test_transkun_finds_the_notes_and_their_velocities():
    phrase = pedalled_phrase()
    audio, _ = render_midi(phrase, sr=44_100, backend="fluidsynth")
    reports = []

    notes = transcribe_transkun(audio, 44_100, progress=lambda *report: reports.append(report))

    precision, recall, f1 = note_scores(phrase, notes)
    assert f1 >= 0.9, (precision, recall, f1)
    loud = notes.velocity[np.isin(notes.pitch, phrase.pitch)]
    assert loud.min() >= 1 and loud.max() <= 127 and np.ptp(loud) > 10  # velocities vary
    assert [report[:2] for report in reports] == [(0, 1), (1, 1)]
    assert "left" in reports[-1][2]


def test_pedal_events_become_the_pedal_and_notes_keep_their_velocity():
    note = types.SimpleNamespace  # transkun's Data.Note: start, end, pitch, velocity
    events = [
        note(start=0.5, end=0.9, pitch=60, velocity=80),
        note(start=0.2, end=0.5, pitch=48, velocity=0),
    ]
    pedal = [(2.0, 3.5), (0.1, 1.5)]

    notes = _to_notes(Path("take.wav"), events, pedal)

    np.testing.assert_array_equal(notes.pitch, [48, 60])
    np.testing.assert_array_equal(notes.velocity, [1, 80])
    np.testing.assert_array_equal(notes.pedal, [[0.1, 1.5], [2.0, 3.5]])
    np.testing.assert_allclose(notes.sounding_offset, [1.5, 1.5])


def test_segment_count_follows_transkuns_padding_and_step():
    model = types.SimpleNamespace(fs=44_100, hopSize=1024)
    no_overlap = TranskunSettings(segment_s=16.0, hop_s=16.0)
    upstream = TranskunSettings(segment_s=16.0, hop_s=8.0)
    assert _segment_count(model, 4 * 44_100, no_overlap) == 1
    assert _segment_count(model, 33 * 44_100, no_overlap) == 3
    # upstream pads 8 s each side and steps 8 s: every sample is seen twice
    assert _segment_count(model, 32 * 44_100, upstream) == 6


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.4, "0 s"), (44.6, "45 s"), (200, "3 min 20 s"), (3900, "1 h 05 min")],
)
def test_format_eta(seconds, text):
    assert format_eta(seconds) == text
