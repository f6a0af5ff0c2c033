"""The evaluation report as JSON and Markdown, written together or not at all.

JSON layout (`runner.evaluate` builds it): run settings, `metrics` (names in order),
`reference_keys` (our name -> `S2C:eval.py` key), and per engine (`s2c`, `midi`,
`ground_truth`) `windows` and `mean` (metric -> value or null); `s2c` and `midi` add
`best` (the run with the lowest reference composite), `best_run`, `composite` (per run) and
`runs` (every run's metrics). `not_computed` says why a metric is null.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..outputs import StagedOutputs

ENGINE_LABELS = {"s2c": "S2C", "midi": "MIDI engine", "ground_truth": "ground truth"}


def markdown_path(json_path: Path) -> Path:
    return json_path.with_suffix(".md")


def write_report(report: dict, json_path: Path) -> Path:
    """Write `json_path` and its Markdown twin (.md) atomically; returns the Markdown path."""
    md_path = markdown_path(json_path)
    with StagedOutputs({"json": json_path, "markdown": md_path}, overwrite=True) as staged:
        staged.path("json").write_text(json.dumps(report, indent=1) + "\n")
        staged.path("markdown").write_text(markdown(report))
        staged.commit()
    return md_path


def comparison_rows(report: dict) -> list[tuple[str, str, dict]]:
    """(engine, which summary, metrics) per table row: S2C mean and best, then the others."""
    rows = []
    for engine in ENGINE_LABELS:
        entry = report["engines"].get(engine)
        if entry is None:
            continue
        rows.append((engine, "mean", entry["mean"]))
        if engine == "s2c":
            rows.append((engine, f"best (run {entry['best_run']})", entry["best"]))
    return rows


def comparison_table(report: dict) -> str:
    """Markdown table: one row per engine summary, one column per metric."""
    names = report["metrics"]
    lines = [
        "| engine | summary | windows | " + " | ".join(names) + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    for engine, which, metrics in comparison_rows(report):
        windows = report["engines"][engine]["windows"]
        cells = " | ".join(_cell(metrics.get(name)) for name in names)
        lines.append(f"| {ENGINE_LABELS[engine]} | {which} | {windows} | {cells} |")
    return "\n".join(lines)


def markdown(report: dict) -> str:
    options = report["options"]
    sampler = options["sampler"] + (f", {options['steps']} steps" if options["steps"] else "")
    keys = ", ".join(f"`{ours}` = `{theirs}`" for ours, theirs in report["reference_keys"].items())
    parts = [
        f"# Evaluation: {report['checkpoint']}",
        "",
        f"- data: `{report['data_root']}`, split `{report['split']}`, "
        f"{report['windows']} windows (random 8 s crops, seed 2014)",
        f"- S2C: {options['runs']} runs, sampler {sampler}, batch {options['batch_size']}, "
        f"seed {options['seed']}, device {options['device']}",
        f"- reference keys (`S2C:eval.py`): {keys}; per-hand metrics end in _right/_left",
        "- lower is better except key_contact; best = the run with the lowest reference "
        "composite, so single metrics of the best run can exceed their mean",
        "",
        comparison_table(report),
        "",
    ]
    parts += [f"- {name} not computed: {reason}" for name, reason in report["not_computed"].items()]
    if report["skipped"]:
        parts.append(f"- {len(report['skipped'])} sequences skipped (see the JSON report)")
    return "\n".join(parts).rstrip() + "\n"


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"
