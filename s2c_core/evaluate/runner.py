"""Evaluate an S2C checkpoint (and the MIDI engine) on a PianoMotion10M split.

Protocol (S2C_REFERENCE §5.1): the reader's random 8 s crops (seed 2014, read in order, so
identical for every run), batches of `batch_size` windows (64 in the reference, which
matters under its batch-joint audio normalisation), `runs` repeated stochastic sampling runs
(10 in the reference), each run scored on every window; the report gives the mean over runs
and the best run by the reference's weighted composite, as `S2C:eval.py` prints both. Run r
draws its noise from its own CPU generator seeded `seed + r`, so results do not depend on
the batch size or the device's RNG.

The MIDI engine is scored on the same windows from the notes they contain (the video's MIDI
cut to the window; see `windows`), once (it is deterministic). Windows without MIDI or
without notes are left out for it; the report gives its window count. The ground truth is
scored with our metrics only, as the ceiling of key contact and the natural jitter.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from ..data.pianomotion import HANDS
from ..engines.midi.engine import generate_from_notes
from ..engines.s2c.engine import select_device
from ..engines.s2c.errors import CheckpointError
from ..engines.s2c.model import S2C
from ..engines.s2c.ode_samplers import select_sampler
from ..engines.s2c.samplers import Sampler
from ..hand.rig import HandRig, builtin_rig
from ..music.keyboard import Keyboard
from ..music.midi import MidiNotes
from ..pm10m import motion_to_pm10m, normalise
from .autoencoder import GestureAutoencoder
from .metrics import frechet_distance
from .scoring import (
    REFERENCE_KEYS,
    Scores,
    fgd_features,
    metric_names,
    over_runs,
    own_scores,
    reference_scores,
    summarise,
    to_motion,
)
from .windows import EvalWindow, Targets, WindowSource

REPORT_FORMAT = "s2c-hands-evaluation"
REPORT_VERSION = 1
Progress = Callable[[str], None]


class EvaluationError(ValueError):
    """A checkpoint, data folder or autoencoder cannot be used (one line naming it)."""


@dataclass(frozen=True)
class EvalOptions:
    runs: int = 10  # the reference's best-of-10
    sampler: str = "ddpm"  # the reference's 1000 ancestral steps; dpm/ddim for speed
    steps: int | None = None
    batch_size: int = 64
    seed: int = 0
    device: str = "auto"
    limit: int | None = None  # the first N windows only (same crops as a full run)
    autoencoder: Path | None = None  # gesture_autoencoder_checkpoint_best.bin, for FGD
    hubert: Path | None = None  # overrides args_posi.txt's wav2vec_path (official folders)
    reference_compat: bool = False  # the released code's inference quirks (CompatConfig)


@dataclass(frozen=True)
class _Context:
    rig: HandRig
    keyboard: Keyboard
    autoencoder: GestureAutoencoder | None


class _Tally:
    """One run of one engine: per-window scores, and autoencoder features for FGD."""

    def __init__(self, context: _Context, reference: bool = True) -> None:
        self.context, self.reference = context, reference
        self.windows: list[Scores] = []
        self.truth_features: list[np.ndarray] = []
        self.generated_features: list[np.ndarray] = []

    def add(
        self,
        windows: list[EvalWindow],
        preds: list[Targets],
        tables: Iterable[np.ndarray | None] | None = None,
    ) -> None:
        tables = tables or [None] * len(windows)
        for window, pred, table in zip(windows, preds, tables, strict=True):
            scores = reference_scores(window.truth, pred) if self.reference else {}
            motion = to_motion(pred, self.context.rig)
            scores |= own_scores(motion, window.notes, table, self.context.keyboard)
            self.windows.append(scores)
        encoder = self.context.autoencoder
        if encoder is not None and self.reference and windows:
            self.truth_features.append(fgd_features(encoder, [w.truth for w in windows]))
            self.generated_features.append(fgd_features(encoder, preds))

    def summary(self) -> Scores:
        fgd = None
        if sum(map(len, self.truth_features)) >= 2:  # a covariance needs two windows
            truth, generated = self.truth_features, self.generated_features
            fgd = frechet_distance(np.concatenate(truth), np.concatenate(generated))
        return summarise(self.windows, fgd)


def evaluate(
    checkpoint: str | os.PathLike,
    data_root: str | os.PathLike,
    split: str,
    options: EvalOptions | None = None,
    progress: Progress | None = None,
) -> dict:
    """Score the checkpoint and the MIDI engine; returns the report (see `report.py`)."""
    options = options or EvalOptions()
    report_line = progress or (lambda message: None)
    limit = 1 if options.limit is None else options.limit
    if min(options.runs, options.batch_size, limit) < 1:
        raise ValueError("runs, batch size and limit must be at least 1")
    sampler = select_sampler(options.sampler, options.steps)
    device = select_device(options.device)
    source = _open_windows(Path(data_root), split, options.limit)
    model = _load_model(Path(checkpoint), options, device)
    context = _Context(builtin_rig("right"), Keyboard(), _load_autoencoder(options.autoencoder))
    torch.manual_seed(options.seed)  # dropout under --reference-compat uses the global RNG
    generators = [torch.Generator().manual_seed(options.seed + r) for r in range(options.runs)]
    runs = [_Tally(context) for _ in generators]
    midi, truth = _Tally(context), _Tally(context, reference=False)
    done = 0
    for batch in _batches(source, options.batch_size):
        audio = torch.from_numpy(np.stack([w.audio for w in batch]))
        for tally, generator in zip(runs, generators, strict=True):
            tally.add(batch, _sample(model, audio, sampler, generator))
        truth.add(batch, [w.truth for w in batch])
        _add_midi_engine(midi, batch, context.rig)
        done += len(batch)
        report_line(f"{done}/{source.count} windows scored ({options.runs} runs)")
    return _report(checkpoint, data_root, split, options, device, source, runs, midi, truth)


def _open_windows(root: Path, split: str, limit: int | None) -> WindowSource:
    if not root.is_dir():
        raise EvaluationError(f"{root}: data root not found")
    try:
        source = WindowSource(root, split, limit)
    except (FileNotFoundError, ValueError) as exc:
        raise EvaluationError(str(exc)) from exc
    if source.count == 0:
        raise EvaluationError(f"{root}: no usable {split} sequences (see the warnings above)")
    return source


def _load_model(path: Path, options: EvalOptions, device: torch.device) -> S2C:
    if not path.exists():
        raise EvaluationError(f"{path}: checkpoint not found")
    try:
        model = S2C.from_pretrained(
            path, options.hubert, device, reference_compat=options.reference_compat
        )
    except (CheckpointError, FileNotFoundError) as exc:
        raise EvaluationError(str(exc)) from exc
    return model.eval()


def _load_autoencoder(path: Path | None) -> GestureAutoencoder | None:
    if path is None:
        return None
    try:
        return GestureAutoencoder.load(path)
    except ValueError as exc:
        raise EvaluationError(str(exc)) from exc


def _batches(windows: Iterable[EvalWindow], size: int) -> Iterator[list[EvalWindow]]:
    batch: list[EvalWindow] = []
    for window in windows:
        batch.append(window)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sample(
    model: S2C, audio: torch.Tensor, sampler: Sampler, generator: torch.Generator
) -> list[Targets]:
    """One stochastic run on a batch: poses from the denoisers, positions from stage 1 (the
    reference scores PD on the stage-1 guide)."""
    # stage 1 is encoded per run: under the reference's inference dropout it varies too
    cond = model.encode_audio(audio)
    pose = model.sample(cond, generator=generator, sampler=sampler)
    pose_np = {hand: pose[hand].transpose(1, 2).float().cpu().numpy() for hand in HANDS}
    position = {hand: cond.position[hand].float().cpu().numpy() for hand in HANDS}
    return [
        Targets({h: pose_np[h][i] for h in HANDS}, {h: position[h][i] for h in HANDS})
        for i in range(len(audio))
    ]


def _add_midi_engine(tally: _Tally, batch: list[EvalWindow], rig: HandRig) -> None:
    played = [w for w in batch if w.notes is not None and len(w.notes)]
    results = [_midi_engine_window(w.notes, rig, len(w.truth.pose["right"])) for w in played]
    tally.add(played, [r[0] for r in results], [r[1] for r in results])


def _midi_engine_window(notes: MidiNotes, rig: HandRig, frames: int) -> tuple[Targets, np.ndarray]:
    """The MIDI engine on one window's notes, in the models' units, and its note table.

    The take is cut to the window, or held on its last frame when the notes end early.
    """
    motion = generate_from_notes(notes, rig=rig)
    right, left = (_fit_length(f, frames) for f in motion_to_pm10m(motion, rig))
    pose, position = {}, {}
    for hand, hand_frames in (("right", right), ("left", left)):
        pose[hand], position[hand] = normalise(hand_frames)
    return Targets(pose, position), motion.notes


def _fit_length(frames: np.ndarray, count: int) -> np.ndarray:
    if len(frames) >= count:
        return frames[:count]
    return np.concatenate([frames, np.repeat(frames[-1:], count - len(frames), axis=0)])


def _report(
    checkpoint: str | os.PathLike,
    data_root: str | os.PathLike,
    split: str,
    options: EvalOptions,
    device: torch.device,
    source: WindowSource,
    runs: list[_Tally],
    midi: _Tally,
    truth: _Tally,
) -> dict:
    s2c = over_runs([tally.summary() for tally in runs])
    engines = {
        "s2c": {"windows": len(runs[0].windows), **s2c},
        "midi": {"windows": len(midi.windows), **over_runs([midi.summary()])}
        if midi.windows
        else None,
        "ground_truth": {"windows": len(truth.windows), "mean": truth.summary()},
    }
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "checkpoint": str(checkpoint),
        "data_root": str(data_root),
        "split": split,
        "windows": source.count,
        "options": {**_jsonable(asdict(options)), "device": str(device)},
        "metrics": metric_names(),
        "reference_keys": REFERENCE_KEYS,
        "engines": engines,
        "not_computed": _not_computed(options, engines),
        "skipped": [{"path": str(s.path), "reason": s.reason} for s in source.skipped],
        "midi_problems": [{"path": str(s.path), "reason": s.reason} for s in source.midi_problems],
    }


def _jsonable(values: dict) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}


def _not_computed(options: EvalOptions, engines: dict) -> dict[str, str]:
    """Why a metric is missing from the report, per metric."""
    reasons = {}
    if options.autoencoder is None:
        reasons["fgd"] = "no --autoencoder given (the reference gesture autoencoder checkpoint)"
    elif engines["s2c"]["mean"]["fgd"] is None:
        reasons["fgd"] = "needs at least 2 windows"
    if engines["s2c"]["mean"]["key_contact"] is None:
        reasons["key_contact"] = "no window has MIDI notes (midi/<up>/<BV>.mid)"
    if engines["midi"] is None:
        reasons["midi_engine"] = "no window has MIDI notes to animate"
    return reasons
