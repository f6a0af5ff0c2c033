"""The options of a take's preview, shared by `s2c preview` and blender_addon.preview.

No bpy here: the backend builds its command line from these and forwards them to the
Blender process, which validates them again with the same functions.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from s2c_core.motion import HandMotion


@dataclass(frozen=True)
class PreviewSettings:
    width: int = 640  # pixels per view
    height: int = 360
    fps: float | None = None  # default: the take's rate
    start_s: float = 0.0
    end_s: float | None = None  # default: the end of the take
    tiles: int = 6


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The preview's options (shared with `s2c preview`, which forwards them here)."""
    defaults = PreviewSettings()
    parser.add_argument("take", type=Path, help="HandMotion .npz file")
    parser.add_argument("--out", type=Path, required=True, help="the video to write (.mp4)")
    parser.add_argument("--audio", type=Path, help="sound to mux in, starting with the take")
    parser.add_argument(
        "--contact-sheet",
        type=Path,
        help="also write a PNG grid of the hardest passages in the rendered range",
    )
    parser.add_argument(
        "--size",
        type=int,
        nargs=2,
        metavar=("W", "H"),
        default=(defaults.width, defaults.height),
        help=f"pixels of each view; the video is 2W x H (default "
        f"{defaults.width} {defaults.height}; even numbers)",
    )
    parser.add_argument("--fps", type=float, help="video frame rate (default: the take's)")
    parser.add_argument("--start", type=float, default=0.0, help="first second to render")
    parser.add_argument("--end", type=float, help="last second to render (default: the end)")
    parser.add_argument(
        "--tiles",
        type=int,
        default=defaults.tiles,
        help=f"passages on the contact sheet (default {defaults.tiles})",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")


def settings_from(args: argparse.Namespace) -> PreviewSettings:
    width, height = args.size
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ValueError(f"--size {width} {height}: each view needs even sizes of at least 16")
    if args.fps is not None and not args.fps > 0:
        raise ValueError(f"--fps must be positive, got {args.fps}")
    if args.start < 0 or (args.end is not None and not args.end > args.start):
        raise ValueError(f"--start {args.start} / --end {args.end}: need 0 <= start < end")
    if args.tiles < 1:
        raise ValueError(f"--tiles must be at least 1, got {args.tiles}")
    return PreviewSettings(width, height, args.fps, args.start, args.end, args.tiles)


def check_outputs(args: argparse.Namespace) -> None:
    """Raise OSError/ValueError for paths that cannot or must not be used."""
    if args.out.suffix.lower() != ".mp4":
        raise ValueError(f"{args.out}: the video must be an .mp4 file")
    if args.contact_sheet is not None and args.contact_sheet.suffix.lower() != ".png":
        raise ValueError(f"{args.contact_sheet}: the contact sheet must be a .png file")
    for path in filter(None, (args.out, args.contact_sheet)):
        if path.exists() and not args.overwrite:
            raise OSError(f"{path}: already exists (use --overwrite to replace it)")
        if not path.parent.is_dir():
            raise OSError(f"{path.parent}: output folder does not exist")
    if args.audio is not None and not args.audio.is_file():
        raise OSError(f"{args.audio}: no such audio file")


def take_frames(motion: HandMotion, settings: PreviewSettings) -> np.ndarray:
    """Indices of the take's frames shown at the video's rate over [start, end)."""
    fps = settings.fps or motion.fps
    end = min(settings.end_s or motion.duration, motion.duration)
    if settings.start_s >= end:
        raise ValueError(f"--start {settings.start_s}: the take lasts only {motion.duration:.2f} s")
    times = settings.start_s + np.arange(math.ceil((end - settings.start_s) * fps - 1e-9)) / fps
    return np.clip(np.round(times * motion.fps).astype(int), 0, motion.num_frames - 1)
