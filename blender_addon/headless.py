"""Build a scene from a HandMotion file without the Blender UI and write .blend/.fbx/.glb.

    python -m blender_addon.headless TAKE.npz [--blend OUT.blend] [--fbx OUT.fbx]
        [--gltf OUT.glb] [--take-name NAME] [--frame-start N] [--overwrite] [--progress]
        [--reduce-keys TOL]

Runs in any Python with the `bpy` module (the backend CLI uses the venv's). Starts from
Blender's factory settings, builds the piano and both hands, keys the take and writes the
outputs. Every output is staged in a temporary file and all are renamed into place only
after all were written, so a failure leaves none of them. Bad input gives one "error: ..."
line on stderr and exit status 1; an existing output is refused unless --overwrite.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import bpy

from s2c_core.argtypes import non_negative_float
from s2c_core.blender_bridge import PARENT_PID_ENV
from s2c_core.motion import MotionFormatError, load_motion

from . import scene as s2c_scene

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
# What the other headless steps report as bad input; anything else is a bug with a traceback.
BAD_INPUT = (MotionFormatError, OSError, RuntimeError, ValueError)
_STEP_UNITS = 100  # progress units per step, so that an export can report within its step

_WRITERS = {
    "blend": s2c_scene.save_blend,
    "fbx": s2c_scene.export_fbx,
    "gltf": s2c_scene.export_gltf,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m blender_addon.headless",
        description="Key a HandMotion .npz onto a piano + hands scene and export it.",
    )
    parser.add_argument("take", type=Path, help="HandMotion .npz file")
    parser.add_argument("--blend", type=Path, help="write the scene as a .blend file")
    parser.add_argument("--fbx", type=Path, help="write hands + piano as FBX")
    parser.add_argument("--gltf", type=Path, help="write hands + piano as glTF (.glb/.gltf)")
    parser.add_argument("--take-name", help="Action name prefix (default: the file's stem)")
    parser.add_argument("--frame-start", type=int, default=1, help="first frame (default 1)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument(
        "--reduce-keys",
        type=non_negative_float,
        metavar="TOL",
        help="thin the take's keys within TOL (Reduce Keys) and let the FBX exporter drop "
        "keys of channels that barely change (smaller, editable, slightly lossy)",
    )
    parser.add_argument(
        "--progress", action="store_true", help="print JSON-lines progress events on stdout"
    )
    return parser


def _outputs(args: argparse.Namespace) -> dict[str, Path]:
    """Requested outputs by kind; raises OSError for ones that cannot or must not be written."""
    outputs = {kind: getattr(args, kind) for kind in _WRITERS if getattr(args, kind)}
    if not outputs:
        raise OSError("nothing to write: give at least one of --blend, --fbx, --gltf")
    for path in outputs.values():
        if path.exists() and not args.overwrite:
            raise OSError(f"{path}: already exists (use --overwrite to replace it)")
        if not path.parent.is_dir():
            raise OSError(f"{path.parent}: output folder does not exist")
    return outputs


def build(
    take: Path,
    outputs: dict[str, Path],
    *,
    take_name: str | None,
    frame_start: int,
    reduce_keys: float | None = None,
    progress: Callable[[int, int, str], None] = lambda done, total, message: None,
) -> None:
    """Factory scene + piano + hands + the take, then every output (all or none).

    reduce_keys: thin every Action of the take within this tolerance, and export FBX with
    the exporter's simplification (without it, FBX holds every channel of every bone and
    piano key on every frame). `progress(done, total, message)` is called before each step:
    loading, keying, and writing each output (the long part for long takes), and while an
    exporter bakes the animation frame by frame (FBX), at every further percent of it.
    """
    total = (2 + len(outputs)) * _STEP_UNITS
    progress(0, total, f"reading {take.name}")
    motion = load_motion(take)
    progress(_STEP_UNITS, total, f"keying {motion.num_frames} frames")
    bpy.ops.wm.read_factory_settings(use_empty=True)
    actions = s2c_scene.apply_take(
        bpy.context.scene, motion, take_name=take_name or take.stem, frame_start=frame_start
    )
    if reduce_keys is not None:
        for action in actions.values():
            s2c_scene.reduce_keys(action, tolerance=reduce_keys)
    with ExitStack() as stack:
        for step, (kind, path) in enumerate(outputs.items(), start=2):
            progress(step * _STEP_UNITS, total, f"writing {path.name}")
            temporary = stack.enter_context(s2c_scene.atomic_output(path))
            simplify = kind == "fbx" and reduce_keys is not None
            with _baking_progress(bpy.context.scene, path.name, step, total, progress):
                _WRITERS[kind](temporary, **({"simplify": True} if simplify else {}))
    progress(total, total, "scene written")


@contextmanager
def _baking_progress(
    scene: bpy.types.Scene,
    name: str,
    step: int,
    total: int,
    progress: Callable[[int, int, str], None],
) -> Iterator[None]:
    """Report an exporter's baking within its step: the FBX exporter sets the scene to
    every frame of the range in turn (scene.frame_set, which runs frame-change handlers)."""
    first, count = scene.frame_start, scene.frame_end - scene.frame_start + 1
    reported = 0

    def on_frame(scene: bpy.types.Scene, *_) -> None:
        nonlocal reported
        frame = scene.frame_current - first + 1
        percent = min(max(100 * frame // count, 0), 100)
        if percent > reported:
            reported = percent
            done = step * _STEP_UNITS + percent * _STEP_UNITS // 100
            progress(done, total, f"baking {name}: frame {frame:,} of {count:,}")

    bpy.app.handlers.frame_change_post.append(on_frame)
    try:
        yield
    finally:
        bpy.app.handlers.frame_change_post.remove(on_frame)


def print_progress(done: int, total: int, message: str) -> None:
    """One JSON-lines progress event on stdout; the backend CLI relays it to its caller."""
    event = {"event": "progress", "done": done, "total": total, "message": message}
    print(json.dumps(event), flush=True)


def die_with_parent() -> None:
    """Linux: end this process when the backend that started it dies, even by SIGKILL.

    The backend names its pid in S2C_PARENT_PID. The request (prctl PR_SET_PDEATHSIG) is
    made here rather than in a preexec_fn, which is unsafe in the backend's threaded
    process; if the parent died before the request, getppid() already differs and we exit.
    """
    parent = os.environ.get(PARENT_PID_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl (musl without it, sandboxes): best effort
        return
    if str(os.getppid()) != parent:
        os._exit(1)


def exit_status(
    step: Callable[[], object], errors: tuple[type[Exception], ...] = (Exception,)
) -> int:
    """Run a headless step: 0, or 1 with its error (any of `errors`) as the one line
    "error: ..." on stderr that the backend relays, even a multi-line Blender one."""
    try:
        step()
    except errors as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    die_with_parent()
    args = _parser().parse_args(argv)
    return exit_status(
        lambda: build(
            args.take,
            _outputs(args),
            take_name=args.take_name,
            frame_start=args.frame_start,
            reduce_keys=args.reduce_keys,
            progress=print_progress if args.progress else lambda *_: None,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
