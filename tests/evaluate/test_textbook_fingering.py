from s2c_core.evaluate.textbook_fingering import (
    KEYS,
    arpeggio_run,
    broken_chord_run,
    broken_triad_run,
    chromatic_run,
    five_finger_run,
    glissando_run,
    hanon_exercise_one_run,
    scale_run,
)

BLACK = {1, 3, 6, 8, 10}


def _fingers(run):
    return [min(f) if len(f) == 1 else tuple(sorted(f)) for _, f in run]


def _key(name):
    return next(k for k in KEYS if k.name == name)


def test_24_distinct_keys():
    assert len(KEYS) == 24 and len({(k.tonic, k.minor) for k in KEYS}) == 24


def test_c_major_as_the_books_print_it():
    up = [1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 4, 5]
    assert _fingers(scale_run(_key("C major"), "right", 60)) == up + up[-2::-1]
    up = [5, 4, 3, 2, 1, 3, 2, 1, 4, 3, 2, 1, 3, 2, 1]
    assert _fingers(scale_run(_key("C major"), "left", 48)) == up + up[-2::-1]
    pitches = [p for p, _ in scale_run(_key("C major"), "right", 60)]
    assert pitches[:8] == [60, 62, 64, 65, 67, 69, 71, 72]


def test_black_key_scales_and_arpeggios():
    assert _fingers(scale_run(_key("F# major"), "right", 54))[:8] == [2, 3, 4, 1, 2, 3, 1, 2]
    assert _fingers(scale_run(_key("bb minor"), "left", 46))[:8] == [2, 1, 3, 2, 1, 4, 3, 2]
    assert _fingers(arpeggio_run(_key("Eb major"), "right", 63))[:4] == [2, 1, 2, 4]
    assert _fingers(arpeggio_run(_key("C major"), "left", 48))[:4] == [5, (3, 4), 2, 1]


def test_chromatic_from_c():
    right = _fingers(chromatic_run("right", 60, 12))[:13]
    assert right == [(1, 2), 3, 1, 3, 1, 2, 3, 1, 3, 1, 3, 1, (1, 2)]
    left = _fingers(chromatic_run("left", 48, 12))[:13]
    assert left == [1, 3, 1, 3, 2, 1, 3, 1, 3, 1, 3, 2, 1]


def test_scales_never_put_the_thumb_on_a_black_key_and_only_the_thumb_crosses():
    for key in KEYS:
        for side, tonic in (("right", 60 + key.tonic), ("left", 48 + key.tonic)):
            run = scale_run(key, side, tonic)
            for pitch, fingers in run:
                assert not (pitch % 12 in BLACK and fingers == {1}), (key, side, pitch)
            for (p, a), (q, b) in zip(run, run[1:], strict=False):
                outward = (q > p) == (side == "right")  # towards the little finger
                for fa in a:
                    for fb in b:
                        if outward and fb < fa:
                            assert fb == 1, (key, side, p, q)  # thumb passes under
                        if not outward and fb > fa:
                            assert fa == 1, (key, side, p, q)  # a finger crosses over it


def test_hanons_first_exercise_shifts_the_hand_a_key_at_a_time_with_one_fingering():
    right, left = hanon_exercise_one_run("right", 48), hanon_exercise_one_run("left", 36)
    assert len(right) == (14 + 15) * 8 + 1
    assert [p for p, _ in right[:8]] == [48, 52, 53, 55, 57, 55, 53, 52]  # C-E-F-G-A-G-F-E
    assert [p for p, _ in right[8:16]] == [50, 53, 55, 57, 59, 57, 55, 53]  # a key higher
    assert _fingers(right[:16]) == [1, 2, 3, 4, 5, 4, 3, 2] * 2
    assert _fingers(left[:8]) == [5, 4, 3, 2, 1, 2, 3, 4]
    descent = right[14 * 8 :]  # from the top G5: G-E-D-C-B-C-D-E, a key lower each time
    assert [p for p, _ in descent[:9]] == [79, 76, 74, 72, 71, 72, 74, 76, 77]
    assert _fingers(descent[:8]) == [5, 4, 3, 2, 1, 2, 3, 4]  # the RH's 4-5 stretch
    assert _fingers(left[14 * 8 : 14 * 8 + 8]) == [1, 2, 3, 4, 5, 4, 3, 2]  # the LH's
    assert [p for p, _ in right[-9:]] == [55, 52, 50, 48, 47, 48, 50, 52, 48]  # G3 ... C3
    assert right[-1] == (48, frozenset()) and left[-1] == (36, frozenset())  # no claim
    assert [p for p, _ in left] == [p - 12 for p, _ in right]  # an octave below


def test_five_finger_positions_and_broken_triads_keep_the_hand_in_place():
    db = _key("Db major")
    run = five_finger_run(db, "right", 61)
    assert [p for p, _ in run] == [61, 63, 65, 66, 68, 66, 65, 63, 61]
    assert _fingers(run) == [1, 2, 3, 4, 5, 4, 3, 2, 1]
    assert _fingers(five_finger_run(_key("c minor"), "left", 48)) == [5, 4, 3, 2, 1, 2, 3, 4, 5]
    assert [p for p, _ in five_finger_run(_key("c minor"), "left", 48)][:5] == [48, 50, 51, 53, 55]
    run = broken_triad_run(_key("Ab major"), "left", 44)
    assert [p for p, _ in run] == [44, 48, 51, 48, 44, 48, 51, 48, 44]
    assert _fingers(run) == [5, 3, 1, 3, 5, 3, 1, 3, 5]
    assert _fingers(broken_triad_run(_key("f# minor"), "right", 54))[:4] == [1, 3, 5, 3]


def test_broken_octave_chords_take_4_5_on_a_third_and_3_5_on_a_fourth():
    c = _key("C major")
    run = broken_chord_run(c, "right", 60, 0)
    assert [p for p, _ in run] == [60, 64, 67, 72, 67, 64, 60]
    assert _fingers(run) == [1, 2, 3, 5, 3, 2, 1]
    assert _fingers(broken_chord_run(c, "right", 60, 1))[:4] == [1, 2, 4, 5]  # E G C E
    assert _fingers(broken_chord_run(c, "right", 60, 2))[:4] == [1, 2, 4, 5]  # G C E G
    assert _fingers(broken_chord_run(c, "left", 48, 0))[:4] == [5, (3, 4), 2, 1]
    assert _fingers(broken_chord_run(c, "left", 48, 1))[:4] == [5, 4, 2, 1]
    run = broken_chord_run(_key("f# minor"), "left", 42, 2)  # C# F# A C#
    assert [p for p, _ in run][:4] == [49, 54, 57, 61]
    assert _fingers(run)[:4] == [5, 3, 2, 1]


def test_glissandi_draw_every_key_of_one_colour_with_hofmanns_finger():
    up = glissando_run("right", 60, 15, rising=True)
    assert [p for p, _ in up] == [60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77, 79, 81, 83, 84]
    assert set(_fingers(up)) == {2}  # the index finger going up
    down = glissando_run("right", 97, 11, rising=False)  # C#7 down the black keys
    assert [p for p, _ in down] == [97, 94, 92, 90, 87, 85, 82, 80, 78, 75, 73]
    assert set(_fingers(down)) == {1}  # the thumb going down
    assert set(_fingers(glissando_run("left", 48, 8, rising=False))) == {3}  # either way
    assert set(_fingers(glissando_run("left", 24, 8, rising=True))) == {3}
