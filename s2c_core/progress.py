"""Progress reporting for the CLI: JSON lines for the Blender add-on, a text bar for people.

JSON-lines events (one object per line on stdout, see ARCHITECTURE.md):
  {"event": "stage", "name": ..., "message": ...}
  {"event": "progress", "done": 3, "total": 12, "message": ...}
  {"event": "done", "output": ..., ...}
  {"event": "error", "message": ...}
Every run ends with exactly one "done" or "error" event.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

MODES = ("text", "jsonl", "none")


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """`--progress text|jsonl|none`, the same for every subcommand the add-on runs."""
    parser.add_argument(
        "--progress",
        choices=MODES,
        default="text",
        help="jsonl: JSON lines on stdout for the Blender add-on",
    )


class ProgressReporter:
    def __init__(self, mode: str = "text", stream: TextIO | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown progress mode {mode!r}")
        self.mode = mode
        self.stream = stream or (sys.stdout if mode == "jsonl" else sys.stderr)

    def stage(self, name: str, message: str = "") -> None:
        self._emit({"event": "stage", "name": name, "message": message}, f"{message or name}")

    def progress(self, done: int, total: int, message: str = "") -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message}"
        self._emit({"event": "progress", "done": done, "total": total, "message": message}, bar)

    def relay(self, event: dict[str, Any]) -> None:
        """Pass on a child process's progress event (its done/error stay its own)."""
        if event.get("event") == "progress":
            done, total = int(event.get("done", 0)), int(event.get("total", 0))
            self.progress(done, total, str(event.get("message", "")))
        elif event.get("event") == "stage":
            self.stage(str(event.get("name", "")), str(event.get("message", "")))

    def done(self, **info: Any) -> None:
        self._emit({"event": "done", **info}, f"done: {info.get('output', '')}")

    def error(self, message: str) -> None:
        # In text mode the CLI prints the error line itself.
        if self.mode == "jsonl":
            self._emit({"event": "error", "message": message}, "")

    def _emit(self, event: dict[str, Any], text: str) -> None:
        if self.mode == "jsonl":
            self.stream.write(json.dumps(event, default=str) + "\n")
        elif self.mode == "text" and text:
            self.stream.write(text + "\n")
        else:
            return
        self.stream.flush()
