"""How an operator tells the user how it went: one line in Blender's report area."""

from __future__ import annotations

from collections.abc import Callable

import bpy


def report_outcome(
    operator: bpy.types.Operator,
    action: Callable[[], str | None],
    errors: tuple[type[Exception], ...],
) -> set[str]:
    """Run `action`: FINISHED, with the line it returns (if any) as INFO; or CANCELLED, with
    one of `errors` (the user's or the backend's problem, not a bug) as the ERROR."""
    try:
        message = action()
    except errors as exc:
        operator.report({"ERROR"}, f"S2C Hands: {exc}")
        return {"CANCELLED"}
    if message:
        operator.report({"INFO"}, f"S2C Hands: {message}")
    return {"FINISHED"}
