"""Preferences > Get Official Model: `s2c download` in the backend with progress and cancel,
then the Checkpoint Folder setting points at the converted model.

The backend fetches the official S2C experiment from the Hugging Face Hub into its cache,
verifies it and converts it once (docs/s2c_engine.md); the add-on only follows its JSON
lines, like Generate. No scene data is touched, so a cancelled or failed download changes
nothing but the message under the button.
"""

# ruff: noqa: N801 -- Blender requires class names like S2C_OT_generate (CATEGORY_OT_name)

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bpy

from . import backend
from .operators import TIMER_INTERVAL_S, USER_ERRORS, Report
from .preferences import addon_preferences, backend_settings

OFFICIAL_REPO = "thuteam/S2C"


class DownloadSession:
    def __init__(self, job: backend.BackendJob) -> None:
        self.job = job

    @classmethod
    def start(cls, prefix: Sequence[str], repo: str = OFFICIAL_REPO) -> DownloadSession:
        """Start `s2c download` through `prefix` (`python -m s2c_core` or a stand-in)."""
        return cls(backend.BackendJob.launch(backend.download_command(prefix, repo)))

    def poll(self) -> bool:
        return self.job.poll()

    def cancel(self) -> None:
        self.job.cleanup()

    def finish(self) -> Path:
        """The converted model folder, or BackendError with the backend's reason."""
        try:
            return self.job.result()
        finally:
            self.job.cleanup()


def require_online_access() -> None:
    """Blender's Preferences > System > Allow Online Access governs add-ons going online."""
    if not bpy.app.online_access:
        raise backend.BackendError(
            "Get Official Model downloads from the Hugging Face Hub: turn on Allow Online "
            "Access in Preferences > System first"
        )


def use_model(context: bpy.types.Context, folder: Path) -> str:
    """Point the Checkpoint Folder at `folder`; returns the message to show."""
    addon_preferences(context).checkpoint_dir = str(folder)
    return f"Official model ready: {folder}"


def download_model(context: bpy.types.Context, *, command: Sequence[str] | None = None) -> str:
    """Download without the modal loop (scripts, background mode)."""
    require_online_access()
    python = backend_settings(context).python
    session = DownloadSession.start(list(command) if command else backend.backend_prefix(python))
    try:
        session.job.wait()
    except BaseException:
        session.cancel()
        raise
    return use_model(context, session.finish())


def download_step(
    session: DownloadSession, context: bpy.types.Context, event_type: str, report: Report
) -> set[str]:
    """One modal event of a running download (tests drive it with fake timer events)."""
    state = context.window_manager.s2c_hands_download
    if event_type == "ESC" or state.cancel_requested:
        session.cancel()
        _set_state(context, running=False, message="Download cancelled")
        report({"WARNING"}, "S2C Hands: download cancelled")
        return {"CANCELLED"}
    if event_type != "TIMER":
        return {"PASS_THROUGH"}
    if not session.poll():
        run = session.job.state
        _set_state(context, running=True, message=run.message, progress=run.fraction)
        return {"RUNNING_MODAL"}
    try:
        message = use_model(context, session.finish())
    except USER_ERRORS as exc:
        _set_state(context, running=False, message=str(exc), failed=True)
        report({"ERROR"}, f"S2C Hands: {exc}")
        return {"CANCELLED"}
    _set_state(context, running=False, message=message, progress=1.0)
    report({"INFO"}, f"S2C Hands: {message}")
    return {"FINISHED"}


def _set_state(
    context: bpy.types.Context,
    *,
    running: bool,
    message: str,
    progress: float = 0.0,
    failed: bool = False,
) -> None:
    state = context.window_manager.s2c_hands_download
    state.running, state.message, state.progress, state.failed = running, message, progress, failed
    state.cancel_requested = False
    for window in context.window_manager.windows:  # the preferences window shows it
        for area in window.screen.areas:
            area.tag_redraw()


class S2C_OT_get_official_model(bpy.types.Operator):
    """Download the official S2C model from the Hugging Face Hub (several GB, once), convert it
    and use it as the checkpoint"""

    bl_idname = "s2c.get_official_model"
    bl_label = "Get Official Model"

    _session: DownloadSession | None = None
    _timer = None

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return not context.window_manager.s2c_hands_download.running

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            message = download_model(context)
        except USER_ERRORS as exc:
            self.report({"ERROR"}, f"S2C Hands: {exc}")
            return {"CANCELLED"}
        self.report({"INFO"}, f"S2C Hands: {message}")
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        if bpy.app.background:
            return self.execute(context)
        try:
            require_online_access()
            python = backend_settings(context).python
            self._session = DownloadSession.start(backend.backend_prefix(python))
        except USER_ERRORS as exc:
            self.report({"ERROR"}, f"S2C Hands: {exc}")
            return {"CANCELLED"}
        _set_state(context, running=True, message="Starting download")
        wm = context.window_manager
        self._timer = wm.event_timer_add(TIMER_INTERVAL_S, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event) -> set[str]:
        status = download_step(self._session, context, event.type, self.report)
        if status & {"FINISHED", "CANCELLED"}:
            self._remove_timer(context)
        return status

    def cancel(self, context: bpy.types.Context) -> None:
        if self._session is not None:
            self._session.cancel()
        _set_state(context, running=False, message="Download cancelled")
        self._remove_timer(context)

    def _remove_timer(self, context: bpy.types.Context) -> None:
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None


class S2C_OT_cancel_download(bpy.types.Operator):
    """Stop the download (what is fetched stays in the cache and resumes next time)"""

    bl_idname = "s2c.cancel_download"
    bl_label = "Cancel Download"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.window_manager.s2c_hands_download.running

    def execute(self, context: bpy.types.Context) -> set[str]:
        context.window_manager.s2c_hands_download.cancel_requested = True
        return {"FINISHED"}


CLASSES = (S2C_OT_get_official_model, S2C_OT_cancel_download)
