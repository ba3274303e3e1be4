"""The fairness report's group table as CSV, beside its page (``fairness/groups.csv``).

One row per grouping, group and metric, in the page's order, with full-precision numbers (Python's
shortest round-trip form), so a spreadsheet or a script gets exactly what the page rounds.
Empty cells are undefined or suppressed values; ``undefined`` says why.
"""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "grouping", "group", "count", "share", "reference", "small", "suppressed", "metric", "value",
    "lower", "upper", "successes", "trials", "undefined", "difference_vs_reference",
    "ratio_vs_reference",
)  # fmt: skip


def fairness_csv(report: dict[str, Any]) -> bytes:
    """CSV of every group's metrics in ``report`` (the fairness page's data)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    metric_ids = [m["id"] for m in report["metrics"]]
    for grouping in report["groupings"]:
        for group in grouping["groups"]:
            for metric in metric_ids:
                writer.writerow(_row(grouping["name"], group, metric))
    return buffer.getvalue().encode("utf-8")


def _row(grouping: str, group: dict[str, Any], metric: str) -> list[str]:
    value = group["metrics"].get(metric) or {}
    versus = group.get("vs_reference", {}).get(metric) or {}
    cells = [
        grouping, group["label"], group["count"], group["share"], group.get("reference"),
        group["small"], group["suppressed"], metric, value.get("value"), value.get("lower"),
        value.get("upper"), value.get("successes"), value.get("trials"), value.get("undefined"),
        versus.get("difference"), versus.get("ratio"),
    ]  # fmt: skip
    return [csv_cell(cell) for cell in cells]


def csv_cell(value: Any) -> str:
    """A CSV cell: empty for None, full-precision floats, text that never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
