"""Values of monitoring rows that would break the summaries, each named with its file and column.

A timestamp in year 1 or 9999 parses, but a daily timeline from year 1 has 740,000 windows (the
build ran for minutes and gigabytes before it was stopped); a score of ``inf`` cannot be rounded
to an integer bin, and DuckDB stopped with its SQL. One query each finds the first bad value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.errors import Problem
from cardpress.model_drift import DriftSettings
from cardpress.readers.drift.engines import query_rows
from cardpress.readers.monitoring import SOURCE, TIME, name_of

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # monitoring rows are newer than Unix time
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_SCORE = 1e12  # a score times 10**score_decimals must fit a 64-bit integer


def value_problems(
    root: Path, rows: ir.Table, settings: DriftSettings, problems: list[Problem]
) -> bool:
    """False after a problem: a timestamp out of range, a score not finite or out of range."""
    before = len(problems)
    low = ibis.literal(EARLIEST, type="timestamp('UTC')")
    high = ibis.literal(LATEST, type="timestamp('UTC')")
    early = (rows[TIME] < low) | (rows[TIME] >= high)
    found = _first(rows, early, settings.timestamp)
    if found is not None:
        value, file = found
        problem = f"{value} is outside {EARLIEST.year}–{LATEST.year - 1}"
        fix = "write the time the prediction was made (a year 1 or 9999 is usually a placeholder)"
        problems.append(Problem(name_of(root, Path(file)), None, settings.timestamp, problem, fix))
    score = settings.score
    if score in rows.columns and rows[score].type().is_numeric():
        found = _first(rows, rows[score].cast("float64").abs() > MAX_SCORE, score)
        if found is not None:
            value, file = found
            problem = f"the score {value} is not a finite number within ±{MAX_SCORE:.0e}"
            fix = "write the predicted score (a probability) as a finite number, or leave it empty"
            problems.append(Problem(name_of(root, Path(file)), None, score, problem, fix))
    problems += label_time_problems(root, rows, settings.label_timestamp)
    return len(problems) == before


def label_time_problems(root: Path, rows: ir.Table, column: str) -> list[Problem]:
    """A label time written as text that is no timestamp ("yesterday"): named, not left out.

    Such a label still counted, but its delay was silently missing from the delay figures.
    """
    if column not in rows.columns or not rows[column].type().is_string():
        return []
    text = rows[column]
    found = _first(rows, text.notnull() & text.try_cast("timestamp('UTC')").isnull(), column)
    if found is None:
        return []
    value, file = found
    fix = "write ISO 8601 times with an offset (2026-03-01T10:00:00Z), or leave it empty"
    return [Problem(name_of(root, Path(file)), None, column, f"{value!r} is not a timestamp", fix)]


def _first(rows: ir.Table, bad: Any, column: str) -> tuple[str, str] | None:
    """(value as text, file) of the first row where ``bad`` holds, in file and value order."""
    chosen = rows.filter(bad).select(value=rows[column].cast("string"), file=rows[SOURCE])
    found = query_rows(chosen.order_by(["file", "value"]).limit(1))
    return (str(found[0]["value"]), str(found[0]["file"])) if found else None
