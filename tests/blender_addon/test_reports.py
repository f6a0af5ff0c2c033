"""report_outcome: how an operator's action ends up in Blender's report area."""

from __future__ import annotations

import pytest

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

from blender_addon.reports import report_outcome  # noqa: E402


class Reporter:
    """The one operator method report_outcome uses, recording what it is told."""

    def __init__(self) -> None:
        self.reports: list[tuple[set[str], str]] = []

    def report(self, level: set[str], message: str) -> None:
        self.reports.append((level, message))


def _raise(error: Exception):
    def action() -> None:
        raise error

    return action


def test_a_line_is_reported_as_info_and_nothing_as_nothing():
    operator = Reporter()
    assert report_outcome(operator, lambda: "3 keys reduced", (ValueError,)) == {"FINISHED"}
    assert report_outcome(operator, lambda: None, (ValueError,)) == {"FINISHED"}
    assert operator.reports == [({"INFO"}, "S2C Hands: 3 keys reduced")]


def test_a_users_error_is_one_error_report_and_a_bug_propagates():
    operator = Reporter()
    bad_file = _raise(OSError("preset.json: not found"))
    assert report_outcome(operator, bad_file, (OSError, ValueError)) == {"CANCELLED"}
    assert operator.reports == [({"ERROR"}, "S2C Hands: preset.json: not found")]
    with pytest.raises(KeyError):
        report_outcome(operator, _raise(KeyError("bone")), (OSError, ValueError))
