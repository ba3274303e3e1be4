"""Monitoring labels meet predictions as numbers where they look like numbers (DuckDB, via Ibis).

A label read as a float (a column with a missing value) or as text (a late-label CSV) must
match the integer prediction it was meant to: 1.0 and "1.0" are the class 1, not a miss.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix

from cardpress.readers.drift.engine import Outcome, outcome_text, performance_by_window
from cardpress.readers.drift.windows import WINDOW
from cardpress.readers.monitoring import SOURCE


def _table(label: list[Any], prediction: list[Any]) -> Any:
    frame = pd.DataFrame({"label": label, "prediction": prediction})
    frame[SOURCE], frame[WINDOW] = "rows.parquet", 0
    return ibis.memtable(frame)


def _texts(values: list[Any]) -> list[Any]:
    table = ibis.memtable(pd.DataFrame({"v": values}))
    return table.select(t=outcome_text(table.v)).to_pyarrow().column("t").to_pylist()


def test_numbers_become_one_text_and_other_values_keep_theirs() -> None:
    assert _texts(["1.0", "1", " 2 ", "1e3", "0.50", "yes", ">50K", "nan", None]) == [
        "1", "1", "2", "1000", "0.5", "yes", ">50K", "nan", None,
    ]  # fmt: skip
    assert _texts([1.0, -0.0, 2.5, None]) == ["1", "0", "2.5", None]
    assert _texts([3, 4]) == ["3", "4"]
    # past 2⁵³ a float cannot tell whole numbers apart: such text stays as written
    assert _texts(["12345678901234567890", "12345678901234567891"]) == [
        "12345678901234567890", "12345678901234567891",
    ]  # fmt: skip


def test_binary_float_or_text_labels_match_integer_predictions() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 200)
    predicted = np.where(rng.random(200) < 0.7, truth, 1 - truth)
    expected = confusion_matrix(truth, predicted).ravel()  # tn, fp, fn, tp
    for labels in (truth.astype(float).tolist(), [f"{v:.1f}" for v in truth]):
        outcome = Outcome("prediction", "label", None, None, "1")
        [found] = performance_by_window(_table(labels, predicted.tolist()), outcome, 2).values()
        assert (found.tn, found.fp, found.fn, found.tp) == tuple(expected)
    # without the fix "1.0" ≠ "1": every labelled positive was a miss; text labels still work
    outcome = Outcome("prediction", "label", None, None, "yes")
    text = [["no", "yes"][v] for v in truth]
    said = [["no", "yes"][v] for v in predicted]
    [found] = performance_by_window(_table(text, said), outcome, 2).values()
    assert (found.tn, found.fp, found.fn, found.tp) == tuple(expected)


def test_multiclass_text_labels_match_integer_predictions() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(1, 4, 150)
    predicted = np.where(rng.random(150) < 0.6, truth, rng.integers(1, 4, 150))
    labels = [f"{v}.0" if i % 2 else str(v) for i, v in enumerate(truth)]  # "1.0" and "1" mixed
    outcome = Outcome("prediction", "label", None, None, "1", task="multiclass")
    [found] = performance_by_window(_table(labels, predicted.tolist()), outcome, 2).values()
    matrix = confusion_matrix(truth, predicted, labels=[1, 2, 3])
    expected = {(str(y), str(p), int(matrix[y - 1, p - 1]))
                for y in (1, 2, 3) for p in (1, 2, 3) if matrix[y - 1, p - 1]}  # fmt: skip
    assert set(found.confusion) == expected
    hits = sum(n for y, p, n in found.confusion if y == p)
    assert hits == int(np.trace(matrix)) == int((truth == predicted).sum())
