"""`s2c transcribe INPUT --out notes.mid` wiring; `s2c_core/cli.py` calls `register`.

Writes the transcribed notes (velocities, sustain pedal as CC64) so they can be corrected
in a MIDI editor and animated from the corrected file with `s2c generate notes.mid`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..progress import ProgressReporter, add_progress_option


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..music.transcribe import DEFAULT_TRANSCRIBER, TRANSCRIBERS

    parser = subparsers.add_parser(
        "transcribe",
        help="write the notes of a piano recording as a MIDI file",
        description="Transcribe INPUT (.wav/.flac/.ogg/.mp3) to a MIDI file with note "
        "velocities and the sustain pedal (CC64). Results are cached by the audio's content, "
        "so transcribing or generating from the same recording again is instant.",
    )
    parser.add_argument("input", type=Path, help="a piano recording")
    parser.add_argument("--out", type=Path, required=True, help="the .mid file to write")
    parser.add_argument(
        "--transcriber",
        choices=TRANSCRIBERS,
        default=DEFAULT_TRANSCRIBER,
        help="accurate: transkun (notes, velocities, pedal); fast: Basic Pitch, a quick "
        f"draft without pedal (default: {DEFAULT_TRANSCRIBER})",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    add_progress_option(parser)
    parser.set_defaults(handler=run_transcribe)


def run_transcribe(args: argparse.Namespace) -> int:
    from ..music.midi_write import write_midi
    from ..music.transcribe import transcribe
    from ..outputs import check_writable
    from ..pipeline import AUDIO_SUFFIXES

    reporter = ProgressReporter(args.progress)
    out = args.out.resolve()
    if args.input.suffix.lower() not in AUDIO_SUFFIXES:
        kinds = " ".join(sorted(AUDIO_SUFFIXES))
        raise ValueError(f"{args.input}: not a recording (supported: {kinds})")
    if not args.input.is_file():
        raise ValueError(f"{args.input}: no such audio file")
    if out.suffix.lower() not in (".mid", ".midi"):
        raise ValueError(f"{out}: the output must be a .mid or .midi file")
    check_writable(out, args.overwrite)
    reporter.stage("transcribe", f"transcribing {args.input.name} ({args.transcriber})")
    notes = transcribe(args.input, transcriber=args.transcriber, progress=reporter.progress)
    write_midi(notes, out)
    reporter.done(output=str(out), notes=len(notes), pedal_intervals=len(notes.pedal))
    return 0
