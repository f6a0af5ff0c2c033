"""Piano audio -> notes, velocities and sustain pedal with transkun (Yan & Duan, ISMIR 2024).

transkun 2.0.1 (MIT) is a piano-specialised transcriber: a transformer scores note intervals
and a neural semi-CRF decodes them ("Scoring intervals using non-hierarchical transformer for
automatic piano transcription", https://arxiv.org/abs/2404.09466). Its weights (`2.0.pt`,
a plain state dict) and model config ship inside the wheel, so nothing is downloaded at run
time; the checkpoint is read with `torch.load(weights_only=True)` (no pickled code runs).

The package's one use of torchaudio is computing the mel filterbank when the model is built;
torchaudio pins an older torch than ours, so transkun is installed with `--no-deps` and the
model is built with a subclass of transkun's own `MelSpectrum` that leaves that filterbank to
the checkpoint, which stores it as the buffer `framewiseFeatureExtractor.freq2mels` (the
exact matrix the model was trained with). Everything else is transkun's own code.

Speed on a 2-core CPU: upstream's 16 s segments with an 8 s hop process every sample twice;
back-to-back 16 s segments (transkun's decoder carries each pitch's open interval across the
boundary) and bf16 autocast where the CPU has native bf16 keep the note F1 and run 5x faster
per CPU second (numbers in docs/audio.md). With CUDA available the model runs there, in
float32 (not measured here: no GPU was available).
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from unittest import mock

import numpy as np

from .audio import SAMPLE_RATE
from .midi import MidiNotes, transcribed_notes
from .transcribe import ProgressCallback, TranscriptionError, load_recording

# transkun writes pedals as notes with negative pitch: -64 sustain (CC64), -67 soft (CC67).
_SUSTAIN = -64
TRANSKUN_VERSION = "2.0.1"
MODEL_RATE = 44_100  # 2.0.conf "fs"; checked against the model when it loads
# Half the cores for torch's intra-op threads: on the 2-core machine one thread transcribed
# a minute of audio in 28 s and two threads took 74 s while one other process ran (OpenMP
# threads wait for each other whenever a core is busy); it also leaves Blender a core.
THREADS = max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class TranskunSettings:
    """How the recording is cut for the model; part of the transcription cache key."""

    segment_s: float = 16.0  # the model's training segment length (2.0.conf)
    hop_s: float = 16.0  # == segment_s: no overlap; upstream's default is 8 (2x the work)
    bf16: bool = True  # autocast matmuls to bf16 when the CPU supports it natively

    def key(self) -> dict:
        return {"transkun": TRANSKUN_VERSION, **asdict(self)}


def transcribe_transkun(
    audio_or_path: np.ndarray | str | os.PathLike,
    sr: int = SAMPLE_RATE,
    settings: TranskunSettings = TranskunSettings(),  # noqa: B008  (frozen, so shared safely)
    progress: ProgressCallback | None = None,
) -> MidiNotes:
    """Notes (with velocities) and sustain-pedal intervals of a piano recording.

    Note offsets are key releases (the shipped checkpoint is trained without pedal extension
    of notes), so `MidiNotes.pedal` and `sounding_offset` say how long each note rings.
    """
    import torch

    source, audio = load_recording(audio_or_path, sr, MODEL_RATE)
    device = transkun_device()
    model = load_transkun(device)
    samples = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))[:, None]
    total = _segment_count(model, audio.size, settings)
    if progress is not None:
        progress(0, total, "transcribing, estimating the time left")
    hook = model.backbone.register_forward_hook(_eta_reporter(total, progress))
    on_cpu_bf16 = device == "cpu" and _use_bf16(settings)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=on_cpu_bf16)
    try:
        with torch.inference_mode(), autocast, _quiet_upstream(), _cpu_threads(THREADS):
            events = model.transcribe(
                samples.to(device),
                stepInSecond=settings.hop_s,
                segmentSizeInSecond=settings.segment_s,
                discardSecondHalf=False,
            )
    finally:
        hook.remove()
    notes = [e for e in events if e.pitch > 0]
    if not notes:
        raise TranscriptionError(f"{source}: no piano notes found in the recording")
    pedal = [(e.start, e.end) for e in events if e.pitch == _SUSTAIN and e.end > e.start]
    return _to_notes(source, notes, pedal)


def transkun_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@lru_cache(maxsize=2)
def load_transkun(device: str = "cpu"):
    """transkun's pretrained 2.0 model in eval mode on `device` (loaded once per process).

    Upstream's own command line offers `--device cuda`; the model code is the same."""
    import torch

    try:
        with _quiet_upstream():
            from transkun import ModelTransformer
    except ImportError as exc:
        raise TranscriptionError(
            f"the accurate transcriber needs transkun ({exc}); install it with "
            "`pip install --no-deps transkun==2.0.1` (see docs/audio.md), "
            "or use --transcriber fast"
        ) from exc
    pretrained = resources.files("transkun") / "pretrained"
    described = json.loads((pretrained / "2.0.conf").read_text())["Model"]
    if described["module"] != ModelTransformer.__name__:
        raise TranscriptionError(f"transkun 2.0.conf names an unknown model {described['module']}")
    conf = ModelTransformer.Config()
    conf.__dict__.update(described["config"])
    with resources.as_file(pretrained / "2.0.pt") as weights:
        state = torch.load(weights, map_location="cpu", weights_only=True)["state_dict"]
    mel = mock.patch.object(ModelTransformer, "MelSpectrum", _checkpoint_mel_spectrum())
    with mel, _quiet_upstream():
        model = ModelTransformer.TransKun(conf=conf)
    model.load_state_dict(state, strict=True)  # strict: the filterbank must come from it
    if model.fs != MODEL_RATE:
        raise TranscriptionError(f"transkun 2.0.conf expects {model.fs} Hz, not {MODEL_RATE}")
    return model.eval().to(device)


def _checkpoint_mel_spectrum() -> type:
    """transkun's MelSpectrum with its filterbank buffer filled by load_state_dict.

    Upstream's constructor computes the same (n_fft/2+1, n_mels) matrix with torchaudio;
    here it starts as NaN so that a checkpoint without it could never pass unnoticed.
    """
    import torch
    from transkun.Util import MelSpectrum, Spectrum

    class CheckpointMelSpectrum(MelSpectrum):
        def __init__(
            self, windowSize, f_min, f_max, n_mels, fs, nExtraWins=0, log=False, eps=1e-5,
            toMono=False,
        ):  # fmt: skip
            torch.nn.Module.__init__(self)
            self.outputDim = n_mels
            self.nChannel = nExtraWins + 1
            self.register_buffer("freq2mels", torch.full((windowSize // 2 + 1, n_mels), np.nan))
            self.log = log
            self.eps = eps
            self.spectrogramExtractor = Spectrum(windowSize, nExtraWins)
            self.toMono = toMono

    return CheckpointMelSpectrum


@contextmanager
def _cpu_threads(count: int) -> Iterator[None]:
    """torch's intra-op threads set to `count` for the duration, then put back."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def _quiet_upstream() -> Iterator[None]:
    """Hide torch's deprecation notes about how transkun calls it (torch.jit.script,
    activation checkpointing at inference); they are not the user's concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*torch.jit.script.*is deprecated")
        warnings.filterwarnings("ignore", message="torch.utils.checkpoint")
        warnings.filterwarnings("ignore", message="None of the inputs have requires_grad")
        yield


def _segment_count(model, num_samples: int, settings: TranskunSettings) -> int:
    """How many segments `TransKun.transcribe` will run (its own padding and step rules)."""
    pad = math.ceil((settings.segment_s - settings.hop_s) * model.fs)
    step = math.ceil(settings.hop_s * model.fs / model.hopSize) * model.hopSize
    return math.ceil((num_samples + 2 * pad) / step)


def _eta_reporter(total: int, progress: ProgressCallback | None) -> Callable:
    """A forward hook on the backbone (one call per segment) reporting done/total and an ETA."""
    started = time.perf_counter()
    done = 0

    def hook(*_) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            left = (time.perf_counter() - started) / done * (total - done)
            progress(min(done, total), total, f"transcribing, about {format_eta(left)} left")

    return hook


def format_eta(seconds: float) -> str:
    """'45 s', '3 min 20 s' or '1 h 05 min': an estimate, so whole units only."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _use_bf16(settings: TranskunSettings) -> bool:
    """bf16 only where the CPU computes it natively; emulated bf16 is slower than float32."""
    import torch

    return settings.bf16 and torch.backends.mkldnn.is_available() and _cpu_has_bf16()


@lru_cache(maxsize=1)
def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))


def _to_notes(source: Path, notes: list, pedal: list[tuple[float, float]]) -> MidiNotes:
    table = np.array([(n.pitch, n.start, n.end, n.velocity) for n in notes], dtype=np.float64)
    # A note transkun closes at its own onset still sounded: give it a minimal 10 ms.
    table[:, 2] = np.maximum(table[:, 2], table[:, 1] + 0.01)
    return transcribed_notes(source, table, pedal)
