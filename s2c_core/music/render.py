"""Render MIDI notes to 16 kHz piano audio for the S2C engine (FluidSynth or built-in synth).

Both backends render the notes as `read_midi` returns them, every track on an acoustic
grand piano, each note sounding until `MidiNotes.sounding_offset` (the sustain pedal
applied), so the audio and the notes kept for alignment agree note for note; the audio
lasts until `MidiNotes.end`, as long as a take animated from the same notes. FluidSynth
needs the Debian packages `fluidsynth` and `fluid-soundfont-gm` (see docs/audio.md);
without them the built-in additive piano synthesiser is used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

import numpy as np

from .audio import SAMPLE_RATE, load_audio
from .midi import MidiNotes, read_midi
from .midi_write import piano_midi

Backend = Literal["auto", "fluidsynth", "builtin"]

# Searched in order after $S2C_SOUNDFONT; the first two come from Debian's fluid-soundfont-gm.
SOUNDFONT_CANDIDATES = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
    Path("/usr/share/sounds/sf2/FluidR3_GS.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/default.sf2"),
)
# Both backends are peak-normalised to this, so the audio encoder sees comparable levels.
PEAK_LEVEL = 0.9
# FluidSynth renders at its native rate; load_audio then resamples with soxr.
_FLUIDSYNTH_RATE = 44100
_FLUIDSYNTH_TIMEOUT_S = 600


class RenderError(RuntimeError):
    """MIDI could not be rendered with the requested backend (message says why)."""


def render_midi(
    source: str | os.PathLike | MidiNotes, sr: int = SAMPLE_RATE, backend: Backend = "auto"
) -> tuple[np.ndarray, MidiNotes]:
    """Mono float32 audio at `sr` Hz and the notes it plays; `source` is a file or notes.

    backend "auto" uses FluidSynth when the program and a GM soundfont are installed, else
    the built-in synthesiser; "fluidsynth" raises RenderError when either is missing.
    """
    notes = source if isinstance(source, MidiNotes) else read_midi(source)
    if backend not in ("auto", "fluidsynth", "builtin"):
        raise ValueError(f"unknown render backend {backend!r} (use auto, fluidsynth or builtin)")
    soundfont = find_soundfont()
    use_fluidsynth = backend == "fluidsynth" or (
        backend == "auto" and soundfont is not None and fluidsynth_program() is not None
    )
    if use_fluidsynth:
        audio = render_fluidsynth(notes, sr, soundfont)
    else:
        audio = synthesise_piano(notes, sr)
    return _normalise(audio), notes


def fluidsynth_program() -> str | None:
    return shutil.which("fluidsynth")


def find_soundfont() -> Path | None:
    """$S2C_SOUNDFONT if set, else the first installed General MIDI soundfont, else None."""
    override = os.environ.get("S2C_SOUNDFONT")
    candidates = (Path(override),) if override else SOUNDFONT_CANDIDATES
    return next((path for path in candidates if path.is_file()), None)


def render_fluidsynth(notes: MidiNotes, sr: int, soundfont: Path | None) -> np.ndarray:
    """Render with the fluidsynth command line through a temporary piano-only MIDI file."""
    program = fluidsynth_program()
    if program is None or soundfont is None:
        raise RenderError(
            "FluidSynth rendering needs the `fluidsynth` program and a GM soundfont "
            "(apt-get install fluidsynth fluid-soundfont-gm, or set S2C_SOUNDFONT)"
        )
    with tempfile.TemporaryDirectory(prefix="s2c_render_") as tmp:
        midi_path, wav_path = Path(tmp, "notes.mid"), Path(tmp, "notes.wav")
        _write_piano_midi(notes, midi_path)
        command = [
            program, "-n", "-i", "-q", "-r", str(_FLUIDSYNTH_RATE), "-T", "wav",
            "-F", str(wav_path), str(soundfont), str(midi_path),
        ]  # fmt: skip
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=_FLUIDSYNTH_TIMEOUT_S)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            message = " ".join(detail.decode(errors="replace").split())
            raise RenderError(f"fluidsynth failed on {notes.path}: {message or exc}") from exc
        return load_audio(wav_path, sr)


def _write_piano_midi(notes: MidiNotes, path: Path) -> None:
    import pretty_midi

    midi = piano_midi(notes, pedal_in_notes=True)
    # fluidsynth stops at the last MIDI event; a harmless volume event at the end keeps it
    # rendering through the release tail.
    tail = pretty_midi.ControlChange(number=7, value=100, time=notes.end)
    midi.instruments[0].control_changes.append(tail)
    midi.write(str(path))


def synthesise_piano(notes: MidiNotes, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Additive piano-like synthesis: every note is added into one buffer."""
    length = int(np.ceil(notes.end * sr))
    out = np.zeros(length, dtype=np.float64)
    rng = np.random.default_rng(0)  # hammer noise: fixed seed, so renders are repeatable
    for pitch, onset, offset, velocity in zip(
        notes.pitch, notes.onset, notes.sounding_offset, notes.velocity, strict=True
    ):
        tone = _piano_note(int(pitch), float(offset - onset), int(velocity), sr, rng)
        start = round(float(onset) * sr)
        stop = min(start + tone.size, length)
        out[start:stop] += tone[: stop - start]
    return out.astype(np.float32)


# Built-in synthesiser constants (rough values of a real grand, chosen by ear).
_MAX_PARTIALS = 16
_DAMPER_TAU_S = 0.08  # decay after note-off, when the damper falls on the string
_ATTACK_S = 0.003  # hammer contact time
_HAMMER_NOISE_S = 0.012


def _piano_note(
    pitch: int, duration: float, velocity: int, sr: int, rng: np.random.Generator
) -> np.ndarray:
    """One struck string: inharmonic partials, each decaying exponentially, then damped."""
    f0 = 440.0 * 2.0 ** ((pitch - 69) / 12)
    loud = velocity / 127
    # Low strings ring for seconds, high ones for a fraction of one.
    tau0 = float(np.clip(4.0 * (261.6 / f0) ** 0.6, 0.25, 12.0))
    sounding = min(duration, 7.0 * tau0)  # past 7 tau the string is already -60 dB
    t = np.arange(int((sounding + 5 * _DAMPER_TAU_S) * sr)) / sr

    # Stiff strings: partial k sits at k*f0*sqrt(1 + B k^2); B grows towards the treble.
    inharmonicity = 1e-4 * 2.0 ** ((pitch - 60) / 24)
    k = np.arange(1, _MAX_PARTIALS + 1)
    freqs = k * f0 * np.sqrt(1 + inharmonicity * k**2)
    below_nyquist = (freqs < 0.45 * sr) | (k == 1)  # the fundamental always sounds
    k, freqs = k[below_nyquist], freqs[below_nyquist]
    # Harder blows excite more upper partials (brighter), and upper partials die faster.
    amps = k ** -(2.4 - 1.4 * loud)
    taus = tau0 / (1 + 0.6 * (k - 1))
    phases = rng.uniform(0, 2 * np.pi, k.size)
    partials = np.sin(2 * np.pi * freqs[:, None] * t + phases[:, None])
    tone = (amps[:, None] * np.exp(-t / taus[:, None]) * partials).sum(axis=0)

    envelope = np.minimum(t / _ATTACK_S, 1.0)
    envelope *= np.exp(-np.maximum(t - sounding, 0.0) / _DAMPER_TAU_S)
    tone *= envelope / amps.sum()
    # The hammer's thump: a short burst of decaying noise, louder for harder blows.
    thump = t[: int(_HAMMER_NOISE_S * sr)]
    tone[: thump.size] += 0.05 * loud * rng.standard_normal(thump.size) * np.exp(-thump / 0.004)
    return loud**1.5 * tone


def _normalise(audio: np.ndarray) -> np.ndarray:
    peak = float(np.abs(audio).max())
    return audio if peak == 0 else (audio * (PEAK_LEVEL / peak)).astype(np.float32)
