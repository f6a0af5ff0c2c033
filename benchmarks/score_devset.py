"""A wider development set for the hand split: two-staff piano scores from music21's corpus.

The shared pieces (../shared/data/midi) are few, and most of them are measured only, never
tuned on. This writes 16 more two-hand pieces that nobody on the project chose for the engine:
every work that the corpus of music21 (a PyPI package, BSD licence) ships with a piano grand
staff, but Mozart's K. 545 (the shared mz_545_1) and a second copy of Dichterliebe No. 2:
Joplin's Maple Leaf Rag, a Chopin mazurka (Op. 6 No. 2), C. P. E. Bach's H. 186,
Schoenberg's Op. 19 Nos. 2 and 6, Clara Schumann's four Polonaises Op. 1, and the piano
parts of Amy Beach's "Prayer of a Tired Child", Schubert's "Der Lindenbaum", Schumann's
"Dichterliebe" No. 2, Liliuokalani's "Aloha 'Oe", Clara Schumann's Trio Op. 17 (iii),
Weber's Clarinet Concertino and Handel's "Lascia ch'io pianga".

Each piece goes to a MIDI file with the upper staff in the track "Piano right" and the lower
in "Piano left" (the convention `MidiNotes.named_hands` reads). A staff is not always a hand:
composers write cross-staff passages and a hand now and then plays notes of the other staff
(Schoenberg's Op. 19 No. 2, the left hand's ostinato thirds sitting above the right hand, is
the extreme), so these labels are a little noisier than the shared pieces' hand tracks. Repeats
are played once (music21 cannot expand some of them).

    pip install music21     # not a project dependency: only this script needs it
    python benchmarks/score_devset.py OUT_DIR
    python benchmarks/bench_midi_engine.py --midi-dir OUT_DIR --shared-only
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Output name -> music21 corpus path. Songs, chamber and choral works: the piano's two staves
# are the score's last two parts. The engine's split weights were chosen with the first 13
# (with the stress corpus and the shared tuning pieces); the last 3 were only measured.
PIECES = {
    "joplin_maple": "joplin/maple_leaf_rag.mxl",
    "chopin_maz6_2": "chopin/mazurka06-2.krn",
    "cpebach_h186": "cpebach/h186.mxl",
    "schoen_19_2": "schoenberg/opus19/movement2.mxl",
    "schoen_19_6": "schoenberg/opus19/movement6.mxl",
    "clara_pol1": "schumann_clara/polonaise_op1n1.mxl",
    "clara_pol2": "schumann_clara/polonaise_op1n2.mxl",
    "clara_pol3": "schumann_clara/polonaise_op1n3.mxl",
    "clara_pol4": "schumann_clara/polonaise_op1n4.mxl",
    "beach_prayer": "beach/prayer_of_a_tired_child.musicxml",
    "lindenbaum": "schubert/Lindenbaum.xml",
    "dichterliebe2": "schumann_robert/dichterliebe_no2.xml",
    "aloha": "liliuokalani/aloha_oe.mxl",
    "clara_trio3": "schumann_clara/opus17/movement3.xml",
    "weber_concertino": "weber/concertino_clarinet.mxl",
    "handel_lascia": "handel/rinaldo/Lascia_chio_pianga.mxl",
}
TRACKS = ("Piano right", "Piano left")


def write_piece(corpus_path: str, out: Path) -> None:
    """The score's last two parts (upper staff first) as a two-track MIDI file."""
    from music21 import corpus, stream

    score = corpus.parse(corpus_path)
    _drop_repeats(score)
    upper, lower = list(score.parts)[-2:]
    midi = stream.Score([upper, lower]).write("midi", fp=str(out))
    _name_tracks(Path(midi))


def _drop_repeats(score) -> None:
    """Play repeated sections once: music21 rejects some repeat marks when it expands them."""
    from music21 import bar, repeat, stream

    for measure in score.recurse().getElementsByClass(stream.Measure):
        for side in ("leftBarline", "rightBarline"):
            if isinstance(getattr(measure, side), bar.Repeat):
                setattr(measure, side, None)
    for mark in list(score.recurse().getElementsByClass(repeat.RepeatExpression)):
        mark.activeSite.remove(mark)


def _name_tracks(path: Path) -> None:
    """Name the note-bearing tracks in order (upper staff first) for the hands."""
    import mido

    midi = mido.MidiFile(path)
    names = iter(TRACKS)
    for track in midi.tracks:
        if any(message.type == "note_on" for message in track):
            track[:] = [message for message in track if message.type != "track_name"]
            track.insert(0, mido.MetaMessage("track_name", name=next(names)))
    midi.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the MIDI files")
    args = parser.parse_args(argv)
    try:
        import music21  # noqa: F401
    except ImportError:
        print("score_devset: needs music21 (pip install music21)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name, corpus_path in PIECES.items():
        write_piece(corpus_path, args.out / f"{name}.mid")
        print(f"{name}: {corpus_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
