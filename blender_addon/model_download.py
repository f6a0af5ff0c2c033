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
from .backend_modal import BackendRunOperator, CancelRunOperator, JobSession
from .preferences import addon_preferences, backend_settings

OFFICIAL_REPO = "thuteam/S2C"


class DownloadSession(JobSession):
    @classmethod
    def start(cls, prefix: Sequence[str], repo: str = OFFICIAL_REPO) -> DownloadSession:
        """Start `s2c download` through `prefix` (`python -m s2c_core` or a stand-in)."""
        return cls(backend.BackendJob.launch(backend.download_command(prefix, repo)))

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


class S2C_OT_get_official_model(BackendRunOperator, bpy.types.Operator):
    """Download the official S2C model from the Hugging Face Hub (several GB, once), convert it
    and use it as the checkpoint"""

    bl_idname = "s2c.get_official_model"
    bl_label = "Get Official Model"
    state_name = "s2c_hands_download"
    starting_message = "Starting download"
    cancelled_message = "Download cancelled"
    cancelled_report = "S2C Hands: download cancelled"

    @classmethod
    def start_session(cls, context: bpy.types.Context) -> DownloadSession:
        require_online_access()
        python = backend_settings(context).python
        return DownloadSession.start(backend.backend_prefix(python))

    @classmethod
    def finish_session(cls, session: DownloadSession, context: bpy.types.Context) -> str:
        return use_model(context, session.finish())


class S2C_OT_cancel_download(CancelRunOperator, bpy.types.Operator):
    """Stop the download (what is fetched stays in the cache and resumes next time)"""

    bl_idname = "s2c.cancel_download"
    bl_label = "Cancel Download"
    run_operator = S2C_OT_get_official_model


CLASSES = (S2C_OT_get_official_model, S2C_OT_cancel_download)
