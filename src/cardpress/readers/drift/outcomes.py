"""Labelled outcomes of a regression or multiclass model, per file and window, in the engine.

Only sums leave the engine. Regression: over the rows whose label and prediction are both
finite numbers, the count and Σ|e|, Σe, Σe², Σe⁴ of the error e = prediction − label.
Rows with a label whose label or prediction is not a finite number are counted apart
(``unreadable``: the page warns of them). Multiclass: the labelled rows per (label,
prediction) pair, compared as text in which numbers compare as numbers (1, 1.0 and "1.0" are
one class: :func:`.engine.outcome_text`; a missing prediction counts as the class
``(missing)``, always wrong). Label delays as for a binary model.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.model_drift import DELAY_BUCKETS, Performance
from cardpress.readers.drift.engine import UNIT, Outcome, delay_sums, outcome_text, unit
from cardpress.readers.drift.engines import float_sum, query_rows

MISSING_PREDICTION = "(missing)"


def outcomes_by_window(table: ir.Table, outcome: Outcome) -> dict[Any, Performance]:
    """The regression sums or multiclass confusion counts of every file's windows."""
    assert outcome.label is not None and outcome.prediction is not None
    if outcome.task == "regression":
        label, predicted = _number(table[outcome.label]), _number(table[outcome.prediction])
        labelled = _finite(label) & _finite(predicted)
        error = ibis.ifelse(labelled, predicted - label, ibis.null("float64"))
        square = error * error
        present = table[outcome.label].notnull()
        sums = {"abs_sum": float_sum(table, error.abs()), "error_sum": float_sum(table, error),
                "square_sum": float_sum(table, square),
                "fourth_sum": float_sum(table, square * square),
                "unreadable": (present & ~labelled).cast("int64").sum()}  # fmt: skip
    else:
        labelled = table[outcome.label].cast("string").notnull()
        sums = {}
    sums |= {"rows": table.count(), "labelled": labelled.cast("int64").sum()}
    sums |= delay_sums(table, outcome.label_time, labelled)
    rows = query_rows(table.group_by(UNIT).aggregate(**sums))
    pairs = _confusion(table, outcome) if outcome.task == "multiclass" else {}
    return {unit(row): _performance(row, outcome.task, pairs.get(unit(row), ())) for row in rows}


def _number(column: Any) -> Any:
    """A label or prediction as float64 (late labels arrive as text: read back as numbers)."""
    return column.try_cast("float64") if column.type().is_string() else column.cast("float64")


def _finite(value: Any) -> Any:
    return value.notnull() & ~(value.isnan() | value.isinf()).fill_null(True)


def _confusion(table: ir.Table, outcome: Outcome) -> dict[Any, tuple[tuple[str, str, int], ...]]:
    """Labelled rows per (label, prediction) pair, per file and window."""
    assert outcome.label is not None and outcome.prediction is not None
    label = outcome_text(table[outcome.label])
    predicted = outcome_text(table[outcome.prediction]).fill_null(MISSING_PREDICTION)
    labelled = table.filter(label.notnull()).mutate(y=label, p=predicted)
    grouped = labelled.group_by([*UNIT, "y", "p"]).aggregate(n=labelled.count())
    found: dict[Any, list[tuple[str, str, int]]] = defaultdict(list)
    for row in query_rows(grouped):
        found[unit(row)].append((str(row["y"]), str(row["p"]), int(row["n"])))
    return {key: tuple(sorted(value)) for key, value in found.items()}


def _performance(
    row: dict[str, Any], task: str, confusion: tuple[tuple[str, str, int], ...]
) -> Performance:
    delays = tuple(int(row.get(f"d{i}") or 0) for i in range(len(DELAY_BUCKETS) + 1))
    return Performance(
        rows=int(row["rows"]), labelled=int(row["labelled"] or 0),
        delay_counts=delays if "d0" in row else (),
        delay_sum=float(row.get("delay_sum") or 0.0), task=task,
        abs_sum=float(row.get("abs_sum") or 0.0), error_sum=float(row.get("error_sum") or 0.0),
        square_sum=float(row.get("square_sum") or 0.0),
        fourth_sum=float(row.get("fourth_sum") or 0.0), confusion=confusion,
        unreadable=int(row.get("unreadable") or 0),
    )  # fmt: skip


def no_positive(outcome: Outcome, performance: list[Performance]) -> list[str]:
    """A binary model whose labels never equal the positive label: they are likely misspelt.

    Labels "yes"/"no" beside predictions 0/1 made every label negative (accuracy about one half,
    a positive share of 0) without a word.
    """
    if outcome.task != "binary":
        return []
    labelled = sum(p.labelled for p in performance)
    if not labelled or any(p.tp + p.fn for p in performance):
        return []
    return [f"none of the {labelled:,} labels is the positive label {outcome.positive!r} (the "
            "run record's predictions.positive_label): write labels with the predictions' values "
            "(e.g. 0/1), or name the positive one"]  # fmt: skip
