"""`s2c preview TAKE.npz --out preview.mp4 ...` wiring; `s2c_core/cli.py` calls `register`.

The backend never imports bpy: the options are those of `blender_addon.preview` (defined
there, so the two cannot drift apart) and the rendering runs in a Blender process through
blender_bridge. Its errors are raised for `cli.main` to report as one line; nothing is
written on failure.
"""

from __future__ import annotations

import argparse

from ..blender_bridge import run_headless

_PREVIEW_MODULE = "blender_addon.preview"
_FORWARDED = ("out", "audio", "contact_sheet")


def register(subparsers: argparse._SubParsersAction) -> None:
    from blender_addon.preview_options import add_arguments

    parser = subparsers.add_parser(
        "preview",
        help="render a take to an MP4 (and a contact sheet) with headless Blender",
        description="Render TAKE with Blender's Workbench engine: every video frame shows "
        "the pianist's view (left) and the view from above (right) side by side, with the "
        "sound muxed in when --audio is given. --contact-sheet adds a PNG grid of the same "
        "frames at the onsets of the hardest passages between --start and --end (where the "
        "wrists travel fastest), each labelled with its time in the take.",
    )
    add_arguments(parser)
    parser.set_defaults(handler=run_preview)


def blender_argv(args: argparse.Namespace) -> list[str]:
    """The options again, as blender_addon.preview's command line (paths made absolute)."""
    argv = ["--size", str(args.size[0]), str(args.size[1]), f"--start={args.start}"]
    argv += [f"--tiles={args.tiles}"]
    for name in _FORWARDED:
        value = getattr(args, name)
        if value is not None:
            argv.append(f"--{name.replace('_', '-')}={value.resolve()}")
    if args.fps is not None:
        argv.append(f"--fps={args.fps}")
    if args.end is not None:
        argv.append(f"--end={args.end}")
    if args.overwrite:
        argv.append("--overwrite")
    return argv


def run_preview(args: argparse.Namespace) -> int:
    run_headless(args.take.resolve(), blender_argv(args), module=_PREVIEW_MODULE, task="preview")
    print(f"wrote {args.out}" + (f" and {args.contact_sheet}" if args.contact_sheet else ""))
    return 0
