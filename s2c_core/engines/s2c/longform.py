"""Any-length S2C generation: overlapping 240-frame windows stitched without seams.

The reference samples one 8 s window. Here the piece is cut into windows that overlap by
`overlap` frames. Stage 1 runs per window and the wrist positions of neighbouring windows
are cross-faded in their overlap, so both hands' guides form one continuous track. Stage 2
samples the windows in order; every window after the first is *inpainted*: its first
`overlap` frames are constrained to the previous window's final frames by overriding the
network's v there so that its x0 equals the known frames at every step (valid for any
sampler that forms x0 = a x - s v), firmly for the first half of the overlap and easing
off over the second half, while the free frames are denoised next to them; the stitched
overlap blends the two windows with the same weights, so the hand-over is spread over
frames rather than falling on one. Besides the audio and the output arrays, memory holds
one stage-1 batch of windows (`WindowPlan.batch`) at a time, whatever the length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from .config import FPS, HANDS, SAMPLE_RATE, SAMPLES_PER_STEP
from .model import S2C, AudioCondition
from .samplers import HandTensors, Sampler, initial_noise

FRAMES_PER_STEP = SAMPLES_PER_STEP * FPS // SAMPLE_RATE


@dataclass(frozen=True)
class WindowPlan:
    window: int = 240  # frames per window (the reference's 8 s)
    overlap: int = 48  # frames shared by neighbouring windows
    batch: int = 8  # windows encoded together by stage 1 (the HuBERT-heavy part)

    def __post_init__(self) -> None:
        if self.window % FRAMES_PER_STEP or self.overlap % FRAMES_PER_STEP:
            raise ValueError(f"window and overlap must be multiples of {FRAMES_PER_STEP} frames")
        if not 0 <= self.overlap < self.window:
            raise ValueError("overlap must be at least 0 and shorter than the window")

    @property
    def hop(self) -> int:
        return self.window - self.overlap

    def starts(self, frames: int) -> list[int]:
        """First frame of each window so that the windows cover `frames` frames."""
        count = max(1, -(-max(frames - self.overlap, 1) // self.hop))
        return [i * self.hop for i in range(count)]


@dataclass
class LongformResult:
    pose: dict[str, np.ndarray]  # per hand (F, 48) normalised (x pi for radians)
    position: dict[str, np.ndarray]  # per hand (F, 3) normalised wrist xyz
    seams: list[tuple[int, int]]  # first and last frame of each hand-over between windows


ProgressFn = Callable[[int, int, str], None]


def generate_long(
    model: S2C,
    audio: np.ndarray,
    sampler: Sampler,
    *,
    plan: WindowPlan | None = None,
    generator: torch.Generator | None = None,
    progress: ProgressFn | None = None,
) -> LongformResult:
    """audio: (N,) float32 at 16 kHz of any length -> poses and positions for every frame."""
    plan = plan or WindowPlan()
    frames = int(np.ceil(len(audio) * FPS / SAMPLE_RATE))
    starts = plan.starts(frames)
    pose = {hand: np.zeros((len(starts) * plan.window, 48), np.float32) for hand in HANDS}
    position = {hand: np.zeros_like(pose[hand][:, :3]) for hand in HANDS}
    previous: HandTensors | None = None
    for index, (start, cond) in enumerate(_blended_conditions(model, audio, starts, plan)):
        previous = _sample_window(model, cond, sampler, previous, plan, generator)
        span = slice(start, start + plan.window)
        for hand in HANDS:  # float(): under bf16 autocast the network outputs are bf16
            pose[hand][span] = previous[hand][0].T.float().cpu().numpy()
            position[hand][span] = cond.position[hand][0].float().cpu().numpy()
        if progress is not None:
            progress(index + 1, len(starts), f"window {index + 1}/{len(starts)}")
    first = plan.overlap // 2  # where the previous window starts to hand over (_pin_weights)
    seams = [(start + first, start + plan.overlap) for start in starts[1:]]
    return LongformResult(
        {hand: pose[hand][:frames] for hand in HANDS},
        {hand: position[hand][:frames] for hand in HANDS},
        [seam for seam in seams if seam[1] < frames],
    )


def _stage1_batch(model: S2C, plan: WindowPlan) -> int:
    """Windows per stage-1 call. The reference quirks make results depend on the batch
    (joint normalisation, the causal mask at batch 1), so they get one window at a time."""
    compat = model.compat
    return 1 if compat.batch_joint_normalisation or compat.causal_mask == "batch1" else plan.batch


def _encoded_windows(
    model: S2C, audio: np.ndarray, starts: list[int], plan: WindowPlan
) -> Iterator[AudioCondition]:
    """Stage 1 of each window (batch 1 views), computed `_stage1_batch` windows at a time."""
    samples = plan.window * SAMPLE_RATE // FPS
    batch = _stage1_batch(model, plan)
    for first in range(0, len(starts), batch):
        offsets = [start * SAMPLE_RATE // FPS for start in starts[first : first + batch]]
        chunk = np.stack([_window_audio(audio, offset, samples) for offset in offsets])
        cond = model.encode_audio(torch.from_numpy(chunk))
        for i in range(len(chunk)):
            yield AudioCondition(
                {hand: cond.position[hand][i : i + 1] for hand in HANDS},
                {hand: cond.hidden[hand][i : i + 1] for hand in HANDS},
            )


def _window_audio(audio: np.ndarray, offset: int, samples: int) -> np.ndarray:
    """`samples` float32 samples from `offset`, zero-padded past the end of the piece."""
    window = np.zeros(samples, dtype=np.float32)
    part = audio[offset : offset + samples]
    window[: len(part)] = part
    return window


def _blended_conditions(
    model: S2C, audio: np.ndarray, starts: list[int], plan: WindowPlan
) -> Iterator[tuple[int, AudioCondition]]:
    """Each window's condition, its wrist positions cross-faded with both neighbours'."""
    fade = torch.linspace(0.0, 1.0, plan.overlap + 2)[1:-1, None]  # weight of the later window
    windows = _encoded_windows(model, audio, starts, plan)
    current = next(windows)
    for start in starts:
        following = next(windows, None)
        if following is not None and plan.overlap:
            for hand in HANDS:
                ours = current.position[hand][0, -plan.overlap :]
                theirs = following.position[hand][0, : plan.overlap]
                blended = (1 - fade.to(ours)) * ours + fade.to(ours) * theirs
                current.position[hand][0, -plan.overlap :] = blended
                following.position[hand][0, : plan.overlap] = blended
        yield start, current
        current = following


def _sample_window(
    model: S2C,
    cond: AudioCondition,
    sampler: Sampler,
    previous: HandTensors | None,
    plan: WindowPlan,
    generator: torch.Generator | None,
) -> HandTensors:
    prepared = model.prepare(cond)
    x_T = initial_noise(
        (1, model.config.unet.channels, plan.window),
        generator=generator,
        device=model.device,
        shared=model.compat.shared_initial_noise,
    )
    known = None
    if previous is not None and plan.overlap:
        known = {hand: previous[hand][..., -plan.overlap :] for hand in HANDS}
    weight = _pin_weights(plan.overlap).to(model.device)

    def denoise(x: HandTensors, t: Tensor) -> HandTensors:
        v = model.denoise(x, t, prepared)
        return v if known is None else _pin_known_frames(model, x, t, v, known, weight)

    with torch.no_grad():
        out = sampler(denoise, model.schedule.to(model.device), x_T, generator=generator)
    if known is not None:  # the overlap: the previous window's frames, handing over smoothly
        for hand in HANDS:
            head = out[hand][..., : plan.overlap].float()
            out[hand] = torch.cat(
                (weight * known[hand] + (1 - weight) * head, out[hand][..., plan.overlap :]), -1
            )
    return out


def _pin_weights(overlap: int) -> Tensor:
    """How firmly each overlap frame is held to the previous window: fully for the first
    half, then easing to zero, so the hand-over to the new window is spread over frames
    instead of falling on one (both are smooth on their own; a blend of them is too)."""
    held = overlap // 2
    ease = torch.linspace(1.0, 0.0, overlap - held + 2)[1:-1]
    return torch.cat((torch.ones(held), ease))


def _pin_known_frames(
    model: S2C,
    x: HandTensors,
    t: Tensor,
    v: HandTensors,
    known: HandTensors,
    weight: Tensor,
) -> HandTensors:
    """Blend v on the overlap frames towards the v whose x0 = a x - s v is the known pose."""
    alpha_bar = model.schedule.alphas_cumprod.to(x["left"].device)[t].reshape(-1, 1, 1)
    a, s = alpha_bar.sqrt(), (1 - alpha_bar).sqrt()
    out = {}
    for hand in HANDS:
        width = known[hand].shape[-1]
        pinned = (a * x[hand][..., :width] - known[hand]) / s
        head = weight * pinned + (1 - weight) * v[hand][..., :width].float()
        out[hand] = torch.cat((head.to(v[hand].dtype), v[hand][..., width:]), -1)
    return out
