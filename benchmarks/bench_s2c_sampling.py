"""Full-size S2C sampling speed: reference DDPM-1000 vs the fast samplers.

Builds the official architecture (HuBERT-large stage 1 + dim-256 U-Nets with HCAA, both
hands) with random weights, then times one 8 s window: stage 1 once, and each sampler's
loop. Network evaluations per window are 2 x steps (one U-Net per hand per step); the
reference takes 2 x 1000. DDPM's 1000 steps can be cut short with --ddpm-steps on slow
machines: the per-step time is then measured over that many steps and extrapolated to
1000 (printed as such). Prints time per window, real-time factor (8 s of music / time) and
the ratios against DDPM-1000, plus the device.

  python benchmarks/bench_s2c_sampling.py [--device auto|cpu|cuda] [--ddpm-steps N]
                                          [--autocast] [--batch B]
"""

from __future__ import annotations

import argparse
import time

import torch

from s2c_core.engines.s2c import S2C, S2CConfig
from s2c_core.engines.s2c.config import hubert_large_config
from s2c_core.engines.s2c.longform import generate_long
from s2c_core.engines.s2c.ode_samplers import select_sampler
from s2c_core.engines.s2c.samplers import ddpm_sample, initial_noise

WINDOW_SECONDS = 8.0
WINDOW_SAMPLES = 128_000


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _time(fn, device: torch.device) -> float:
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--ddpm-steps",
        type=int,
        default=None,
        help="DDPM steps actually run (default: 1000 on a GPU, 5 on the CPU)",
    )
    parser.add_argument("--batch", type=int, default=1, help="windows sampled together")
    parser.add_argument("--autocast", action="store_true", help="bf16 autocast (CUDA)")
    parser.add_argument(
        "--piece-seconds",
        type=float,
        default=0.0,
        help="also time the whole long-form path (dpm-20) on a piece this long",
    )
    args = parser.parse_args()
    device = torch.device(
        ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    )
    if args.ddpm_steps is None:
        args.ddpm_steps = 1000 if device.type == "cuda" else 5
    torch.manual_seed(0)
    with torch.device(device):
        model = S2C(S2CConfig(hubert=hubert_large_config().to_dict())).eval()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"device: {device} ({name}); threads {torch.get_num_threads()}; batch {args.batch}; "
          f"autocast bf16: {args.autocast}")  # fmt: skip
    audio = torch.randn(args.batch, WINDOW_SAMPLES, device=device) * 0.1
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.autocast)
    with torch.no_grad(), autocast:
        cond = model.encode_audio(audio)  # warm-up
        stage1 = _time(lambda: model.encode_audio(audio), device)
        prepared = model.prepare(cond)
        schedule = model.schedule.to(device)
        x_T = initial_noise((args.batch, 48, 240), generator=None, device=device)

        def denoise(x, t):
            return model.denoise(x, t, prepared)

        denoise(x_T, torch.zeros(args.batch, dtype=torch.long, device=device))  # warm-up
        ddpm_loop = _time(lambda: _partial_ddpm(denoise, schedule, x_T, args.ddpm_steps), device)
        ddpm_window = stage1 + ddpm_loop * 1000 / args.ddpm_steps
        rows = [("ddpm", 1000, ddpm_window, args.ddpm_steps < 1000)]
        for sampler_name, steps in (("ddim", 50), ("dpm", 20), ("dpm", 10)):
            sampler = select_sampler(sampler_name, steps)
            rows.append((sampler_name, steps,
                         stage1 + _time(lambda s=sampler: s(denoise, schedule, x_T), device),
                         False))  # fmt: skip
    print(f"stage 1 (both hands' position predictors): {stage1:.3f} s per batch")
    print(f"{'sampler':<8}{'steps':>6}{'net evals':>11}{'s/window':>11}{'RTF':>9}"
          f"{'evals ratio':>13}{'wall ratio':>12}")  # fmt: skip
    for sampler_name, steps, seconds, extrapolated in rows:
        per_window = seconds / args.batch
        note = f"  (DDPM loop extrapolated from {args.ddpm_steps} steps)" if extrapolated else ""
        print(f"{sampler_name:<8}{steps:>6}{2 * steps:>11}{per_window:>11.2f}"
              f"{WINDOW_SECONDS / per_window:>9.2f}{2000 / (2 * steps):>12.0f}x"
              f"{ddpm_window / seconds:>11.1f}x{note}")  # fmt: skip
    if args.piece_seconds:
        _time_piece(model, device, args.piece_seconds, autocast)


def _time_piece(model, device: torch.device, seconds: float, autocast) -> None:
    """The user's path: stage 1 batched over windows, windows sampled with inpainting."""
    audio = (torch.randn(int(seconds * 16_000)) * 0.1).numpy()
    sampler = select_sampler("dpm", 20)
    with torch.no_grad(), autocast:
        elapsed = _time(lambda: generate_long(model, audio, sampler,
                                              generator=torch.Generator().manual_seed(0)),
                        device)  # fmt: skip
    print(
        f"long-form dpm-20, {seconds:.0f} s piece: {elapsed:.1f} s "
        f"(real-time factor {seconds / elapsed:.2f})"
    )


def _partial_ddpm(denoise, schedule, x_T, steps: int):
    """The reference DDPM loop over its last `steps` timesteps (all 1000 by default)."""
    if steps >= schedule.timesteps:
        return ddpm_sample(denoise, schedule, x_T)
    truncated = type(schedule)(**{k: v[:steps] for k, v in schedule.tables().items()})
    return ddpm_sample(denoise, truncated, x_T)


if __name__ == "__main__":
    main()
