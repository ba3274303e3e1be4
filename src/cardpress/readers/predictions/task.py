"""What a model predicts (binary, multiclass or regression), and the checks of a regression table.

The task is ``model.task`` of the run record when set. Otherwise it is inferred from the distinct
non-missing values of the label and prediction columns taken together, by one rule, in order:

1. at most two values → ``binary``;
2. both columns numeric and some value not a whole number → ``regression``;
3. both columns numeric, whole numbers only: at most :data:`MAX_CLASSES` values → ``multiclass``,
   more → ``regression``;
4. text (or text and numbers mixed) with at most :data:`MAX_CLASSES` values → ``multiclass``;
   more is ambiguous (too many classes to be classes, and text is not a quantity): an error that
   asks for ``model.task``.

A regression table must hold numbers in both columns, none missing and none infinite.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cardpress.errors import Problem
from cardpress.model import WEIGHT, Y_PRED, Y_TRUE, Dataset, Predictions
from cardpress.readers.predictions.checks import _row_count, as_text, shared_problems

MAX_CLASSES = 50
PREFIX = 10_000  # rows looked at first
MAX_VALUE = 1e150  # squared errors (RMSE, R²) must stay finite: (2e150)² < 1.8e308
REGRESSION_FIX = "a regression's labels and predictions are numbers: write every row's value"


def infer_task(
    frame: pd.DataFrame, predictions: Predictions, declared: str | None, record: str
) -> tuple[str | None, list[Problem]]:
    """The run's task (``declared`` when set) and, when it cannot be told, the problem why."""
    if declared is not None:
        return declared, []
    columns = [frame[predictions.y_true], frame[predictions.y_pred]]
    numeric = all(_numeric(series) for series in columns)
    if numeric:
        values = [series.to_numpy(dtype=np.float64) for series in columns]
        # the first rows usually settle it (a regressor's predictions are rarely whole numbers)
        for part in ([v[:PREFIX] for v in values], values):
            finite = [v[np.isfinite(v)] for v in part]
            if any((v != np.floor(v)).any() for v in finite):
                more = _more_than_two(np.concatenate(finite))
                if more or part is values:
                    return ("regression" if more else "binary"), []
    count = _distinct(columns)
    if count <= 2:
        return "binary", []
    if count <= MAX_CLASSES:
        return "multiclass", []
    if numeric:
        return "regression", []
    field = f"{predictions.y_true}, {predictions.y_pred}"
    problem = (
        f"labels and predictions hold {count:,} distinct values, not all numbers: too many for "
        f"classes (at most {MAX_CLASSES}) and text cannot be a regression target"
    )
    fix = f'set model.task ("binary", "multiclass" or "regression") in {record}, or map the labels'
    return None, [Problem(predictions.uri, None, field, problem, fix)]


def checked_regression(
    frame: pd.DataFrame,
    predictions: Predictions,
    datasets: tuple[Dataset, ...],
    reference: dict[str, str],
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The table a regression report reads, or None and every problem found."""
    problems = _row_count(frame, predictions, datasets) + _number_columns(frame, predictions)
    problems += shared_problems(frame, predictions, reference)
    if problems:
        return None, problems
    return regression_table(frame, predictions), []


def _number_columns(frame: pd.DataFrame, predictions: Predictions) -> list[Problem]:
    """Every problem of the label and prediction columns of a regression table."""
    problems = []
    for role, column in (("y_true", predictions.y_true), ("y_pred", predictions.y_pred)):
        for found in _number_problems(frame[column], role):
            problems.append(Problem(predictions.uri, None, column, found, REGRESSION_FIX))
    return problems


def regression_table(frame: pd.DataFrame, predictions: Predictions) -> pd.DataFrame:
    """The sensitive columns, and the labels and predictions as float64 (checked already)."""
    checked = frame[list(predictions.sensitive)].copy()
    checked[Y_TRUE] = frame[predictions.y_true].to_numpy(dtype=np.float64)
    checked[Y_PRED] = frame[predictions.y_pred].to_numpy(dtype=np.float64)
    if predictions.weight:
        checked[WEIGHT] = frame[predictions.weight].to_numpy(dtype=np.float64)
    return checked


def _numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def _more_than_two(values: np.ndarray) -> bool:
    """Whether ``values`` hold three distinct numbers or more, in one pass (no hashing)."""
    rest = values[values != values[0]]
    return bool(len(rest)) and bool((rest != rest[0]).any())


def _distinct(columns: list[pd.Series]) -> int:
    """Distinct values of both columns as the reports compare them: as text (1, 1.0, "1": one).

    Compared as Python values, text "0"/"1" labels beside 0/1 predictions were four values, so
    a binary model was taken for a multiclass one and its scores silently left out.
    """
    values: set[Any] = set()
    for series in columns:
        values |= {as_text(v) for v in series.dropna().unique().tolist()}
    return len(values)


def _number_problems(series: pd.Series, role: str) -> list[str]:
    """What is wrong with a column that should hold a finite number in every row."""
    if pd.api.types.is_bool_dtype(series):
        return [f"holds true/false values, not numbers ({role})"]
    if not _numeric(series):
        text = (pd.to_numeric(series, errors="coerce").isna() & series.notna()).to_numpy()
        what = "text, not a number"
        if not text.any():  # every value reads as a number, but is written as text ("1.5")
            text, what = series.notna().to_numpy(), "a number written as text"
        if text.any():
            first = int(np.flatnonzero(text)[0])
            return [
                f"{_rows(int(text.sum()), what, 'holds', 'hold')} (first at data "
                f"row {first + 1}: {series.iloc[first]!r}) ({role})"
            ]
        series = pd.to_numeric(series, errors="coerce")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    found = []
    with np.errstate(invalid="ignore"):
        huge = np.isfinite(values) & (np.abs(values) > MAX_VALUE)
    beyond = f"a value beyond ±{MAX_VALUE:.0e} (its square overflows)"
    checks = ((np.isnan(values), "no value"), (np.isinf(values), "an infinite value"),
              (huge, beyond))  # fmt: skip
    for bad, what in checks:
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            count = _rows(int(bad.sum()), what, "has", "have")
            found.append(f"{count} (first at data row {first + 1}) ({role})")
    return found


def _rows(count: int, what: str, one: str, many: str) -> str:
    return f"1 row {one} {what}" if count == 1 else f"{count:,} rows {many} {what}"
