import json

from benchmarks import bench_melody_fingering as bench

# Ode to Joy's first phrase in C position, quarter notes, the last one a half note.
ODE = {
    "name": "ode",
    "pitch": [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62],
    "onset": [float(i) for i in range(15)],
    "length": [1.0] * 14 + [2.0],
}


def test_both_parts_and_hands_are_scored(tmp_path, capsys):
    melodies = tmp_path / "melodies.json"
    melodies.write_text(json.dumps([ODE] * 11))  # tune 0 is tuning, tune 10 held-out
    assert bench.main([str(melodies)]) == 0
    rows = {line[:18].strip(): line.split() for line in capsys.readouterr().out.splitlines()}
    for part in ("tuning", "held-out"):
        for hand in ("right", "left"):
            # played from C position: no break, every note on the position's finger
            assert rows[f"{part} {hand}"][-4:] == ["15", "0.0%", "0.0", "100.0%"]


def test_an_unreadable_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "melodies.json"
    bad.write_text("{not json")
    assert bench.main([str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err


def test_without_the_file_nothing_is_measured(tmp_path, capsys):
    assert bench.main([str(tmp_path / "none.json")]) == 0
    assert "nothing measured" in capsys.readouterr().out
