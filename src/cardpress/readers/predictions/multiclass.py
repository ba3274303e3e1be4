"""Check a multiclass model's evaluation predictions and map them to what its report reads.

Labels and predictions become categoricals sharing one class list (classes are compared as
text, so ``2`` and ``"2"`` are one class); each class's score column, when the run names them in
``predictions.columns.y_score_by_class``, must hold numbers in [0, 1] that sum to 1 on every row.
A class that appears among the predictions but never among the labels is kept (its recall is
undefined; the page warns). Every problem names the file and the column, and says how to fix it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cardpress.errors import Problem
from cardpress.model import WEIGHT, Y_CLASS_SCORE, Y_PRED, Y_TRUE, Dataset, Predictions, Run
from cardpress.readers.predictions.checks import (
    _row_count,
    _show,
    control_characters,
    no_value,
    shared_problems,
)

# A confusion matrix of 100 × 100 is already more than a page can show usefully; more distinct
# values than that are almost always a number (a regression target) or an id column.
MAX_CLASSES = 100
# Probabilities written rounded (e.g. to 6 decimals) do not sum to exactly 1.
SUM_TOLERANCE = 1e-3
MULTICLASS_FIX = "write one class label per row in both columns"


def is_multiclass(run: Run, frame: pd.DataFrame) -> bool:
    """The run's predictions are multiclass: declared, or unambiguous from the table.

    Without a declared ``model.task``: per-class scores are named, or labels and predictions
    hold more than two distinct values between them and are not all floating-point numbers
    (those are more likely a regression target).
    """
    predictions = run.predictions
    if predictions is None or run.task not in (None, "multiclass"):
        return False
    if run.task == "multiclass" or predictions.y_score_by_class:
        return True
    columns = [frame[predictions.y_true], frame[predictions.y_pred]]
    if all(pd.api.types.is_float_dtype(c) for c in columns):
        return False
    distinct: set[str] = set()
    for column in columns:
        distinct |= {label_text(v) for v in column.dropna().unique()[: MAX_CLASSES + 2]}
    return len(distinct) > 2


def label_text(value: Any) -> str:
    """A label as text, whole numbers without a decimal point: 1, 1.0 and "1" are one class.

    (A label column with a missing value is read as floats, so its 1 arrives as 1.0.)
    """
    if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
        number = float(value)
        if number.is_integer():
            return str(int(number))
    return str(value)


def checked_multiclass(
    frame: pd.DataFrame,
    predictions: Predictions,
    datasets: tuple[Dataset, ...],
    reference: dict[str, str],
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The table with categorical labels and predictions, or None and every problem found."""
    problems = _row_count(frame, predictions, datasets)
    factorized: dict[str, tuple[Any, list[str]]] = {}
    for role, column in (("y_true", predictions.y_true), ("y_pred", predictions.y_pred)):
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        missing = no_value(codes < 0, role)
        if missing:
            problems.append(Problem(predictions.uri, None, column, missing, MULTICLASS_FIX))
        factorized[role] = (codes, [label_text(u) for u in uniques])
    scored = dict(predictions.y_score_by_class)
    seen = set(factorized["y_true"][1]) | set(factorized["y_pred"][1])
    classes = _ordered(seen | set(scored), frame, predictions)
    if len(classes) > MAX_CLASSES:
        problem = (
            f"labels and predictions hold {len(classes):,} distinct values "
            f"({_show(set(classes))}); a multiclass report takes at most {MAX_CLASSES} classes"
        )
        fix = (
            'if the target is a number, declare model.task "regression"; otherwise group rare '
            f'classes into one (e.g. "other") so at most {MAX_CLASSES} remain'
        )
        field = f"{predictions.y_true}, {predictions.y_pred}"
        return None, [*problems, Problem(predictions.uri, None, field, problem, fix)]
    for column, role in {predictions.y_true: "y_true", predictions.y_pred: "y_pred"}.items():
        # classes are drawn (confusion matrix, per-class charts): SVG cannot hold one
        controlled = control_characters(frame[column], factorized[role][1])
        if controlled:
            fix = "remove control characters from the class labels (or replace them)"
            problems.append(Problem(predictions.uri, None, column, controlled, fix))
    if scored:
        problems += _score_problems(frame, predictions, scored, seen)
    problems += shared_problems(frame, predictions, reference)
    if problems:
        return None, problems
    # the checked table takes the read columns without copying them (10M rows × 5 classes of
    # scores are 400 MB); the caller drops the read table
    columns: dict[str, Any] = {column: frame[column] for column in predictions.sensitive}
    position = {name: index for index, name in enumerate(classes)}
    for role, name in (("y_true", Y_TRUE), ("y_pred", Y_PRED)):
        found, texts = factorized[role]
        remap = np.array([position[t] for t in texts] or [0], dtype=np.int16)
        columns[name] = pd.Categorical.from_codes(remap[found], categories=pd.Index(classes))
    for index, name in enumerate(classes):
        if name in scored:
            columns[f"{Y_CLASS_SCORE}{index}"] = frame[scored[name]].astype(np.float64)
    if predictions.weight:
        columns[WEIGHT] = frame[predictions.weight].astype(np.float64)
    checked = pd.DataFrame(columns, copy=False)
    return checked, []


def _ordered(names: set[str], frame: pd.DataFrame, predictions: Predictions) -> list[str]:
    """Classes in numeric order when every label is a whole number, else in text order."""
    numeric = [
        pd.api.types.is_integer_dtype(frame[c]) for c in (predictions.y_true, predictions.y_pred)
    ]
    if all(numeric) and all(_whole(n) for n in names):
        return sorted(names, key=int)
    return sorted(names)


def _whole(text: str) -> bool:
    return text.lstrip("-").isdigit()


def _score_problems(
    frame: pd.DataFrame, predictions: Predictions, scored: dict[str, str], seen: set[str]
) -> list[Problem]:
    uri = predictions.uri
    unscored = sorted(seen - set(scored))
    if unscored:
        problem = f"names no score column for class(es) {_show(set(unscored))}"
        fix = "add a column of each class's predicted probability to y_score_by_class"
        return [Problem(uri, None, "predictions.columns.y_score_by_class", problem, fix)]
    problems = []
    fix = "give the predicted probability of the class, a number from 0 to 1"
    columns: list[NDArray[np.float64]] = []
    for name, column in scored.items():
        series = frame[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            problem = f"scores of class {name!r} are not numbers ({series.dtype})"
            problems.append(Problem(uri, None, column, problem, fix))
            continue
        numbers = series.to_numpy(dtype=np.float64)
        bad = ~((numbers >= 0) & (numbers <= 1))  # NaN fails both comparisons
        if bad.any():
            problems.append(
                Problem(
                    uri,
                    None,
                    column,
                    _first_bad(bad, numbers, "scores are missing or outside [0, 1]"),
                    fix,
                )
            )
        columns.append(numbers)
    if problems:
        return problems
    total = columns[0].copy()  # one row-length sum, not the classes stacked into a matrix
    for numbers in columns[1:]:
        total += numbers
    off = np.abs(total - 1) > SUM_TOLERANCE
    if not off.any():
        return []
    field = ", ".join(scored.values())
    problem = _first_bad(off, total, f"rows' class scores do not sum to 1 (± {SUM_TOLERANCE:g})")
    fix = "give each class's predicted probability (e.g. predict_proba), so each row sums to 1"
    return [Problem(uri, None, field, problem, fix)]


def _first_bad(bad: NDArray[np.bool_], numbers: NDArray[np.float64], problem: str) -> str:
    first = int(np.flatnonzero(bad)[0])
    value: Any = float(numbers[first])
    return f"{int(bad.sum()):,} {problem} (first at data row {first + 1}: {value!r})"
