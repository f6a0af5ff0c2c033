import mido
import numpy as np

from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.engines.midi.engine import plan_notes
from s2c_core.music.keyboard import Keyboard
from s2c_core.music.midi import read_midi

TICKS = 480  # per beat, 120 bpm: 960 ticks a second


def _annotated_file(path, events):
    """One right-hand track; events: (pitches, beat, text or None, meta type)."""
    midi = mido.MidiFile(ticks_per_beat=TICKS)
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Piano right", time=0)])
    timeline = []
    for pitches, beat, text, kind in events:
        tick = int(beat * TICKS)
        if text is not None:
            timeline.append((tick, 0, mido.MetaMessage(kind, text=text)))
        for p in pitches:
            timeline.append((tick, 1, mido.Message("note_on", note=p, velocity=80)))
            timeline.append((tick + TICKS // 2, 2, mido.Message("note_off", note=p)))
    now = 0
    for tick, _, message in sorted(timeline, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    midi.tracks.append(track)
    midi.save(str(path))
    return path


def test_text_marker_and_lyric_fingers_are_read(tmp_path):
    path = _annotated_file(
        tmp_path / "fingered.mid",
        [([60], 0, "3", "text"), ([62], 1, "4", "marker"), ([64], 2, None, "text"),
         ([60, 64, 67], 3, "1 2 5", "lyrics"), ([65], 4, "12", "text")],
    )  # fmt: skip
    notes = read_midi(path)
    # the last mark gives two digits for one note: ignored
    assert notes.finger.tolist() == [3, 4, 0, 1, 2, 5, 0]


def test_files_without_marks_prescribe_nothing(tmp_path):
    path = _annotated_file(tmp_path / "plain.mid", [([60], 0, None, "text")])
    assert read_midi(path).finger.tolist() == [0]


def test_engine_keeps_prescribed_fingers(tmp_path):
    # An ordinary C major run, prescribed with an unusual but playable fingering.
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    prescribed = [2, 3, 4, 1, 2, 3, 4, 5]
    path = _annotated_file(
        tmp_path / "run.mid",
        [
            ([p], i * 0.5, str(f), "text")
            for i, (p, f) in enumerate(zip(scale, prescribed, strict=True))
        ],
    )
    notes = read_midi(path)
    hand = np.ones(len(notes), dtype=np.int64)
    plan = plan_notes(notes, Keyboard(), MidiEngineConfig(), hand=hand)
    assert plan.finger.tolist() == prescribed
    bare = _annotated_file(
        tmp_path / "bare.mid", [([p], i * 0.5, None, "text") for i, p in enumerate(scale)]
    )
    unmarked = plan_notes(read_midi(bare), Keyboard(), MidiEngineConfig(), hand=hand)
    assert unmarked.finger.tolist() != prescribed
