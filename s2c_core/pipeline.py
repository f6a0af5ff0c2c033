"""generate(input, options) -> HandMotion: picks the engine for an input file and runs it.

MIDI engine: notes from the MIDI file, or transcribed from audio.
S2C engine: audio from the file, or rendered from MIDI (whose notes are kept); when notes
are known the result is then aligned to them by contact refinement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .hand.mano import load_mano_rig
from .hand.rig import REST_JOINTS_KEY, HandRig, builtin_rig
from .hand.rig_description import (
    RIG_DESCRIPTION_KEY,
    HandPair,
    RigDescription,
    read_rig_description,
)
from .motion import DEFAULT_FPS, HandMotion, blender_length_problem
from .progress import ProgressReporter

if TYPE_CHECKING:
    from .music.midi import MidiNotes

MIDI_SUFFIXES = frozenset({".mid", ".midi"})
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".mp3"})
ENGINES = ("auto", "midi", "s2c")
SAMPLERS = ("ddpm", "ddim", "dpm")
DEVICES = ("auto", "cuda", "mps", "cpu")


class InputError(ValueError):
    """The input file is missing or of a kind no engine can read (message names it)."""


@dataclass(frozen=True)
class GenerateOptions:
    engine: str = "auto"
    seed: int = 0
    mano: Path | None = None  # MANO_RIGHT.pkl; the built-in rig when None
    rig_description: Path | None = None  # a character's hands (hand/rig_description.py)
    checkpoint: Path | None = None  # S2C: official experiment folder, ours, or a Hub id
    hubert: Path | None = None  # S2C: overrides args_posi.txt's wav2vec_path (or a Hub id)
    sampler: str = "dpm"
    steps: int | None = None
    device: str = "auto"
    refine_contacts: bool | None = None  # None: on when the notes are known (not for compat)
    reference_compat: bool = False  # S2C: the authors' infer.py per 8 s window
    smooth: bool = True  # S2C: Savitzky-Golay (5, 2) smoothing of angles and positions
    transcriber: str = "accurate"  # audio -> notes: "accurate" (transkun) or "fast" (draft)
    key_range: tuple[int, int] | None = None  # a smaller keyboard's lowest/highest pitch


def resolve_engine(input_path: Path, engine: str, checkpoint: Path | None) -> str:
    """The engine that will run. 'auto': MIDI engine for MIDI input; for audio, S2C when a
    checkpoint is given, else the MIDI engine on transcribed notes."""
    suffix = input_path.suffix.lower()
    if suffix not in MIDI_SUFFIXES | AUDIO_SUFFIXES:
        kinds = " ".join(sorted(MIDI_SUFFIXES | AUDIO_SUFFIXES))
        raise InputError(f"{input_path}: unsupported file type '{suffix}' (supported: {kinds})")
    if engine not in ENGINES:
        raise InputError(f"{input_path}: unknown engine {engine!r} (choose from {ENGINES})")
    if engine == "s2c" and checkpoint is None:
        raise InputError(f"{input_path}: the S2C engine needs --checkpoint DIR (its weights)")
    if engine == "auto":
        return "s2c" if suffix in AUDIO_SUFFIXES and checkpoint is not None else "midi"
    return engine


def check_take_length(input_path: Path, seconds: float) -> None:
    """Refuse, before any work, a piece too long for Blender to key (see BLENDER_MAX_FRAME)."""
    problem = blender_length_problem(math.ceil(seconds * DEFAULT_FPS) + 1, DEFAULT_FPS)
    if problem:
        raise InputError(f"{input_path}: too long to animate: {problem}")


def load_rig(mano: Path | None, description: RigDescription | None = None) -> HandRig | HandPair:
    if description is not None:
        return description.rigs()
    return load_mano_rig(mano) if mano else builtin_rig("right")


def _read_description(options: GenerateOptions) -> RigDescription | None:
    if options.rig_description is None:
        return None
    if options.mano:
        raise InputError(
            f"{options.rig_description}: give either --mano or --rig-description, not both"
        )
    return read_rig_description(options.rig_description)


def generate(
    input_path: Path, options: GenerateOptions, progress: ProgressReporter | None = None
) -> HandMotion:
    input_path = Path(input_path)
    if not input_path.is_file():
        what = "is a directory, not a file" if input_path.is_dir() else "no such file"
        raise InputError(f"{input_path}: {what}")
    engine = resolve_engine(input_path, options.engine, options.checkpoint)
    is_midi = input_path.suffix.lower() in MIDI_SUFFIXES
    progress = progress or ProgressReporter("none")
    if not is_midi:  # the header says how long; MIDI lengths are checked by the engines
        from .music.audio import audio_duration

        check_take_length(input_path, audio_duration(input_path))
    description = _read_description(options)
    rig = load_rig(options.mano, description)
    progress.stage("engine", f"{engine} engine on {input_path.name}")
    if engine == "midi":
        motion = _run_midi_engine(input_path, is_midi, options, rig, progress)
    else:
        motion = _run_s2c_engine(input_path, is_midi, options, rig, progress)
    motion.metadata.seed = options.seed
    if rig.name != "builtin":  # Blender has no MANO loader: the file carries the hand
        motion.metadata.extra[REST_JOINTS_KEY] = rig.for_side("right").rest_joints.tolist()
    if description is not None:  # so the take can be keyed onto the character again
        motion.metadata.extra[RIG_DESCRIPTION_KEY] = description.to_json()
    return motion


def _run_midi_engine(
    input_path: Path,
    is_midi: bool,
    options: GenerateOptions,
    rig: HandRig | HandPair,
    progress: ProgressReporter,
) -> HandMotion:
    from .engines.midi.engine import generate_from_notes
    from .music.midi import read_midi

    if is_midi:
        notes = read_midi(input_path)
    else:
        from .music.transcribe import transcribe

        progress.stage("transcribe", "transcribing the recording to notes")
        notes = transcribe(input_path, transcriber=options.transcriber, progress=progress.progress)
    notes = _fold_into_key_range(notes, options.key_range)
    return generate_from_notes(notes, rig=rig, progress=progress.progress)


def _run_s2c_engine(
    input_path: Path,
    is_midi: bool,
    options: GenerateOptions,
    rig: HandRig,
    progress: ProgressReporter,
) -> HandMotion:
    from .engines.s2c.engine import S2COptions, generate_with_s2c
    from .hub import is_hub_id, resolve_checkpoint, resolve_hubert
    from .music.audio import SAMPLE_RATE, load_audio

    notes = None
    if is_midi:
        from .music.render import render_midi

        progress.stage("render", "rendering the MIDI file to audio")
        audio, notes = render_midi(input_path)
        check_take_length(input_path, len(audio) / SAMPLE_RATE)
    else:
        audio = load_audio(input_path)
    # Hub ids: downloaded and converted once (ours carry the HuBERT config, so no --hubert)
    checkpoint = resolve_checkpoint(
        options.checkpoint, options.hubert, progress.progress, progress.stage
    )
    hubert = None if is_hub_id(options.checkpoint) else resolve_hubert(options.hubert)
    s2c_options = S2COptions(
        checkpoint=checkpoint,
        hubert=hubert,
        sampler=options.sampler,
        steps=options.steps,
        seed=options.seed,
        device=options.device,
        reference_compat=options.reference_compat,
        smooth=options.smooth,
    )
    progress.stage("sample", f"S2C sampling ({options.sampler})")
    motion = generate_with_s2c(audio, s2c_options, rig, str(input_path), progress.progress)
    refine = options.refine_contacts
    if refine is None:  # the reference does not refine: compat output stays the reference's
        refine = notes is not None and not options.reference_compat
    if refine:
        from .refine_contacts import refine_contacts

        if notes is None:
            from .music.transcribe import transcribe

            progress.stage("transcribe", "transcribing the recording for contact refinement")
            notes = transcribe(
                input_path, transcriber=options.transcriber, progress=progress.progress
            )
        notes = _fold_into_key_range(notes, options.key_range)
        progress.stage("refine", "aligning fingertips to the played keys")
        motion = refine_contacts(motion, notes, rig)
    return motion


TAKE_AUDIO_RATE = 44_100


def write_take_audio(input_path: Path, out: Path) -> None:
    """The audio a take plays to, as a WAV file for Blender's sound strip: the recording
    itself, or the MIDI file rendered (the same rendering the S2C engine listens to)."""
    import soundfile as sf

    if input_path.suffix.lower() in MIDI_SUFFIXES:
        from .music.render import render_midi

        audio, _ = render_midi(input_path, sr=TAKE_AUDIO_RATE)
    else:
        from .music.audio import load_audio

        audio = load_audio(input_path, sr=TAKE_AUDIO_RATE)
    sf.write(out, audio, TAKE_AUDIO_RATE, format="WAV", subtype="PCM_16")


def _fold_into_key_range(notes: MidiNotes, key_range: tuple[int, int] | None) -> MidiNotes:
    """Notes beyond a smaller keyboard's range, played octaves inside it."""
    if key_range is None:
        return notes
    from .music.key_range import fold_into_range

    return fold_into_range(notes, *key_range)
