"""Which runs are multiclass, and how their labels become one class list."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cardpress.model import Y_PRED, Y_TRUE, Predictions, Run, Source
from cardpress.readers.predictions.multiclass import checked_multiclass, is_multiclass, label_text
from cardpress.readers.predictions.read import read_predictions


def _run(task: str | None, by_class: tuple[tuple[str, str], ...] = ()) -> Run:
    predictions = Predictions(
        uri="p.csv", dataset="d", y_true="y", y_pred="yhat", source=Source("r.json", 1),
        sensitive=("g",), y_score_by_class=by_class,
    )  # fmt: skip
    return Run("r", "m", "1", datetime(2026, 1, 1, tzinfo=UTC), "FINISHED", Source("r.json"),
               (), (), task=task, predictions=predictions)  # fmt: skip


@pytest.mark.parametrize(
    ("task", "y", "yhat", "expected"),
    [
        ("multiclass", [0, 1, 0], [1, 0, 1], True),  # declared, even with two values
        (None, ["a", "b", "c"], ["a", "a", "b"], True),  # three text labels
        (None, [0, 1, 2], [0, 1, 1], True),  # three whole numbers
        (None, [0.0, 1.5, 2.5], [0.1, 1.4, 2.0], False),  # floats: a regression target
        (None, [1.0, 0.0, np.nan], [1, 0, 1], False),  # 1.0 and 1 are one class: binary
        ("binary", ["a", "b", "c"], ["a", "b", "c"], False),  # declared binary: its own checks
        ("regression", [1, 2, 3], [1, 2, 3], False),
    ],
)
def test_which_runs_are_multiclass(task: str | None, y: list, yhat: list, expected: bool) -> None:  # type: ignore[type-arg]
    frame = pd.DataFrame({"y": y, "yhat": yhat, "g": ["a"] * len(y)})
    assert is_multiclass(_run(task), frame) is expected


def test_per_class_scores_alone_select_multiclass() -> None:
    frame = pd.DataFrame({"y": [0, 1], "yhat": [0, 1], "g": ["a", "b"]})
    assert is_multiclass(_run(None, (("0", "p0"), ("1", "p1"))), frame)


def test_whole_number_labels_are_one_class_in_numeric_order() -> None:
    frame = pd.DataFrame({"y": [10, 2, 1, 2], "yhat": [2, 10, 10, 1], "g": ["a"] * 4})
    checked, problems = checked_multiclass(frame, _run("multiclass").predictions, (), {})  # type: ignore[arg-type]
    assert problems == [] and checked is not None
    assert list(checked[Y_TRUE].cat.categories) == ["1", "2", "10"]
    assert list(checked[Y_TRUE].astype(str)) == ["10", "2", "1", "2"]
    assert list(checked[Y_PRED].astype(str)) == ["2", "10", "10", "1"]
    assert [label_text(v) for v in (1, 1.0, "1", True, 2.5)] == ["1", "1", "1", "True", "2.5"]


def test_parquet_text_labels_read_as_categories_check_the_same(tmp_path: Path) -> None:
    """Dictionary-encoded labels (the fast read) give the very table the text labels give."""
    rng = np.random.default_rng(7)
    labels = np.array(["cat", "dog", "eel", "fox"], dtype=object)
    y, yhat = labels[rng.integers(0, 4, 500)], labels[rng.integers(0, 3, 500)]
    frame = pd.DataFrame({"y": y, "yhat": yhat, "g": rng.choice(["a", "b"], 500)})
    frame.loc[3, "yhat"] = None  # a missing prediction: reported the same way in both
    frame.to_parquet(tmp_path / "p.parquet", index=False)
    predictions = dataclasses.replace(_run("multiclass").predictions, uri="p.parquet")  # type: ignore[arg-type]
    tables = []
    for classes in (False, True):
        read = read_predictions(tmp_path, predictions, [], classes)
        assert read is not None
        assert isinstance(read["y"].dtype, pd.CategoricalDtype) is classes
        tables.append(checked_multiclass(read, predictions, (), {}))
    (plain, plain_problems), (coded, coded_problems) = tables
    assert plain is None and coded is None and plain_problems == coded_problems != []
    read = read_predictions(tmp_path, predictions, [], True)
    assert read is not None
    read = read.fillna({"yhat": "cat"})
    fixed = frame.fillna({"yhat": "cat"})
    expected, _ = checked_multiclass(fixed, predictions, (), {})
    found, _ = checked_multiclass(read, predictions, (), {})
    assert expected is not None and found is not None
    pd.testing.assert_frame_equal(found, expected, check_categorical=True)
