import numpy as np

from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.evaluate.hand_scores import piece_notes, split_score
from s2c_core.evaluate.score_hands import score_hands
from s2c_core.evaluate.stress_corpus import stress_pieces
from s2c_core.music.midi import read_midi
from tests.engines.midi.midi_files import SHARED_MIDI

CHORD_WINDOW = MidiEngineConfig().chord_window


def test_pieces_without_a_known_score_keep_their_tracks():
    notes = piece_notes(stress_pieces()[0])
    assert score_hands("elise", notes, CHORD_WINDOW) is None


def test_the_etude_gives_the_right_hand_its_arpeggios_and_the_left_its_octaves():
    notes = read_midi(SHARED_MIDI / "chpn_op10_e01.mid")
    tracks, score = notes.named_hands(), score_hands("chpn_op10_e01", notes, CHORD_WINDOW)
    moved = score != tracks
    # Only left-track semiquavers move: every note of the right-hand track stays.
    assert np.all(tracks[moved] == 0) and np.all(score[moved] == 1)
    assert np.all(notes.offset[moved] - notes.onset[moved] < 0.15)
    # The left hand keeps its octaves (two notes 12 semitones apart, struck together) and
    # a few long bass notes.
    left = score == 0
    octave = np.isclose(notes.onset[left][:, None], notes.onset[left][None], atol=0.03) & (
        np.abs(notes.pitch[left][:, None] - notes.pitch[left][None]) == 12
    )
    long = notes.offset[left] - notes.onset[left] >= 0.3
    assert np.all(octave.any(axis=1) | long) and octave.any(axis=1).mean() > 0.85
    # The split plays the etude as written (98.1 % measured; 85.0 % against the tracks).
    agree, compared = split_score(notes, truth=score)
    assert agree / compared >= 0.97
