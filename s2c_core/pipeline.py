"""generate(input, options) -> HandMotion: picks the engine for an input file and runs it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .hand.mano import load_mano_rig
from .hand.rig import HandRig, builtin_rig
from .motion import HandMotion
from .progress import ProgressReporter

MIDI_SUFFIXES = frozenset({".mid", ".midi"})
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".mp3"})
ENGINES = ("auto", "midi")


class InputError(ValueError):
    """The input file is missing or of a kind no engine can read (message names it)."""


@dataclass(frozen=True)
class GenerateOptions:
    engine: str = "auto"
    seed: int = 0
    mano: Path | None = None  # MANO_RIGHT.pkl; the built-in rig when None


def resolve_engine(input_path: Path, engine: str) -> str:
    """The engine that will run: 'auto' picks the MIDI engine for MIDI input."""
    suffix = input_path.suffix.lower()
    if suffix not in MIDI_SUFFIXES | AUDIO_SUFFIXES:
        kinds = " ".join(sorted(MIDI_SUFFIXES | AUDIO_SUFFIXES))
        raise InputError(f"{input_path}: unsupported file type '{suffix}' (supported: {kinds})")
    if engine not in ENGINES:
        raise InputError(f"{input_path}: unknown engine {engine!r} (choose from {ENGINES})")
    if suffix in AUDIO_SUFFIXES:
        raise InputError(
            f"{input_path}: audio input needs the S2C engine, which is not installed in this "
            "version; give a MIDI file (.mid/.midi)"
        )
    return "midi"


def load_rig(mano: Path | None) -> HandRig:
    return load_mano_rig(mano) if mano else builtin_rig("right")


def generate(
    input_path: Path, options: GenerateOptions, progress: ProgressReporter | None = None
) -> HandMotion:
    input_path = Path(input_path)
    if not input_path.is_file():
        raise InputError(f"{input_path}: no such file")
    engine = resolve_engine(input_path, options.engine)
    progress = progress or ProgressReporter("none")
    rig = load_rig(options.mano)
    progress.stage("engine", f"{engine} engine on {input_path.name}")
    from .engines.midi.engine import generate_from_midi

    motion = generate_from_midi(input_path, rig=rig, progress=progress.progress)
    motion.metadata.seed = options.seed
    return motion
