"""The modal loop of the operators that run the backend: Generate and Get Official Model.

Each starts one backend job (backend.py) and, in the UI, polls it from a window-manager timer
so Blender never blocks; its progress is mirrored into a window-manager property group
(S2C_PG_job: running, message, progress, failed, cancel_requested) that a panel draws with
`draw_run`. Esc, the run's Cancel button, or Blender ending the operator (file load, window
closed) stop the backend. Scripts and background mode take the blocking path (`execute`),
which ends in the same `finish_session` as the modal one, so both do exactly the same.
An operator says only what differs: its property group, how to start and how to finish.
"""

from __future__ import annotations

from collections.abc import Callable

import bpy

from . import backend
from .reports import report_outcome

# Everything a failed run can raise that is the user's or the backend's problem, not ours:
# BackendError (RuntimeError), MotionFormatError (ValueError), unreadable files (OSError).
USER_ERRORS = (OSError, ValueError, RuntimeError)
TIMER_INTERVAL_S = 0.1
Report = Callable[[set[str], str], None]


class JobSession:
    """One backend job; subclasses say what its result becomes in Blender."""

    def __init__(self, job: backend.BackendJob) -> None:
        self.job = job

    def poll(self) -> bool:
        return self.job.poll()

    def cancel(self) -> None:
        self.job.cleanup()

    def wait(self) -> None:
        """Block until the backend ends (scripts, background mode)."""
        try:
            self.job.wait()
        except BaseException:  # Ctrl-C in a script: never leave the backend running
            self.cancel()
            raise


class BackendRunOperator:
    """Mixin for a bpy.types.Operator that runs one JobSession, modal in the UI.

    Subclasses set `state_name` (the WindowManager property group the panel reads) and the
    panel lines, and define two class methods:
      start_session(context) -> JobSession: start the backend, or raise USER_ERRORS;
      finish_session(session, context) -> str: use the finished run's result (or raise
        USER_ERRORS, changing nothing) and return the line to show.
    """

    state_name = ""
    starting_message = "Starting backend"
    cancelled_message = "Cancelled"  # the panel line once a run is stopped
    cancelled_report = "S2C Hands: cancelled"

    _session = None  # the JobSession while the modal run lasts
    _timer = None

    @classmethod
    def run_state(cls, context: bpy.types.Context) -> bpy.types.PropertyGroup:
        return getattr(context.window_manager, cls.state_name)

    @classmethod
    def show(
        cls,
        context: bpy.types.Context,
        *,
        running: bool,
        message: str,
        progress: float = 0.0,
        failed: bool = False,
    ) -> None:
        """Mirror the run into its property group and redraw the areas that show it."""
        state = cls.run_state(context)
        state.running, state.message, state.progress = running, message, progress
        state.failed, state.cancel_requested = failed, False
        for window in context.window_manager.windows:
            for area in window.screen.areas:
                area.tag_redraw()

    @classmethod
    def step(
        cls, session: JobSession, context: bpy.types.Context, event_type: str, report: Report
    ) -> set[str]:
        """One modal event of a running session; returns the operator's status set.

        A class method so tests can drive it with fake timer events: headless Blender has
        no event loop to deliver real ones.
        """
        if event_type == "ESC" or cls.run_state(context).cancel_requested:
            session.cancel()
            cls.show(context, running=False, message=cls.cancelled_message)
            report({"WARNING"}, cls.cancelled_report)
            return {"CANCELLED"}
        if event_type != "TIMER":
            return {"PASS_THROUGH"}
        if not session.poll():
            run = session.job.state
            cls.show(context, running=True, message=run.message, progress=run.fraction)
            return {"RUNNING_MODAL"}
        try:
            message = cls.finish_session(session, context)
        except USER_ERRORS as exc:
            cls.show(context, running=False, message=str(exc), failed=True)
            report({"ERROR"}, f"S2C Hands: {exc}")
            return {"CANCELLED"}
        cls.show(context, running=False, message=message, progress=1.0)
        report({"INFO"}, f"S2C Hands: {message}")
        return {"FINISHED"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return not cls.run_state(context).running

    def execute(self, context: bpy.types.Context) -> set[str]:
        def run() -> str:
            session = self.start_session(context)
            session.wait()
            return self.finish_session(session, context)

        return report_outcome(self, run, USER_ERRORS)

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        if bpy.app.background:
            return self.execute(context)
        try:
            self._session = self.start_session(context)
        except USER_ERRORS as exc:
            self.report({"ERROR"}, f"S2C Hands: {exc}")
            return {"CANCELLED"}
        self.show(context, running=True, message=self.starting_message)
        wm = context.window_manager
        self._timer = wm.event_timer_add(TIMER_INTERVAL_S, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event) -> set[str]:
        try:
            status = self.step(self._session, context, event.type, self.report)
        except BaseException:
            # A bug while finishing must not leave the backend running or the panel locked.
            self.cancel(context)
            raise
        if status & {"FINISHED", "CANCELLED"}:
            self._remove_timer(context)
        return status

    def cancel(self, context: bpy.types.Context) -> None:
        # Blender calls this when it ends the operator itself (file load, window closed).
        if self._session is not None:
            self._session.cancel()
        self.show(context, running=False, message=self.cancelled_message)
        self._remove_timer(context)

    def _remove_timer(self, context: bpy.types.Context) -> None:
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None


class CancelRunOperator:
    """Mixin for the Cancel button of a BackendRunOperator: the run stops on its next tick
    (the modal operator owns the process)."""

    run_operator = BackendRunOperator  # the subclass whose run it stops

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return cls.run_operator.run_state(context).running

    def execute(self, context: bpy.types.Context) -> set[str]:
        self.run_operator.run_state(context).cancel_requested = True
        return {"FINISHED"}


def draw_run(
    layout: bpy.types.UILayout,
    state: bpy.types.PropertyGroup,
    *,
    start: str,
    start_icon: str,
    cancel: str,
    working: str,
    scale_y: float = 1.0,
) -> None:
    """A run's progress bar and Cancel button while it runs, else its button and how the
    last run ended."""
    if state.running:
        layout.progress(factor=state.progress, type="BAR", text=state.message or working)
        layout.operator(cancel, icon="CANCEL")
        return
    row = layout.row()
    row.scale_y = scale_y
    row.operator(start, icon=start_icon)
    if state.message:
        layout.label(text=state.message, icon="ERROR" if state.failed else "CHECKMARK")
