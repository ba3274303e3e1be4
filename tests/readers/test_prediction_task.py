"""The task rule: recorded wins; else two values, non-integers, class counts, in that order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cardpress.model import Predictions, Source
from cardpress.readers.predictions.task import infer_task

PREDICTIONS = Predictions(
    uri="p.csv", dataset="d", y_true="y", y_pred="yhat", source=Source("r", 1)
)


def _task(y: list[object], yhat: list[object], declared: str | None = None) -> str | None:
    frame = pd.DataFrame({"y": pd.Series(y), "yhat": pd.Series(yhat)})
    task, problems = infer_task(frame, PREDICTIONS, declared, "runs/r.json")
    assert (task is None) == bool(problems)
    return task


@pytest.mark.parametrize(
    ("y", "yhat", "expected"),
    [
        ([0, 1, 1, 0], [1, 1, 0, 0], "binary"),
        (["yes", "no", "no"], ["no", "no", "yes"], "binary"),
        ([True, False], [False, False], "binary"),
        ([0.5, 1.5, 0.5], [1.5, 0.5, 0.5], "binary"),  # two values, whatever they are
        ([1.0, 2.0, 3.0], [1.2, 2.1, 2.9], "regression"),  # a prediction not a whole number
        ([1, 2, 3, None], [1.0, 2.0, 3.0, 2.0], "multiclass"),  # missing values do not count
        (["a", "b", "c"], ["a", "c", "c"], "multiclass"),
        (list(range(50)), list(range(50)), "multiclass"),  # 50 whole numbers: classes
        (list(range(51)), list(range(51)), "regression"),  # 51: a quantity
        ([1.0, 2.0, np.inf], [1.0, 2.0, 3.0], "multiclass"),  # inf is checked, not counted
    ],
)
def test_inferred_task(y: list[object], yhat: list[object], expected: str) -> None:
    assert _task(y, yhat) == expected


def test_the_recorded_task_is_not_second_guessed() -> None:
    assert _task([0, 1], [0, 1], declared="regression") == "regression"


def test_too_many_text_values_is_ambiguous() -> None:
    labels = [f"v{i}" for i in range(51)]
    frame = pd.DataFrame({"y": labels, "yhat": labels})
    task, problems = infer_task(frame, PREDICTIONS, None, "runs/r.json")
    assert task is None
    assert [str(p) for p in problems] == [
        "p.csv: y, yhat: labels and predictions hold 51 distinct values, not all numbers: too "
        "many for classes (at most 50) and text cannot be a regression target — set model.task "
        '("binary", "multiclass" or "regression") in runs/r.json, or map the labels'
    ]
