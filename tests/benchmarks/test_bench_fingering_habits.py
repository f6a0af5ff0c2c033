from benchmarks import bench_fingering_habits as bench
from tests.engines.midi.midi_files import write_midi


def test_a_folder_and_the_fresh_textures_are_counted(tmp_path, capsys):
    # B4-A4-G4 in quavers at 120 bpm over a held C3: one short piece in a folder of its own.
    right = [(71, 0.0, 0.24), (69, 0.25, 0.49), (67, 0.5, 0.74), (72, 0.75, 1.5)]
    write_midi(tmp_path / "line.mid", {"Piano right": right, "Piano left": [(48, 0.0, 1.5)]})
    assert bench.main(["--midi-dir", str(tmp_path), "--fresh-seeds", "100"]) == 0
    rows = {line[:26].strip(): line.split() for line in capsys.readouterr().out.splitlines()}
    assert rows["line"][1:3] == ["5", "3"]  # notes, fast pairs
    assert rows["line"][-2] == "0"  # no thumb passing straight back
    assert {"stride", "waltz", "overall fresh", "overall"} <= rows.keys()


def test_a_missing_folder_is_one_line(tmp_path, capsys):
    assert bench.main(["--midi-dir", str(tmp_path / "none"), "--fresh-seeds", "100"]) == 0
    assert "no such folder" in capsys.readouterr().out
