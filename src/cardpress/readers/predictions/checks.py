"""Check an evaluation-predictions table's content and map it to what the fairness report reads.

Binary classification only: labels and predictions must take at most two values between them,
one of them the run's ``positive_label``; they become 0/1. Scores must be numbers in [0, 1] (they
are read as probabilities: AUC, calibration and the threshold curves use them). Sample weights,
when the run names a weight column, must be finite numbers >= 0 with a positive total.
A sensitive column may hold at most :data:`MAX_LEVELS` distinct values, none with a control
character (XML cannot hold it: the group's charts and the JUnit report could not be written).
Every problem names the file and the column, and says how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from cardpress.errors import Problem
from cardpress.model import WEIGHT, Y_PRED, Y_SCORE, Y_TRUE, Dataset, Predictions
from cardpress.xml_text import has_forbidden

MAX_LEVELS = 1000
BINARY_FIX = (
    "the fairness report covers binary classification: map labels and predictions to two values "
    "(e.g. 0/1) and name the positive one in predictions.positive_label"
)


def checked_predictions(
    frame: pd.DataFrame,
    predictions: Predictions,
    datasets: tuple[Dataset, ...],
    reference: dict[str, str],
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The table with 0/1 labels and predictions, or None and every problem found."""
    problems = _row_count(frame, predictions, datasets)
    problems += _binary(frame, predictions)
    if predictions.y_score:
        problems += _scores(frame, predictions.uri, predictions.y_score)
    problems += shared_problems(frame, predictions, reference)
    if problems:
        return None, problems
    checked = frame[list(predictions.sensitive)].copy()
    checked[Y_TRUE] = _positive(frame[predictions.y_true], predictions.positive_label)
    checked[Y_PRED] = _positive(frame[predictions.y_pred], predictions.positive_label)
    if predictions.y_score:
        checked[Y_SCORE] = frame[predictions.y_score].to_numpy(dtype=np.float64)
    if predictions.weight:
        checked[WEIGHT] = frame[predictions.weight].to_numpy(dtype=np.float64)
    return checked, []


def _row_count(
    frame: pd.DataFrame, predictions: Predictions, datasets: tuple[Dataset, ...]
) -> list[Problem]:
    if len(frame) == 0:
        fix = "write the evaluation predictions, one row per evaluated example"
        return [Problem(predictions.uri, None, "", "has no rows", fix)]
    declared = next((d.rows for d in datasets if d.id == predictions.dataset), None)
    if declared is None or declared == len(frame):
        return []
    problem = (
        f"has {len(frame):,} rows but data set {predictions.dataset!r} is recorded with "
        f"{declared:,} rows"
    )
    fix = "write a prediction for every evaluated row, or correct the data set's rows"
    return [Problem(predictions.uri, None, "", problem, fix)]


def _binary(frame: pd.DataFrame, predictions: Predictions) -> list[Problem]:
    problems = []
    values: dict[str, Any] = {}  # by text: "1" labels beside 1.0 predictions are one value
    for role, column in (("y_true", predictions.y_true), ("y_pred", predictions.y_pred)):
        series = frame[column]
        missing = no_value(series.isna().to_numpy(), role)
        if missing:
            problems.append(Problem(predictions.uri, None, column, missing, BINARY_FIX))
        distinct = {as_text(v): v for v in series.dropna().unique().tolist()}
        if len(distinct) > 2:
            problem = f"holds {len(distinct):,} values ({_show(set(distinct.values()))}) ({role})"
            problems.append(Problem(predictions.uri, None, column, problem, BINARY_FIX))
        values.update(distinct)
    if problems or len(values) <= 1:
        return problems
    label = predictions.positive_label
    if len(values) > 2 or not any(_same(value, label) for value in values):
        problem = (
            f"labels and predictions together hold {_show(set(values.values()))}; expected two "
            f"values, one of them positive_label {label!r}"
        )
        field = f"{predictions.y_true}, {predictions.y_pred}"
        problems.append(Problem(predictions.uri, None, field, problem, BINARY_FIX))
    return problems


def no_value(absent: np.ndarray, role: str) -> str | None:
    """How many rows have no ``role`` value and the first of them (data rows from 1), if any."""
    missing = int(absent.sum())
    if not missing:
        return None
    rows = "1 row has" if missing == 1 else f"{missing:,} rows have"
    return f"{rows} no value (first at data row {int(np.flatnonzero(absent)[0]) + 1}) ({role})"


def _scores(frame: pd.DataFrame, uri: str, column: str) -> list[Problem]:
    series = frame[column]
    fix = (
        "give the predicted probability of the positive class, a number from 0 to 1 (AUC, "
        "calibration and the threshold curves read it as a probability; a raw margin or logit "
        "must be mapped to [0, 1] first, e.g. with a sigmoid)"
    )
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return [Problem(uri, None, column, f"scores are not numbers ({series.dtype})", fix)]
    numbers = series.to_numpy(dtype=np.float64)
    bad = ~((numbers >= 0) & (numbers <= 1))  # NaN fails both comparisons, so it is caught too
    if not bad.any():
        return []
    first = int(np.flatnonzero(bad)[0])
    problem = (
        f"{int(bad.sum()):,} scores are missing or outside [0, 1] (first at data row {first + 1}: "
        f"{float(numbers[first])!r})"
    )
    return [Problem(uri, None, column, problem, fix)]


def shared_problems(
    frame: pd.DataFrame, predictions: Predictions, reference: dict[str, str]
) -> list[Problem]:
    """The checks every task's table shares: the weight column and each sensitive column."""
    problems = []
    if predictions.weight:
        problems += weight_problems(frame, predictions.uri, predictions.weight)
    for column in predictions.sensitive:
        problems += _levels(frame, predictions.uri, column, reference.get(column))
    return problems


def weight_problems(frame: pd.DataFrame, uri: str, column: str) -> list[Problem]:
    """Problems of a sample-weight column: not numbers, negative, missing, infinite or all 0."""
    series = frame[column]
    fix = "give every row a finite sample weight of 0 or more (1 = an ordinary row)"
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return [Problem(uri, None, column, f"weights are not numbers ({series.dtype})", fix)]
    numbers = series.to_numpy(dtype=np.float64)
    bad = ~((numbers >= 0) & np.isfinite(numbers))  # NaN fails the comparison, so it is caught
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        problem = (
            f"{int(bad.sum()):,} weights are negative, missing or infinite (first at data row "
            f"{first + 1}: {float(numbers[first])!r})"
        )
        return [Problem(uri, None, column, problem, fix)]
    if not numbers.sum() > 0:
        fix = "give at least one row a positive weight"
        return [Problem(uri, None, column, "every weight is 0: no row counts", fix)]
    return []


def _levels(frame: pd.DataFrame, uri: str, column: str, reference: str | None) -> list[Problem]:
    series = frame[column]
    groups = series.dropna().unique()
    count = len(groups)
    if count > MAX_LEVELS:
        problem = (
            f"sensitive column has {count:,} distinct values (at most {MAX_LEVELS:,}); "
            "groups that small say nothing"
        )
        fix = "bin it into ranges (e.g. age bands) in the predictions file, or drop it"
        return [Problem(uri, None, column, problem, fix)]
    controlled = control_characters(series, groups)
    if controlled:
        fix = (
            "remove control characters from the column's values (or replace them, e.g. with a "
            "space)"
        )
        return [Problem(uri, None, column, controlled, fix)]
    texts = {str(value) for value in groups}
    if reference is not None and reference not in texts:
        values = _show(texts)
        problem = f"has no value {reference!r}, the reference group set in [fairness] ({values})"
        fix = "set fairness.reference in cardpress.toml to one of the column's values"
        return [Problem(uri, None, column, problem, fix)]
    return []


def control_characters(series: pd.Series, values: Iterable[Any]) -> str | None:
    """How many rows hold a text with a character XML cannot hold, and the first, if any.

    ``values``: the column's distinct values (computed once by the caller).
    """
    bad = [v for v in values if isinstance(v, str) and has_forbidden(v)]
    if not bad:
        return None
    rows = series.isin(bad).to_numpy()
    first = int(np.flatnonzero(rows)[0])
    count = "1 row holds" if rows.sum() == 1 else f"{int(rows.sum()):,} rows hold"
    return (
        f"{count} a control character (first at data row {first + 1}: {series.iloc[first]!r}), "
        "which pages, charts and reports cannot show"
    )


def _positive(series: pd.Series, label: str | int | bool) -> np.ndarray:
    """1 where the value is the positive label, else 0."""
    values = series.to_numpy()
    hits = np.fromiter((_same(v, label) for v in pd.unique(values)), dtype=bool)
    positives = pd.unique(values)[hits]
    return np.isin(values, positives).astype(np.int8)


def _same(value: Any, label: str | int | bool) -> bool:
    """A value equals the positive label: ``1`` matches 1, 1.0, "1" and True; "yes" matches "yes".

    Compared as text (:func:`as_text`), as the task is inferred: text "1" labels beside 1.0
    predictions are one class, whichever of them ``positive_label`` is written as. A text
    value also matches the label's own text (``"True"`` matches ``true``).
    """
    if as_text(value) == as_text(label):
        return True
    return (isinstance(value, str) or isinstance(label, str)) and str(value) == str(label)


def as_text(value: Any) -> str:
    """A label as the reports compare labels: 1, 1.0, True and "1" are all "1"."""
    if isinstance(value, np.generic):  # NumPy's bool, float32, int64, …: as Python's
        value = value.item()
    if isinstance(value, bool):  # True and 1 are one value, as Python has it
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _show(values: set[Any], limit: int = 5) -> str:
    shown = sorted(values, key=lambda v: (str(type(v)), str(v)))[:limit]
    more = f", … {len(values) - limit:,} more" if len(values) > limit else ""
    return ", ".join(repr(v) for v in shown) + more
