from pathlib import Path

import numpy as np

from s2c_core.engines.midi.config import MidiEngineConfig
from s2c_core.engines.midi.engine import plan_notes
from s2c_core.engines.midi.fingering import assign_fingers
from s2c_core.engines.midi.groups import onset_groups
from s2c_core.engines.midi.rolling import roll_wide_chords
from s2c_core.engines.midi.split import split_hands
from s2c_core.music.keyboard import Keyboard
from s2c_core.music.midi import MidiNotes

CONFIG = MidiEngineConfig()


def fingers(pitches, side="right", step=0.25, chord_at=None):
    pitch = np.asarray(pitches)
    onset = np.arange(len(pitch)) * step if chord_at is None else np.asarray(chord_at, float)
    offset = onset + 0.9 * step
    order = np.lexsort((pitch, onset))
    pitch, onset, offset = pitch[order], onset[order], offset[order]
    group = onset_groups(onset, pitch, CONFIG.chord_window)
    return pitch, onset, assign_fingers(pitch, onset, offset, group, side)


def test_five_note_run_is_fingered_1_to_5():
    assert fingers([60, 62, 64, 65, 67])[2].tolist() == [1, 2, 3, 4, 5]
    assert fingers([60, 62, 64, 65, 67][::-1], "left")[2].tolist() == [1, 2, 3, 4, 5]


def test_scale_passes_the_thumb_under():
    up = fingers([60, 62, 64, 65, 67, 69, 71, 72])[2]
    assert up.tolist() == [1, 2, 3, 1, 2, 3, 4, 5]
    down = fingers([72, 71, 69, 67, 65, 64, 62, 60])[2]
    assert down.tolist() == [5, 4, 3, 2, 1, 3, 2, 1]


def test_six_and_seven_note_runs_cross_once_in_the_manuals_groups():
    # One crossing whatever the first finger: 3+3 and 4+3, as a scale entered part-way,
    # not the little finger forced onto the run's top (5-2-1-3-2-1, 1-2-1-2-3-5).
    runs = {
        (76, 74, 72, 71, 69, 67): [3, 2, 1, 3, 2, 1],
        (77, 76, 74, 72, 71, 69, 67): [4, 3, 2, 1, 3, 2, 1],
        (60, 62, 64, 65, 67, 69): [1, 2, 3, 1, 2, 3],
        (60, 62, 64, 65, 67, 69, 71): [1, 2, 3, 1, 2, 3, 4],
    }
    for run, book in runs.items():
        assert fingers(list(run))[2].tolist() == book
        mirrored = [120 - p for p in run]  # the left hand's thumb is on the other side
        assert fingers(mirrored, "left")[2].tolist() == book


def test_simultaneous_notes_never_share_a_finger():
    rng = np.random.default_rng(7)
    pitches, onsets = [], []
    for i in range(40):
        chord = np.sort(rng.choice(np.arange(55, 68), size=rng.integers(1, 6), replace=False))
        pitches += chord.tolist()
        onsets += [0.3 * i] * len(chord)
    pitch, onset, finger = fingers(pitches, chord_at=onsets)
    for t in np.unique(onset):
        chord = finger[onset == t]
        assert len(set(chord.tolist())) == len(chord)
        # fingers rise with pitch in the right hand
        assert np.all(np.diff(chord[np.argsort(pitch[onset == t])]) > 0)


def test_black_key_octave_takes_the_fifth_finger_the_hand_reaches_with():
    # G#3-G#4: the table's practical 1-4 range allows it, the built-in hand grips it with 1-5.
    assert fingers([56, 68], chord_at=[0.0, 0.0])[2].tolist() == [1, 5]
    assert fingers([42, 54], "left", chord_at=[0.0, 0.0])[2].tolist() == [5, 1]


def test_fast_broken_octaves_keep_the_octave_shape():
    # mz_331_3 at 161.5 s: A4 A5 G#4 G#5 F#4 F#5 B4, 0.11 s apart. Too fast for the hand to
    # jump between the notes, so the thumb takes each lower note and 5 (or 4, on a black
    # key) the upper one; with any fingers allowed on every leap the thumb dodged the black
    # keys and the hand jumped an octave to and fro nine times a second (1 5 3 2 3 4 1).
    pitch, _, finger = fingers([69, 81, 68, 80, 66, 78, 71], step=0.11)
    assert finger[::2].tolist() == [1, 1, 1, 1]
    assert set(finger[1::2].tolist()) <= {4, 5}


def test_a_quick_leap_beyond_any_reach_is_still_a_jump():
    # The stress corpus's two voices: the left hand strikes C2 0.1 s after G3 with its
    # thumb. No finger pair spans 19 semitones, so the hand jumps whatever the fingers and
    # the bass takes the fifth finger; without the leap's cap the thumb went thumb to thumb.
    finger = fingers([53, 52, 55, 36], "left", step=0.1)[2]
    assert finger[-1] == 5


def test_a_waltz_bass_is_played_by_the_little_finger():
    # Oom-pah-pah in the left hand: each bass an octave or more below its chords. Any finger
    # may land a leap; the one that leaves the hand the shortest way to travel is the little
    # finger on the bass, as pianists play it (before the hand's travel counted, 4, 2, 2).
    # The first bass, which no leap reaches, took the middle finger by the weak-finger
    # rule until a phrase's first note leaping to the thumb side was let off it.
    pitches, onsets = [], []
    for bar, (bass, chord) in enumerate([(36, (48, 52, 55)), (41, (53, 57, 60)),
                                         (43, (55, 59, 62)), (36, (48, 52, 55))]):  # fmt: skip
        pitches += [bass, *chord, *chord]
        onsets += [bar] + [bar + 1 / 3] * 3 + [bar + 2 / 3] * 3
    pitch, onset, finger = fingers(pitches, "left", chord_at=onsets)
    bass = np.isin(onset, np.arange(4.0))
    assert finger[bass].tolist() == [5, 5, 5, 5]


def test_a_stride_bass_on_a_black_key_is_played_by_the_little_finger():
    # A#1, C#2, G#1, D#2 under their chords an octave up: rules 10-11's cost for a little
    # finger on a black key beside white ones is about the hand's in-and-out within one
    # position, so a leap, which places the hand afresh, no longer pays it (3 took them).
    pitches, onsets = [], []
    for bar, (bass, chord) in enumerate([(34, (46, 50, 53)), (37, (49, 53, 56)),
                                         (32, (44, 48, 51)), (39, (51, 55, 58))]):  # fmt: skip
        pitches += [bass, *chord]
        onsets += [bar / 2, bar / 2 + 0.25, bar / 2 + 0.25, bar / 2 + 0.25]
    pitch, onset, finger = fingers(pitches, "left", chord_at=onsets)
    bass = np.isin(onset, np.arange(4) / 2)
    assert finger[bass].tolist() == [5, 5, 5, 5]


def test_figures_within_one_hand_position_take_its_fingers():
    # Not run through as scales: an Alberti bass, a black-key five-finger position, and the
    # opening of Fur Elise with its customary fingering (the turn on D5 is no edge of the
    # hand: the thumb-side fingers stay on B4 and C5).
    assert fingers([48, 55, 52, 55] * 2, side="left", step=0.15)[2].tolist() == [5, 1, 3, 1] * 2
    db_position = [61, 63, 65, 66, 68, 66, 65, 63, 61]
    assert fingers(db_position, step=0.2)[2].tolist() == [1, 2, 3, 4, 5, 4, 3, 2, 1]
    elise = [76, 75, 76, 75, 76, 71, 74, 72, 69]
    assert fingers(elise, step=0.2)[2].tolist() == [5, 4, 5, 4, 5, 2, 4, 3, 1]


def test_melodies_within_a_five_finger_position_are_played_from_it():
    # Beginner melodies in C position as method books print them: the right thumb on C4 and
    # one finger per white key up to G4, the left little finger on C3 and the thumb on G3.
    # A key struck again is no turn of the line, and a figure that never reaches a fifth
    # from its top or bottom note leaves the edge fingers free (Ode to Joy opens on 3).
    c, d, e, f, g = 60, 62, 64, 65, 67
    ode = [e, e, f, g, g, f, e, d, c, c, d, e, e, d, d]
    mary = [e, d, c, d, e, e, e, d, d, d, e, g, g]
    jingle = [e, e, e, e, e, e, e, g, c, d, e]
    frere = [c, d, e, c, c, d, e, c, e, f, g, e, f, g]
    right = {
        "ode": (ode, [3, 3, 4, 5, 5, 4, 3, 2, 1, 1, 2, 3, 3, 2, 2]),
        "mary": (mary, [3, 2, 1, 2, 3, 3, 3, 2, 2, 2, 3, 5, 5]),
        "jingle": (jingle, [3, 3, 3, 3, 3, 3, 3, 5, 1, 2, 3]),
        "frere": (frere, [1, 2, 3, 1, 1, 2, 3, 1, 3, 4, 5, 3, 4, 5]),
    }
    for melody, book in right.values():
        assert fingers(melody, step=0.3)[2].tolist() == book
    for melody, book in (right["ode"], right["mary"]):
        left = [p - 12 for p in melody]
        assert fingers(left, "left", step=0.3)[2].tolist() == [6 - b for b in book]


def test_the_thumb_does_not_pass_back_under_a_finger_just_crossed_over_it():
    # Stepwise descents of the right hand (the shared clementi_opus36_1_1 at 2.1 s and elise
    # at 73.0 s): a finger that crossed over the thumb is followed by the next finger, not
    # by the thumb passing back under it (B4-A4-G4 as 1-2-1 before; the scales' 1-3-2-1).
    for line in ([79, 77, 76, 74, 72, 71, 72, 71, 72, 74, 72, 71, 69, 67],
                 [79, 76, 79, 84, 83, 81, 79, 77, 76, 74]):  # fmt: skip
        finger = fingers(line, step=0.145)[2].tolist()
        for k in range(len(line) - 2):
            descending = line[k] > line[k + 1] > line[k + 2]
            assert not (descending and finger[k] == finger[k + 2] == 1), (line, finger)
        assert all(a != b for a, b in zip(finger[:-1], finger[1:], strict=True)), (line, finger)


def test_a_finger_does_not_move_to_a_new_key_faster_than_it_taps():
    # Schubert's Der Lindenbaum, the right hand's opening triplets (83 ms a note): B3-A3
    # took the thumb twice; Chopin's Op. 10 No. 1, the left hand's A2-D3 at 0.11 s, 1-1.
    for line, side, step in (([56, 64, 56, 59, 68, 59, 57, 66, 57, 56, 64, 56], "right", 0.083),
                             ([33, 45, 33, 45, 50, 31, 43], "left", 0.11)):  # fmt: skip
        finger = fingers(line, side, step=step)[2].tolist()
        moves = zip(line[:-1], line[1:], finger[:-1], finger[1:], strict=True)
        assert all(f1 != f2 for p1, p2, f1, f2 in moves if p1 != p2), (line, finger)


def test_fast_repeated_notes_change_fingers_towards_the_thumb():
    # Eight strikes of one key 0.1 s apart, faster than one finger taps (about 6-7 taps per
    # second): groups of 3-2-1 (the engine played them all with one finger), on a black key
    # 3-2; repeated 0.3 s apart, one finger as before; two quick strikes stay on one finger.
    for side, key in (("right", 67), ("left", 48)):
        assert fingers([key] * 8, side, step=0.1)[2].tolist() == [3, 2, 1, 3, 2, 1, 2, 1]
        assert len(set(fingers([key] * 8, side, step=0.3)[2].tolist())) == 1
    assert fingers([66] * 6, step=0.1)[2].tolist() == [3, 2, 3, 2, 3, 2]
    pair = fingers([60, 62, 64, 64, 62, 60], step=0.12)[2]
    assert pair[2] == pair[3]


def test_random_melodies_spanning_a_fifth_keep_one_hand_position():
    # Seeded melodies over the five notes of a major or minor pentachord in all 12 keys
    # (mostly steps, some repeated notes and thirds, every note used), each hand: one
    # finger per note of the position, from the thumb (RH) or the little finger (LH) on
    # the lowest. 45 % of the notes before a repeated key stopped counting as a turn and
    # the edge, weak-finger and black-key neighbour rules gave way inside a position; now
    # 74 % (where the thumb's key is black, the hand still often shifts to keep it off).
    rng = np.random.default_rng(11)
    agree = total = 0
    for key in range(12):
        for pentachord in ([0, 2, 4, 5, 7], [0, 2, 3, 5, 7]):
            for side, lowest in (("right", 60), ("left", 48)):
                degrees = [2]
                while len(set(degrees)) < 5 or len(degrees) < 12:
                    step = rng.choice([-2, -1, -1, 0, 1, 1, 2])
                    degrees.append(int(np.clip(degrees[-1] + step, 0, 4)))
                melody = [lowest + key + pentachord[k] for k in degrees]
                book = np.array(degrees) + 1 if side == "right" else 5 - np.array(degrees)
                finger = fingers(melody, side, step=float(rng.choice([0.25, 0.35, 0.5])))[2]
                agree += int((finger == book).sum())
                total += len(book)
    assert agree / total >= 0.7


def test_close_triads_take_the_textbook_fingers():
    # Random major and minor triads, root position and both inversions, struck one by one:
    # RH 1-3-5 / 1-2-5 / 1-3-5, LH 5-3-1 / 5-3-1 / 5-2-1 (Palmer, Manus & Lethco 1994) on
    # at least 70 % of them (before the triad rule, about a quarter).
    rng = np.random.default_rng(3)
    for side, lowest in (("right", 60), ("left", 48)):
        chords, book = [], []
        for _ in range(60):
            root, third = lowest + rng.integers(0, 12), rng.choice([3, 4])
            inversion = rng.integers(0, 3)
            chord = sorted(root + step + 12 * (k < inversion) for k, step in
                           enumerate((0, third, 7)))  # fmt: skip
            upper = chord[2] - chord[1] if side == "right" else chord[1] - chord[0]
            shape = [1, 2, 5] if upper == 5 else [1, 3, 5]
            chords.append(chord)
            book.append(shape if side == "right" else shape[::-1])
        onsets = np.repeat(0.5 * np.arange(len(chords)), 3)
        _, _, finger = fingers(np.concatenate(chords), side, chord_at=onsets)
        agree = (finger.reshape(-1, 3) == np.array(book)).all(axis=1)
        assert agree.mean() >= 0.7


def test_broken_octave_chords_keep_the_chords_position():
    # Random major and minor triads with their octave, root position and both inversions,
    # broken up and back down at random tempi: 4-5 on a third and 3-5 on a fourth at the
    # little finger's end (textbook_fingering cites the sources), RH 1-2-3-5 / 1-2-4-5 /
    # 1-2-4-5, LH 5-4-2-1 / 5-4-2-1 / 5-3-2-1. Before the rule 54 % (RH) and 60 % (LH) of
    # these notes took them (Ab C Eb Ab as 2-3-4-5, the thumb kept off the black key).
    rng = np.random.default_rng(5)
    for side, lowest in (("right", 60), ("left", 43)):
        agree = claimed = 0
        for _ in range(40):
            root, third = lowest + rng.integers(0, 12), rng.choice([3, 4])
            inversion = rng.integers(0, 3)
            steps = [(0, third, 7)[k] + 12 * (k < inversion) for k in range(3)]
            chord = sorted(root + step for step in steps)
            chord.append(chord[0] + 12)
            hand_order = chord if side == "right" else chord[::-1]
            top = 3 if abs(hand_order[3] - hand_order[2]) == 5 else 4
            book = dict(zip(hand_order, (1, 2, top, 5), strict=True))
            figure = chord + chord[-2::-1]
            _, _, finger = fingers(figure, side, step=rng.uniform(0.1, 0.4))
            agree += sum(int(f == book[p]) for p, f in zip(figure, finger.tolist(), strict=True))
            claimed += len(figure)
        assert agree / claimed >= 0.95  # 100 % both hands
    # A chord that runs on into a scale is no held position: the scale's fingers.
    chord_then_scale = [74, 79, 83, 86, 84, 83, 81, 79]
    assert fingers(chord_then_scale, step=0.15)[2].tolist() == [1, 2, 3, 5, 4, 3, 2, 1]
    # Nor is an arpeggio over two octaves.
    arpeggio = [60, 64, 67, 72, 76, 79, 84]
    assert fingers(arpeggio + arpeggio[-2::-1], step=0.15)[2][:7].tolist() == [1, 2, 3, 1, 2, 3, 5]


def test_bass_scale_goes_left_and_melody_right():
    bass = [36 + s for s in (0, 2, 4, 5, 7, 9, 11, 12)]
    melody = [72 + s for s in (0, 2, 4, 5, 7, 9, 11, 12)]
    pitch = np.array([p for pair in zip(bass, melody, strict=True) for p in pair])
    onset = np.repeat(np.arange(8) * 0.25, 2)
    offset = onset + 0.2
    group = onset_groups(onset, pitch, CONFIG.chord_window)
    hand = split_hands(pitch, onset, offset, group, Keyboard(), CONFIG)
    assert hand[pitch < 60].tolist() == [0] * 8
    assert hand[pitch > 60].tolist() == [1] * 8


def test_split_honours_track_names_when_asked():
    pitch = np.array([60, 62, 64])
    onset = np.array([0.0, 0.5, 1.0])
    group = onset_groups(onset, pitch, CONFIG.chord_window)
    named = np.array([0, 0, 0])
    hand = split_hands(pitch, onset, onset + 0.4, group, Keyboard(), CONFIG, named)
    assert hand.tolist() == [0, 0, 0]


def test_chord_too_wide_for_one_hand_is_rolled():
    pitch = np.array([48, 55, 64, 72])  # C3..C5: two octaves, all in the right hand
    onset = np.zeros(4)
    offset = np.ones(4)
    hand = np.ones(4, dtype=np.int64)
    group = np.zeros(4, dtype=np.int64)
    rolled = roll_wide_chords(pitch, onset, offset, hand, group, Keyboard(), CONFIG)
    assert rolled.chords == 1
    assert rolled.notes >= 1
    assert np.all(np.diff(rolled.onset) >= 0) and rolled.onset[0] == 0.0
    assert np.all(rolled.offset > rolled.onset)


def test_octave_chord_with_inner_notes_is_rolled_but_a_bare_octave_is_not():
    # Eb1 Gb1 Bb1 Db2 Eb2 (stress corpus "chords"): thumb and fifth an octave apart, three
    # fingers between; the bare octave Eb1-Eb2 is gripped.
    pitch = np.array([27, 30, 34, 37, 39, 27, 39])
    onset = np.array([0.0] * 5 + [1.0] * 2)
    hand = np.zeros(7, dtype=np.int64)
    group = np.array([0] * 5 + [1] * 2)
    rolled = roll_wide_chords(pitch, onset, onset + 0.5, hand, group, Keyboard(), CONFIG)
    assert rolled.chords == 1 and rolled.notes == 4
    # note by note from the bottom, evenly, the top one roll_step after the lowest
    np.testing.assert_allclose(rolled.onset[:5], np.linspace(0.0, CONFIG.roll_step, 5))
    assert np.all(rolled.onset[5:] == 1.0)


def test_a_roll_ends_before_the_same_hands_next_chord():
    # Repeated rolled octave chords (clara_trio3): the roll used to run on into the next
    # chord, so its top notes were struck after that chord's onset and joined its fingering.
    gap = 0.12  # the next chord comes sooner than roll_step allows
    pitch = np.array([27, 30, 34, 39] * 2)
    onset = np.array([0.0] * 4 + [gap] * 4)
    hand = np.zeros(8, dtype=np.int64)
    group = np.array([0] * 4 + [1] * 4)
    rolled = roll_wide_chords(pitch, onset, onset + 0.1, hand, group, Keyboard(), CONFIG)
    assert rolled.chords == 2
    assert rolled.onset[:4].max() < gap
    np.testing.assert_allclose(rolled.onset[:4], np.linspace(0.0, gap / 2, 4))
    # the last chord has nothing after it: the full roll_step
    np.testing.assert_allclose(rolled.onset[4:], gap + np.linspace(0.0, CONFIG.roll_step, 4))


def test_two_lines_an_octave_apart_are_two_hands():
    # C major up two octaves, hands together an octave apart: the lines cross middle C.
    degrees = [0, 2, 4, 5, 7, 9, 11]
    low = [48 + 12 * (i // 7) + degrees[i % 7] for i in range(14)] + [72]
    pitch = np.array([p + octave for p in low for octave in (0, 12)])
    onset = np.repeat(np.arange(len(low)) * 0.15, 2)
    group = onset_groups(onset, pitch, CONFIG.chord_window)
    hand = split_hands(pitch, onset, onset + 0.14, group, Keyboard(), CONFIG)
    assert np.mean(hand[0::2] == 0) >= 0.9 and np.mean(hand[1::2] == 1) >= 0.9


def test_stress_corpus_split_where_the_hand_is_unambiguous():
    from s2c_core.evaluate.hand_scores import piece_notes, split_score
    from s2c_core.evaluate.stress_corpus import stress_pieces

    families = {"alberti", "stride", "chords", "repeated", "trill", "extreme", "two_voices",
                "lh_melody", "pedal"}  # fmt: skip
    agree = compared = 0
    for piece in stress_pieces():
        if piece.family in families:
            a, c = split_score(piece_notes(piece), CONFIG)
            agree, compared = agree + a, compared + c
    assert agree / compared >= 0.95


def _held_over_a_line(held: int, line: list[int], side: str):
    """A key held 3.2 s over a line of 0.4 s notes struck meanwhile, and their fingers."""
    rows = [(held, 0.0, 3.2)] + [(p, 0.4 * i, 0.4 * i + 0.38) for i, p in enumerate(line)]
    pitch, onset, offset = (np.array(c) for c in zip(*sorted(rows), strict=True))
    order = np.lexsort((pitch, onset))
    pitch, onset, offset = pitch[order], onset[order], offset[order]
    group = onset_groups(onset, pitch, CONFIG.chord_window)
    finger = assign_fingers(pitch, onset, offset, group, side)
    return finger[pitch == held][0], finger[pitch != held]


def test_a_held_key_keeps_its_finger_out_of_the_line_under_it():
    # A soprano C5 over an alto G4-B4, a bass C3 under a tenor D3-G3: however far the line
    # is from the held key's chord, its notes take fingers inside the held one's.
    top, alto = _held_over_a_line(72, [67, 69, 71, 69, 67, 69, 71, 69], "right")
    assert alto.max() < top
    bottom, tenor = _held_over_a_line(48, [53, 52, 50, 52, 53, 55, 53, 52], "left")
    assert tenor.max() < bottom


def test_a_two_octave_scale_repeats_its_fingering_each_octave():
    # D major, left hand, up two octaves and back: the books' 5-4-3-2-1-3-2 | 1-4-3-2-1-3-2 | 1
    # (the same fingers an octave apart, ends aside); fingered note by note, the cheapest
    # path puts the thumb on E in one octave and on D in the other.
    up = [50, 52, 54, 55, 57, 59, 61, 62, 64, 66, 67, 69, 71, 73, 74]
    pitch, _, finger = fingers(up + up[-2::-1], "left", step=0.15)
    assert finger[:15].tolist() == [5, 4, 3, 2, 1, 3, 2, 1, 4, 3, 2, 1, 3, 2, 1]


def test_a_chord_the_file_rolls_is_fingered_as_one_hand_shape():
    # K. 331's rolled left-hand A2-C#3-E3-A3, 35 ms a note, then its A3 repeated: the thumb
    # took E3 and then A3 35 ms later (5-3-1-1) where the chord grouping split the roll.
    pitch = np.array([45, 49, 52, 57, 57, 57])
    onset = np.array([0.0, 0.035, 0.07, 0.105, 0.3, 0.5])
    zeros = np.zeros(len(pitch), dtype=np.int64)
    notes = MidiNotes(Path("t.mid"), pitch, onset, onset + 0.03, zeros + 80, zeros, ("",))
    plan = plan_notes(notes, Keyboard(), CONFIG, hand=zeros)
    assert np.all(np.diff(plan.finger[:4]) < 0), plan.finger
    assert plan.finger[0] == 5 and plan.finger[3] == 1


def test_a_rolled_chord_is_fingered_as_one_hand_shape():
    # F4 Ab4 C#5 F5 (fresh seed 3's big chords): an octave with inner notes, rolled. In parts
    # fingered apart it was 1-2-4 | 1, the thumb passing under to the top note.
    pitch = np.array([65, 68, 73, 77])
    zeros = np.zeros(4, dtype=np.int64)
    notes = MidiNotes(Path("t.mid"), pitch, np.zeros(4), np.full(4, 0.5), zeros + 80, zeros, ("",))
    plan = plan_notes(notes, Keyboard(), CONFIG, hand=np.ones(4, dtype=np.int64))
    np.testing.assert_allclose(plan.onset, np.linspace(0.0, CONFIG.roll_step, 4))
    assert np.all(np.diff(plan.finger) > 0) and plan.finger[-1] == 5
