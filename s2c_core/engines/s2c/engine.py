"""Audio -> HandMotion with the S2C model: device, precision, long-form sampling."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ...hand.rig import HandRig
from ...motion import HandMotion, MotionMetadata
from .config import HANDS
from .longform import LongformResult, WindowPlan, generate_long
from .model import S2C
from .ode_samplers import select_sampler
from .reference_infer import WINDOW_FRAMES, generate_reference
from .samplers import Sampler
from .smoothing import savgol_smooth
from .to_motion import motion_from_prediction

ENGINE_NAME = "s2c"
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class S2COptions:
    checkpoint: Path
    hubert: Path | None = None
    sampler: str = "dpm"  # ddpm (the reference, 1000 steps) | ddim | dpm
    steps: int | None = None  # network evaluations for ddim/dpm; their defaults when None
    seed: int = 0
    device: str = "auto"  # auto | cuda | mps | cpu
    plan: WindowPlan = WindowPlan()
    # the authors' infer.py per 8 s window (reference_infer.py) instead of our long-form path
    reference_compat: bool = False
    # Savitzky-Golay (5, 2) of angles and positions, as the reference's renders. On by default:
    # benchmarks/bench_s2c_smoothing.py measured jitter x0.33 and key contact after refinement
    # 0.22 -> 0.28 (docs/s2c_engine.md)
    smooth: bool = True

    def __post_init__(self) -> None:
        if self.reference_compat and (self.sampler != "ddpm" or self.steps is not None):
            raise ValueError(
                "--reference-compat samples as the reference does (DDPM, 1000 steps); "
                "drop --sampler/--steps"
            )


def select_device(name: str) -> torch.device:
    """'auto' takes CUDA, then Apple MPS, then the CPU; an explicit choice must exist."""
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None
        and torch.backends.mps.is_available(),
        "cpu": True,
    }
    if name == "auto":
        return torch.device(next(kind for kind, ok in available.items() if ok))
    if name not in available:
        raise ValueError(f"unknown device {name!r} (choose auto, cuda, mps or cpu)")
    if not available[name]:
        raise ValueError(f"device {name!r} is not available on this machine")
    return torch.device(name)


def _precision(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA (the U-Nets and HuBERT are matmul-bound); full fp32 elsewhere."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def generate_with_s2c(
    audio: np.ndarray,
    options: S2COptions,
    rig: HandRig,
    source: str,
    progress: Progress | None = None,
) -> HandMotion:
    """audio: (N,) float32 mono at 16 kHz of any length."""
    device = select_device(options.device)
    sampler = None if options.reference_compat else select_sampler(options.sampler, options.steps)
    model = S2C.from_pretrained(
        options.checkpoint,
        hubert_path=options.hubert,
        device=device,
        reference_compat=options.reference_compat,
    )
    if options.reference_compat:  # float32, consecutive 8 s windows, as the reference
        result = generate_reference(
            model, audio, options.seed, smooth=options.smooth, progress=progress
        )
        window, overlap = WINDOW_FRAMES, 0
    else:
        result = _generate_ours(model, audio, sampler, options, progress)
        window, overlap = options.plan.window, options.plan.overlap
    metadata = MotionMetadata(
        engine=ENGINE_NAME,
        engine_version="1",
        source=source,
        seed=options.seed,
        hand_model=rig.name,
        checkpoint=str(options.checkpoint),
        extra={
            "sampler": options.sampler,
            "steps": options.steps,
            "device": str(device),
            "window": window,
            "overlap": overlap,
            "seams": result.seams,
            "reference_compat": options.reference_compat,
            "smooth": options.smooth,
        },
    )
    return motion_from_prediction(result.pose, result.position, rig, metadata)


def _generate_ours(
    model: S2C,
    audio: np.ndarray,
    sampler: Sampler,
    options: S2COptions,
    progress: Progress | None,
) -> LongformResult:
    # a CPU generator draws the same noise whatever device the model runs on
    generator = torch.Generator().manual_seed(options.seed)
    with _precision(model.device):
        result = generate_long(
            model, audio, sampler, plan=options.plan, generator=generator, progress=progress
        )
    if options.smooth:  # over the whole stitched track: the seams are smooth already
        for hand in HANDS:
            result.pose[hand] = savgol_smooth(result.pose[hand])
            result.position[hand] = savgol_smooth(result.position[hand])
    return result
