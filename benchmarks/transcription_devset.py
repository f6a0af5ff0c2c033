"""A shareable development set for piano transcription: the shared MIDI pieces rendered through
several pianos (soundfonts) and degraded the way real recordings are.

Real recordings cannot be shipped here, so each excerpt is rendered with FluidSynth through
one of three different General MIDI pianos (Debian's fluid-soundfont-gm, timgm6mb-soundfont,
musescore-general-soundfont-small; the sustain pedal included) and then recorded in one of
four conditions:

- close: a close microphone in a small room: RT60 0.4 s, direct sound 10 dB above the
  reverberation, mild microphone colouring, noise 45 dB below the music.
- close+ogg: the same, then Ogg Vorbis (as shared online).
- ambient: a room microphone a few metres away in a hall: RT60 1.6 s, direct sound 4 dB
  *below* the reverberation, the sound arriving 30 ms late (about 10 m of air), stronger
  colouring, noise 30 dB down.
- ambient+mp3: the same, then MP3.

Levels follow published room acoustics: concert halls and large rooms have RT60 1.5-2.2 s
and living rooms/studios 0.3-0.6 s (Beranek, "Concert Halls and Opera Houses", 2004;
ISO 3382-2); the critical distance of such rooms is a few metres, so a room microphone hears
more reverberation than direct sound. Impulse responses are exponentially decaying noise
(the standard statistical model of late reverberation, Schroeder 1962), low-passed as it
decays (air and walls absorb treble first). Every random choice is seeded by the piece and
condition, so the set is the same on every machine.

    python -m benchmarks.transcription_devset OUT_DIR     # writes audio + ground-truth MIDI
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script (make bench) or with -m

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from scipy import signal  # noqa: E402

from s2c_core.music.midi import MidiNotes, read_midi  # noqa: E402
from s2c_core.music.midi_write import write_midi  # noqa: E402
from s2c_core.music.render import render_fluidsynth  # noqa: E402

RATE = 44_100
DEFAULT_MIDI_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "midi"
SOUNDFONTS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"),
)
# Excerpts: (file stem, start s). 15 s each so that one 16 s model segment holds it.
EXCERPTS = (
    ("bach_846", 10.0),
    ("chpn_op10_e01", 5.0),
    ("deb_clai", 20.0),
    ("elise", 15.0),
    ("mond_1", 30.0),
    ("mz_545_1", 0.0),
    ("rac_op3_2", 40.0),
    ("grieg_butterfly", 8.0),
)
EXCERPT_S = 15.0


@dataclass(frozen=True)
class Condition:
    name: str
    rt60_s: float  # reverberation time (decay by 60 dB)
    drr_db: float  # direct-to-reverberant energy ratio
    delay_s: float  # travel time of the direct sound to the microphone
    eq_db: float  # largest gain of the microphone's shelves and presence peak
    snr_db: float  # music-to-noise ratio
    codec: str | None = None  # "ogg" or "mp3"


CONDITIONS = (
    Condition("close", rt60_s=0.4, drr_db=10.0, delay_s=0.002, eq_db=3.0, snr_db=45.0),
    Condition("close+ogg", 0.4, 10.0, 0.002, 3.0, 45.0, codec="ogg"),
    Condition("ambient", rt60_s=1.6, drr_db=-4.0, delay_s=0.030, eq_db=6.0, snr_db=30.0),
    Condition("ambient+mp3", 1.6, -4.0, 0.030, 6.0, 30.0, codec="mp3"),
)
# soundfile's compression level 0..1 (1 = smallest file); 0.6 gives about 100 kbit/s mono.
CODEC_COMPRESSION = 0.6


@dataclass(frozen=True)
class DevItem:
    name: str  # "<piece>@<start>/<soundfont>/<condition>"
    notes: MidiNotes  # the ground truth, times from the excerpt's start
    audio: np.ndarray  # mono float32 at RATE


def room_impulse_response(
    rt60_s: float, drr_db: float, delay_s: float, rng: np.random.Generator, sr: int = RATE
) -> np.ndarray:
    """A direct impulse after `delay_s`, then exponentially decaying, darkening noise."""
    length = int((delay_s + rt60_s) * sr) + 1
    t = np.arange(length - int(delay_s * sr)) / sr
    tail = rng.standard_normal(t.size) * 10.0 ** (-3.0 * t / rt60_s)  # -60 dB at rt60
    # treble decays faster: a one-pole low-pass whose cut-off falls over the tail
    cutoff = 8000.0 * np.exp(-t / rt60_s) + 1500.0
    pole = np.exp(-2 * np.pi * cutoff / sr)
    darkened = np.empty_like(tail)
    state = 0.0
    for i, (x, p) in enumerate(zip(tail, pole, strict=True)):
        state = (1 - p) * x + p * state
        darkened[i] = state
    darkened[0] = 0.0  # the direct sound owns t = 0
    start = int(delay_s * sr)
    response = np.zeros(length)
    reverb_energy = float(np.sum(darkened**2))
    response[start + 1 :] = darkened[1:] * np.sqrt(10.0 ** (-drr_db / 10.0) / reverb_energy)
    response[start] = 1.0
    return response


def microphone_eq(audio: np.ndarray, gain_db: float, rng: np.random.Generator) -> np.ndarray:
    """A low shelf, a high shelf and a presence peak of random gains within +-gain_db."""
    low, high, peak = rng.uniform(-gain_db, gain_db, 3)
    shaped = _biquad(audio, "lowshelf", float(rng.uniform(120, 300)), low)
    shaped = _biquad(shaped, "highshelf", float(rng.uniform(5000, 9000)), high)
    return _biquad(shaped, "peak", float(rng.uniform(2000, 5000)), peak)


def _biquad(audio: np.ndarray, kind: str, freq: float, gain_db: float) -> np.ndarray:
    """RBJ Audio EQ Cookbook filters (R. Bristow-Johnson), Q = S = 1/sqrt(2)."""
    a = 10.0 ** (gain_db / 40.0)
    w0 = 2 * np.pi * freq / RATE
    alpha = np.sin(w0) / 2 * np.sqrt(2)
    cos = np.cos(w0)
    if kind == "peak":
        b = [1 + alpha * a, -2 * cos, 1 - alpha * a]
        den = [1 + alpha / a, -2 * cos, 1 - alpha / a]
    else:
        sign = 1 if kind == "lowshelf" else -1
        root = 2 * np.sqrt(a) * alpha
        b = [
            a * ((a + 1) - sign * (a - 1) * cos + root),
            sign * 2 * a * ((a - 1) - sign * (a + 1) * cos),
            a * ((a + 1) - sign * (a - 1) * cos - root),
        ]
        den = [
            (a + 1) + sign * (a - 1) * cos + root,
            -sign * 2 * ((a - 1) + sign * (a + 1) * cos),
            (a + 1) + sign * (a - 1) * cos - root,
        ]
    return signal.lfilter(b, den, audio)


def add_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Pink noise (room tone, -3 dB/octave) `snr_db` below the signal's mean power."""
    white = rng.standard_normal(audio.size)
    spectrum = np.fft.rfft(white)
    spectrum[1:] /= np.sqrt(np.arange(1, spectrum.size))
    pink = np.fft.irfft(spectrum, audio.size)
    power = np.mean(audio**2) / 10.0 ** (snr_db / 10.0)
    return audio + pink * np.sqrt(power / np.mean(pink**2))


def lossy(audio: np.ndarray, codec: str, sr: int = RATE) -> np.ndarray:
    """Encode with libsndfile's Vorbis or MP3 encoder and decode again."""
    kind = {"ogg": ("OGG", "VORBIS"), "mp3": ("MP3", "MPEG_LAYER_III")}[codec]
    buffer = io.BytesIO()
    sf.write(
        buffer, audio, sr, format=kind[0], subtype=kind[1], compression_level=CODEC_COMPRESSION
    )
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32")
    return _fit(decoded, audio.size)


def degrade(audio: np.ndarray, condition: Condition, seed: int) -> np.ndarray:
    """Room, microphone, noise and codec of `condition`; peak-normalised like a recorder."""
    rng = np.random.default_rng(seed)
    ir = room_impulse_response(condition.rt60_s, condition.drr_db, condition.delay_s, rng)
    wet = signal.fftconvolve(audio.astype(np.float64), ir)[: audio.size]
    wet = add_noise(microphone_eq(wet, condition.eq_db, rng), condition.snr_db, rng)
    wet = (0.9 * wet / np.abs(wet).max()).astype(np.float32)
    return lossy(wet, condition.codec) if condition.codec else wet


def excerpt(notes: MidiNotes, start: float, seconds: float) -> MidiNotes:
    """Notes with an onset in [start, start + seconds), shifted to 0 and cut at the end."""
    keep = (notes.onset >= start) & (notes.onset < start + seconds)
    kept = {name: getattr(notes, name)[keep] for name in ("pitch", "velocity", "track")}
    kept["onset"] = notes.onset[keep] - start
    kept["offset"] = np.minimum(notes.offset[keep], start + seconds) - start
    pedal = np.clip(notes.pedal - start, 0.0, seconds)
    kept["pedal"] = pedal[pedal[:, 1] > pedal[:, 0]]
    return dataclasses.replace(notes, **kept)


def build_devset(
    midi_dir: Path = DEFAULT_MIDI_DIR,
    conditions: tuple[Condition, ...] = CONDITIONS,
    excerpts: tuple[tuple[str, float], ...] = EXCERPTS,
) -> Iterator[DevItem]:
    """Every excerpt through its soundfont (they take turns) in every condition."""
    for index, (stem, start) in enumerate(excerpts):
        notes = excerpt(read_midi(midi_dir / f"{stem}.mid"), start, EXCERPT_S)
        soundfont = SOUNDFONTS[index % len(SOUNDFONTS)]
        clean = _fit(render_fluidsynth(notes, RATE, soundfont), int((EXCERPT_S + 1) * RATE))
        for condition in conditions:
            name = f"{stem}@{start:g}/{soundfont.stem}/{condition.name}"
            yield DevItem(name, notes, degrade(clean, condition, zlib.crc32(name.encode())))


def _fit(audio: np.ndarray, length: int) -> np.ndarray:
    """Cut or zero-pad to `length` samples."""
    return np.pad(audio[:length], (0, max(0, length - audio.size))).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write <item>.flac and <item>.mid to")
    parser.add_argument("--midi-dir", type=Path, default=DEFAULT_MIDI_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for item in build_devset(args.midi_dir):
        stem = item.name.replace("/", "__")
        sf.write(args.out / f"{stem}.flac", item.audio, RATE)
        write_midi(item.notes, args.out / f"{stem}.mid")
        print(f"wrote {stem} ({len(item.notes)} notes)")


if __name__ == "__main__":
    main()
