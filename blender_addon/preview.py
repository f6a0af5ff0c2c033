"""Render a take to a preview video and a contact sheet, headless, with Workbench.

    python -m blender_addon.preview TAKE.npz --out OUT.mp4 [--audio FILE]
        [--contact-sheet SHEET.png] [--size W H] [--fps FPS] [--start S] [--end S]
        [--tiles N] [--overwrite]

Every video frame shows two views of the same moment side by side: on the left the
pianist's view (from the player's eyes over the hands to the keys), on the right the view
from above (the player at the bottom). Each view is W x H pixels, so the video is 2W x H.
Both cameras are fitted once to the hands over the rendered time range and stay still.
The frames are rendered with Workbench (works without a GPU), written as PNGs and encoded
by Blender's own FFmpeg (H.264 in MP4, AAC sound muxed from --audio when given). For
speed on machines without a GPU the hands are rendered as their skin cage, without the
render subdivision, and with one-pass anti-aliasing.

The contact sheet is a grid of the same side-by-side frames at the onsets of the hardest
passages within the rendered range (s2c_core.hardest: where the wrists travel fastest), two
per row, each fitted to the hands during that passage and labelled with its time in the
take (burnt in by Blender's render stamp, top left of the pianist's view).

Outputs are staged and renamed into place only when all of them were written; bad input
gives one "error: ..." line on stderr and exit status 1, and no output.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import bpy
import numpy as np

from s2c_core.hand.rig import HandRig
from s2c_core.hardest import hardest_frames
from s2c_core.motion import HandMotion, load_motion

from . import camera, rig
from . import scene as s2c_scene
from .headless import BAD_INPUT, exit_status
from .preview_options import (
    PreviewSettings,
    add_arguments,
    check_outputs,
    settings_from,
    take_frames,
)

VIEW_ORDER = ("pianist", "above")  # left to right in every frame
_SHEET_COLUMNS = 2
_PASSAGE_S = 1.0  # a contact-sheet tile frames the hands over this much of the passage
_BACKGROUND = (0.30, 0.32, 0.36)
# Render stamp fields turned off, so that a labelled tile shows its note (the time) only.
_STAMP_FIELDS_OFF = ("date", "time", "render_time", "frame", "frame_range", "memory",
                     "hostname", "camera", "lens", "scene", "marker", "filename",
                     "sequencer_strip", "labels")  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m blender_addon.preview",
        description="Render a HandMotion take to an MP4 (pianist's view | view from above, "
        "side by side) and optionally a contact sheet of its hardest passages.",
    )
    add_arguments(parser)
    return parser


def render_preview(
    take: Path,
    out: Path,
    settings: PreviewSettings,
    *,
    audio: Path | None = None,
    contact_sheet: Path | None = None,
) -> None:
    """Build the scene, render the video (and the sheet), rename them into place together."""
    motion = load_motion(take)
    frames = take_frames(motion, settings)
    scene, cameras, hand = _build_scene(motion, take.stem, settings, frames)
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="s2c_preview_")))
        video = stack.enter_context(s2c_scene.atomic_output(out))
        pictures = [
            _render_frame(scene, cameras, int(f) + 1, work / f"frame_{k:05d}.png")
            for k, f in enumerate(frames)
        ]
        _encode(pictures, video, settings.fps or motion.fps, audio, settings.start_s)
        if contact_sheet is not None:
            sheet = stack.enter_context(s2c_scene.atomic_output(contact_sheet))
            within = (int(frames[0]), int(frames[-1]))
            _contact_sheet(scene, cameras, motion, hand, settings, within, work, sheet)


def _build_scene(
    motion: HandMotion, name: str, settings: PreviewSettings, frames: np.ndarray
) -> tuple[bpy.types.Scene, dict[str, bpy.types.Object], HandRig]:
    """A fresh scene holding the take, set up for Workbench, with one camera per view
    fitted to the hands over `frames`."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    s2c_scene.apply_take(scene, motion, take_name=name, frame_start=1)
    hand = s2c_scene.rig_of(motion)
    _set_up_render(scene, settings)
    cameras = _view_cameras(scene)
    _fit_views(scene, cameras, camera.hand_points(motion, hand, frames))
    return scene, cameras, hand


def _set_up_render(scene: bpy.types.Scene, settings: PreviewSettings) -> None:
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.display.shading.light = "STUDIO"
    scene.display.shading.color_type = "MATERIAL"
    scene.display.shading.show_shadows = True
    scene.display.render_aa = "FXAA"  # one pass; Workbench's default takes 8
    # The dense cage reads smooth already; subdividing it on the CPU would take seconds a
    # frame, and so would screen-space cavity shading.
    scene.display.shading.show_cavity = False
    for name in rig.MESH_NAMES.values():
        scene.objects[name].modifiers["Subdivision"].render_levels = 0
    scene.view_settings.view_transform = "Standard"  # keep the skin's own colour
    scene.render.resolution_x, scene.render.resolution_y = settings.width, settings.height
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    for field in _STAMP_FIELDS_OFF:
        setattr(scene.render, f"use_stamp_{field}", False)
    scene.render.use_stamp_note = True
    scene.render.stamp_font_size = max(8, settings.height // 18)
    world = scene.world or bpy.data.worlds.new("S2C_World")
    world.color = _BACKGROUND
    scene.world = world


def _view_cameras(scene: bpy.types.Scene) -> dict[str, bpy.types.Object]:
    """One camera per view in VIEW_ORDER (the scene's own camera is the pianist's)."""
    cameras = {"pianist": scene.camera}
    collection = bpy.data.collections[camera.COLLECTION_NAME]
    for name in VIEW_ORDER[1:]:
        data = bpy.data.cameras.new(f"S2C_Camera_{name}")
        cameras[name] = bpy.data.objects.new(data.name, data)
        collection.objects.link(cameras[name])
    return cameras


def _fit_views(
    scene: bpy.types.Scene, cameras: dict[str, bpy.types.Object], points: np.ndarray
) -> None:
    for name, obj in cameras.items():
        camera.fit_camera(obj, points, camera.VIEWS[name], camera.image_aspect(scene))


def _render_frame(
    scene: bpy.types.Scene,
    cameras: dict[str, bpy.types.Object],
    frame: int,
    path: Path,
    label: str = "",
) -> Path:
    """Render every view at `frame` and write them side by side to `path`, with `label`
    (if any) stamped on the first view."""
    scene.frame_set(frame)
    scene.render.stamp_note_text = label
    views = []
    for name in VIEW_ORDER:
        scene.camera = cameras[name]
        scene.render.use_stamp = bool(label) and name == VIEW_ORDER[0]
        scene.render.filepath = str(path.with_name(f"{path.stem}_{name}.png"))
        bpy.ops.render.render(write_still=True)
        views.append(_read_png(Path(scene.render.filepath)))
    scene.camera = cameras["pianist"]
    _write_png(np.concatenate(views, axis=1), path)
    return path


def _read_png(path: Path) -> np.ndarray:
    """(H, W, 4) float pixels, top row first."""
    image = bpy.data.images.load(str(path))
    try:
        width, height = image.size
        pixels = np.empty(width * height * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
    finally:
        bpy.data.images.remove(image)
    return pixels.reshape(height, width, 4)[::-1]


def _write_png(pixels: np.ndarray, path: Path) -> None:
    height, width = pixels.shape[:2]
    image = bpy.data.images.new(path.stem, width, height)
    try:
        image.pixels.foreach_set(np.ascontiguousarray(pixels[::-1]).reshape(-1))
        image.filepath_raw = str(path)
        image.file_format = "PNG"
        image.save()
    finally:
        bpy.data.images.remove(image)


def _encode(
    pictures: list[Path], out: Path, fps: float, audio: Path | None, start_s: float
) -> None:
    """H.264 MP4 of the pictures (and AAC sound from `audio`, shifted to start at start_s)."""
    encoder = bpy.data.scenes.new("S2C_Preview_Encode")
    try:
        editor = encoder.sequence_editor_create()
        strip = editor.strips.new_image("frames", str(pictures[0]), channel=1, frame_start=1)
        for picture in pictures[1:]:
            strip.elements.append(picture.name)
        if audio is not None:
            sound = editor.strips.new_sound(
                "audio", str(audio), channel=2, frame_start=1 - round(start_s * fps)
            )
            if sound.frame_final_duration <= 0:
                raise ValueError(f"{audio}: cannot read any sound from it")
        first = _read_png(pictures[0])
        render = encoder.render
        render.resolution_x, render.resolution_y = first.shape[1], first.shape[0]
        render.resolution_percentage = 100
        render.fps = max(1, round(fps))
        render.fps_base = render.fps / fps
        encoder.frame_start, encoder.frame_end = 1, len(pictures)
        render.image_settings.media_type = "VIDEO"
        render.image_settings.file_format = "FFMPEG"
        render.ffmpeg.format = "MPEG4"
        render.ffmpeg.codec = "H264"
        render.ffmpeg.audio_codec = "AAC" if audio is not None else "NONE"
        render.use_sequencer = True
        render.use_file_extension = False
        render.filepath = str(out)
        result = bpy.ops.render.render(animation=True, scene=encoder.name)
        if "FINISHED" not in result:
            raise RuntimeError(f"{out}: encoding the video did not finish")
    finally:
        bpy.data.scenes.remove(encoder)


def _contact_sheet(
    scene: bpy.types.Scene,
    cameras: dict[str, bpy.types.Object],
    motion: HandMotion,
    hand: HandRig,
    settings: PreviewSettings,
    within: tuple[int, int],
    work: Path,
    out: Path,
) -> None:
    """Side-by-side frames at the onsets of the hardest passages starting within the take's
    frames `within` (first, last), _SHEET_COLUMNS per row, each labelled with its time."""
    passage = max(1, round(_PASSAGE_S * motion.fps))
    tiles = []
    for k, frame in enumerate(hardest_frames(motion, settings.tiles, _PASSAGE_S, within)):
        around = np.arange(frame, min(frame + passage, motion.num_frames))
        _fit_views(scene, cameras, camera.hand_points(motion, hand, around))
        label = f"{frame / motion.fps:.2f} s"
        tile = _render_frame(scene, cameras, frame + 1, work / f"tile_{k}.png", label)
        tiles.append(_read_png(tile))
    blank = np.zeros_like(tiles[0])
    blank[..., :3], blank[..., 3] = _BACKGROUND, 1.0
    tiles += [blank] * (-len(tiles) % _SHEET_COLUMNS)
    rows = [
        np.concatenate(tiles[r : r + _SHEET_COLUMNS], axis=1)
        for r in range(0, len(tiles), _SHEET_COLUMNS)
    ]
    _write_png(np.concatenate(rows, axis=0), out)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    def render() -> None:
        settings = settings_from(args)
        check_outputs(args)
        render_preview(
            args.take, args.out, settings, audio=args.audio, contact_sheet=args.contact_sheet
        )

    return exit_status(render, BAD_INPUT)


if __name__ == "__main__":
    sys.exit(main())
