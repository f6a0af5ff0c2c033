"""Operators: thin adapters from the panel to plain functions that tests call directly.

Generate runs the backend in a subprocess (backend.py). In the UI it is modal
(backend_modal.py): a timer polls the process, the panel and the status bar show progress,
and Esc or Cancel stops it. Scripts and background mode take the blocking path. Both end in
`GenerateSession.finish`, so they key exactly the same take.
"""

# ruff: noqa: N801 -- Blender requires class names like S2C_OT_generate (CATEGORY_OT_name)

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bpy
from bpy.props import StringProperty

from s2c_core.motion import HandMotion, load_motion

from . import backend, character
from . import scene as scene_api
from .backend_modal import USER_ERRORS, BackendRunOperator, CancelRunOperator, JobSession
from .preferences import (
    BackendSettings,
    addon_preferences,
    backend_settings,
    store_doctor_report,
)
from .properties import INPUT_GLOB
from .rig import ARMATURE_NAMES

SOUND_STRIP_NAME = "S2C Audio"


# ---------------------------------------------------------------------------------------
# Plain functions (no operator, no context)


@dataclass(frozen=True)
class TakeResult:
    take_name: str
    actions: dict[str, bpy.types.Action]
    frames: int
    engine: str

    @property
    def summary(self) -> str:
        return f"Keyed take '{self.take_name}': {self.frames} frames ({self.engine} engine)"


def take_name(input_path: Path, engine: str, seed: int) -> str:
    return f"{input_path.stem}_{engine}_seed{seed}"


def build_request(
    settings: bpy.types.PropertyGroup, prefs: BackendSettings
) -> backend.GenerateRequest:
    """The backend run the scene settings ask for; BackendError says what to fix first."""
    input_path = Path(bpy.path.abspath(settings.input_path)) if settings.input_path else None
    if input_path is None or not input_path.is_file():
        raise backend.BackendError(f"choose an input file (got '{settings.input_path}')")
    if backend.input_kind(input_path) is None:
        supported = " ".join(backend.INPUT_SUFFIXES)
        raise backend.BackendError(f"{input_path.name}: not a supported file ({supported})")
    if settings.hand_model == "mano" and prefs.mano_file is None:
        raise backend.BackendError("the MANO hand model needs a MANO file in the preferences")
    choice = backend.choose_engine(settings.engine, input_path, prefs.checkpoint_dir)
    return backend.GenerateRequest(
        input_path=input_path,
        engine=choice.engine,
        seed=settings.seed,
        steps=settings.steps,
        device=prefs.device,
        checkpoint_dir=prefs.checkpoint_dir,
        mano_file=prefs.mano_file if settings.hand_model == "mano" else None,
        reference_compat=settings.reference_compat,
    )


class GenerateSession(JobSession):
    """One Generate run, from starting the backend to a keyed take (or nothing at all).

    The scene is remembered by name, not by reference: an undo while the backend runs
    reloads Blender's data and would leave a stored Scene pointer dangling.
    """

    def __init__(
        self, scene: bpy.types.Scene, request: backend.GenerateRequest, job: backend.BackendJob
    ):
        super().__init__(job)
        self.scene_name = scene.name
        self.frame_start = scene.s2c_hands.frame_start
        self.request = request

    @classmethod
    def start(
        cls, scene: bpy.types.Scene, prefs: BackendSettings, command: Sequence[str] | None = None
    ) -> GenerateSession:
        """Start the backend for the scene's settings; `command` replaces `python -m s2c_core`."""
        request = build_request(scene.s2c_hands, prefs)
        prefix = list(command) if command else backend.backend_prefix(prefs.python)
        workdir = Path(tempfile.mkdtemp(prefix="s2c_hands_"))
        try:
            request = character.prepare_request(scene, request, workdir)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        return cls(scene, request, backend.BackendJob.start(request, prefix, workdir))

    def finish(self, fallback_scene: bpy.types.Scene) -> TakeResult:
        """Key the finished run's take; raise (keying nothing) if the run failed.

        The motion file is loaded and validated before the scene is touched, and the temp
        folder is removed whatever happens.
        """
        try:
            motion = load_motion(self.job.result())
            scene = bpy.data.scenes.get(self.scene_name) or fallback_scene
            engine = self.job.state.engine or self.request.engine
            audio = self.job.rendered_audio or self.request.input_path
            return key_take(scene, motion, self.request, self.frame_start, engine, audio)
        finally:
            self.job.cleanup()


def key_take(
    scene: bpy.types.Scene,
    motion: HandMotion,
    request: backend.GenerateRequest,
    frame_start: int,
    engine: str,
    audio: Path,
) -> TakeResult:
    """Key the take (building the piano and hands if missing) and put its audio in sync:
    the recording itself, or for MIDI input the backend's rendering of it."""
    name = take_name(request.input_path, engine, request.seed)
    if scene.s2c_hands.target_rig is not None:
        actions = character.key_character_take(
            scene, motion, take_name=name, frame_start=frame_start
        )
    else:
        actions = scene_api.apply_take(scene, motion, take_name=name, frame_start=frame_start)
    if backend.input_kind(audio) == "audio":
        add_sound_strip(scene, audio, frame_start, pack=audio != request.input_path)
    return TakeResult(name, actions, motion.num_frames, engine)


def add_sound_strip(
    scene: bpy.types.Scene, audio: Path, frame_start: int, *, pack: bool = False
) -> None:
    """Put `audio` on the timeline at the take's first frame and play in sync with it.

    One strip per scene, replaced by each take, so takes never stack copies of the audio.
    `pack` embeds the sound in the .blend (a rendering in a temp folder that is removed).
    """
    editor = scene.sequence_editor or scene.sequence_editor_create()
    # Blender 4.4 renamed `sequences` to `strips`; 4.2/4.3 only have the old name.
    strips = editor.strips if hasattr(editor, "strips") else editor.sequences
    if (old := strips.get(SOUND_STRIP_NAME)) is not None:
        strips.remove(old)
    strip = strips.new_sound(SOUND_STRIP_NAME, str(audio), channel=1, frame_start=frame_start)
    if pack:
        strip.sound.pack()
    scene.sync_mode = "AUDIO_SYNC"  # drop frames rather than drift from the music


def generate_take(
    scene: bpy.types.Scene, prefs: BackendSettings, *, command: Sequence[str] | None = None
) -> TakeResult:
    """Generate and key a take without the modal loop (scripts, background mode, tests)."""
    session = GenerateSession.start(scene, prefs, command)
    session.wait()
    return session.finish(scene)


def _hand_armatures(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    objects = (scene.objects.get(name) for name in ARMATURE_NAMES.values())
    return [obj for obj in objects if obj is not None]


# ---------------------------------------------------------------------------------------
# Operators


class S2C_OT_generate(BackendRunOperator, bpy.types.Operator):
    """Generate both hands for the input file and key them as a new take"""

    bl_idname = "s2c.generate"
    bl_label = "Generate Hands"
    # UNDO: the whole take (and any piano/hands/strip it created) is one undo step.
    bl_options = {"REGISTER", "UNDO"}
    state_name = "s2c_hands_job"
    cancelled_message = "Cancelled: the scene was not changed"
    cancelled_report = "S2C Hands: Generate cancelled"

    @classmethod
    def start_session(cls, context: bpy.types.Context) -> GenerateSession:
        return GenerateSession.start(context.scene, backend_settings(context))

    @classmethod
    def finish_session(cls, session: GenerateSession, context: bpy.types.Context) -> str:
        return session.finish(context.scene).summary

    @classmethod
    def show(cls, context: bpy.types.Context, **fields) -> None:
        """Also mirror the run into the window-manager progress and the status bar."""
        wm = context.window_manager
        was_running = cls.run_state(context).running
        super().show(context, **fields)
        run = cls.run_state(context)
        if run.running and not was_running:
            wm.progress_begin(0, 100)
        if run.running:
            wm.progress_update(int(run.progress * 100))
        else:
            wm.progress_end()
        if context.workspace is not None:
            status = f"S2C Hands: {run.message} ({run.progress:.0%})" if run.running else None
            context.workspace.status_text_set(status)


class S2C_OT_cancel_generate(CancelRunOperator, bpy.types.Operator):
    """Stop the running backend; the scene stays exactly as it was"""

    bl_idname = "s2c.cancel_generate"
    bl_label = "Cancel"
    run_operator = S2C_OT_generate


class S2C_OT_select_input(bpy.types.Operator):
    """Choose a piano recording or MIDI file"""

    bl_idname = "s2c.select_input"
    bl_label = "Choose Input"

    filepath: StringProperty(subtype="FILE_PATH")
    filter_glob: StringProperty(default=INPUT_GLOB, options={"HIDDEN"})

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        self.filepath = context.scene.s2c_hands.input_path
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        context.scene.s2c_hands.input_path = self.filepath
        return {"FINISHED"}


class S2C_OT_build_piano(bpy.types.Operator):
    """Add the 88-key piano to the scene (kept if already there)"""

    bl_idname = "s2c.build_piano"
    bl_label = "Build Piano"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        piano = scene_api.ensure_piano(context.scene)
        self.report({"INFO"}, f"S2C Hands: piano '{piano.name}' ready")
        return {"FINISHED"}


class S2C_OT_export(bpy.types.Operator):
    """Export the hands (and optionally the piano) with their animation"""

    bl_idname = "s2c.export"
    bl_label = "Export"

    filepath: StringProperty(subtype="FILE_PATH")
    filter_glob: StringProperty(default="*.fbx;*.glb", options={"HIDDEN"})

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return bool(_hand_armatures(context.scene))

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        if not self.filepath:
            stem = Path(bpy.data.filepath).stem or "s2c_hands"
            self.filepath = stem + _export_suffix(context.scene.s2c_hands.export_format)
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.s2c_hands
        path = Path(bpy.path.ensure_ext(self.filepath, _export_suffix(settings.export_format)))
        exporter = (
            scene_api.export_fbx if settings.export_format == "fbx" else scene_api.export_gltf
        )
        try:
            written = exporter(path, include_piano=settings.include_piano)
        except USER_ERRORS as exc:
            self.report({"ERROR"}, f"S2C Hands: export failed: {exc}")
            return {"CANCELLED"}
        self.report({"INFO"}, f"S2C Hands: exported {written}")
        return {"FINISHED"}


def _export_suffix(export_format: str) -> str:
    return ".fbx" if export_format == "fbx" else ".glb"


class S2C_OT_reduce_keys(bpy.types.Operator):
    """Thin out the hands' keys for hand editing (every Nth frame or within a tolerance)"""

    bl_idname = "s2c.reduce_keys"
    bl_label = "Reduce Keys"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return any(_action_of(obj) for obj in _hand_armatures(context.scene))

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.s2c_hands
        options = (
            {"every_nth": settings.every_nth}
            if settings.reduce_mode == "nth"
            else {"tolerance": settings.tolerance}
        )
        actions = {_action_of(obj) for obj in _hand_armatures(context.scene)} - {None}
        for action in actions:
            scene_api.reduce_keys(action, **options)
        self.report({"INFO"}, f"S2C Hands: reduced keys of {len(actions)} action(s)")
        return {"FINISHED"}


def _action_of(obj: bpy.types.Object) -> bpy.types.Action | None:
    return obj.animation_data.action if obj.animation_data else None


class S2C_OT_check_backend(bpy.types.Operator):
    """Run the backend's self-check (s2c doctor) and show what it can do"""

    bl_idname = "s2c.check_backend"
    bl_label = "Check Backend"

    def execute(self, context: bpy.types.Context) -> set[str]:
        prefs = addon_preferences(context)
        try:
            python = backend_settings(context).python
        except backend.BackendError as exc:
            self.report({"ERROR"}, f"S2C Hands: {exc}")
            return {"CANCELLED"}
        report = backend.run_doctor(python)
        store_doctor_report(prefs, report)
        self.report({"INFO"} if report.ok else {"WARNING"}, report.lines[0])
        return {"FINISHED"}


CLASSES = (
    S2C_OT_generate,
    S2C_OT_cancel_generate,
    S2C_OT_select_input,
    S2C_OT_build_piano,
    S2C_OT_export,
    S2C_OT_reduce_keys,
    S2C_OT_check_backend,
)
