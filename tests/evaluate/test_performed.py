import numpy as np

from s2c_core.evaluate.performed import performed
from s2c_core.music.midi import MidiNotes


def notes() -> MidiNotes:
    pitch = np.array([48, 52, 55, 60, 62])
    onset = np.array([0.0, 0.0, 0.0, 0.0, 0.5])
    return MidiNotes(
        path=None,
        pitch=pitch,
        onset=onset,
        offset=onset + np.array([1.0, 1.0, 1.0, 0.4, 0.4]),
        velocity=np.full(5, 80),
        track=np.array([1, 1, 1, 0, 0]),
        track_names=("Piano right", "Piano left"),
        finger=np.array([5, 3, 1, 1, 2]),
    )


def test_a_performed_chord_is_spread_and_each_note_keeps_its_length_track_and_finger():
    played, order = performed(notes(), 0.012, seed=3)
    original = notes()
    assert np.ptp(played.onset[played.onset < 0.3]) > 0.0  # the chord no longer at one instant
    assert np.all(np.diff(played.onset) >= 0.0) and np.all(played.onset >= 0.0)
    for i in range(5):  # each note is notes[order[i]], with its length, track and finger
        j = order[i]
        assert original.pitch[j] == played.pitch[i]
        assert np.isclose(
            played.offset[i] - played.onset[i], original.offset[j] - original.onset[j]
        )
        assert played.track[i] == original.track[j] and played.finger[i] == original.finger[j]
    assert np.array_equal(performed(notes(), 0.012, seed=3)[0].onset, played.onset)  # seeded
