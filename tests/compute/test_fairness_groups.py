"""Group metrics against fairlearn's MetricFrame and scikit-learn, to 1e-9."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

from cardpress.compute.fairness.groups import group_metrics
from tests.conftest import EXAMPLE

FAIRLEARN = {
    "selection_rate": selection_rate,
    "accuracy": accuracy_score,
    "precision": lambda t, p: precision_score(t, p, zero_division=np.nan),
    "recall": lambda t, p: recall_score(t, p, zero_division=np.nan),
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
}


def _adult() -> pd.DataFrame:
    return pd.read_parquet(EXAMPLE / "predictions" / "income-classifier-2.parquet")


def _compare(frame: pd.DataFrame, columns: list[str], score: str | None = "score") -> None:
    ours = group_metrics(
        frame, columns, y_true="label", y_pred="pred", y_score=score, min_group_size=30
    )
    frames = MetricFrame(
        metrics={**FAIRLEARN, "count": count},
        y_true=frame["label"], y_pred=frame["pred"],
        sensitive_features=frame[columns] if columns else None,
    ) if columns else None  # fmt: skip
    for group in ours:
        key = group.values if len(group.values) > 1 else group.values[0]
        expected = frames.by_group.loc[key]  # type: ignore[union-attr]
        assert group.count == expected["count"]
        part = frame[
            (frame[columns] == pd.Series(dict(zip(columns, group.values, strict=True)))).all(axis=1)
        ]
        for name in FAIRLEARN:
            rate = group.rates[name]
            if rate.undefined is None:
                assert rate.value == pytest.approx(expected[name], abs=1e-9), (group.label, name)
            else:  # fairlearn reports 0 (or nan) where the metric has no denominator; we refuse
                assert math.isnan(rate.value)
        if score and part["label"].nunique() == 2:
            assert group.auc == pytest.approx(roc_auc_score(part["label"], part[score]), abs=1e-9)


def test_adult_groups_match_fairlearn_and_sklearn() -> None:
    frame = _adult()
    _compare(frame, ["sex"])
    _compare(frame, ["race"])
    _compare(frame, ["sex", "race"])


def test_undefined_metrics_have_reasons_and_never_zero() -> None:
    frame = pd.DataFrame(
        {
            "label": [0, 0, 1, 1],
            "pred": [0, 1, 1, 1],
            "score": [0.1, 0.6, 0.8, 0.9],
            "g": list("aabb"),
        }
    )
    groups = group_metrics(
        frame, ["g"], y_true="label", y_pred="pred", y_score="score", min_group_size=1
    )
    a, b = sorted(groups, key=lambda g: g.label)
    assert (
        math.isnan(a.rates["recall"].value)
        and a.rates["recall"].undefined == "no actual positives in this group"
    )
    assert (
        math.isnan(b.rates["fpr"].value)
        and b.rates["fpr"].undefined == "no actual negatives in this group"
    )
    assert math.isnan(a.auc) and a.auc_undefined == "only one class in this group"


def test_missing_values_form_their_own_group_and_empty_intersections_are_absent() -> None:
    frame = pd.DataFrame({"label": [1, 0, 1, 0], "pred": [1, 0, 0, 0],
                          "sex": ["F", None, "F", "M"], "race": ["x", "x", "y", "x"]})  # fmt: skip
    groups = group_metrics(
        frame, ["sex", "race"], y_true="label", y_pred="pred", y_score=None, min_group_size=2
    )
    assert sorted(g.label for g in groups) == ["(missing) × x", "F × x", "F × y", "M × x"]
    assert all(g.small for g in groups)
    assert all(g.auc_undefined == "no scores in the predictions" for g in groups)


def test_null_and_the_text_missing_are_two_groups_as_in_pandas() -> None:
    values = ["missing", None, "missing", "(missing)", None, float("nan"), "F", "missing"]
    frame = pd.DataFrame({"label": [1, 0, 1, 0, 1, 1, 0, 0], "pred": [1, 0, 0, 0, 1, 0, 1, 0],
                          "g": values})  # fmt: skip
    groups = group_metrics(frame, ["g"], y_true="label", y_pred="pred", y_score=None,
                           min_group_size=1)  # fmt: skip
    expected = frame.groupby("g", dropna=False).size()  # null and NaN: one NaN group
    found = {g.values[0]: g.count for g in groups}
    assert found == {"missing": 3, None: 3, "(missing)": 1, "F": 1}
    assert found["missing"] == expected["missing"] and found[None] == expected[np.nan]
    labels = {g.values[0]: g.label for g in groups}
    assert labels == {"missing": "missing", None: "(missing)", "(missing)": '"(missing)"', "F": "F"}
    [null] = [g for g in groups if g.values == (None,)]
    assert (null.tp, null.fn, null.tn) == (1, 1, 1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 1), st.integers(0, 1), st.sampled_from("abc"), st.sampled_from("xy")
        ),
        min_size=1,
        max_size=40,
    )
)
def test_counts_add_up_and_rates_match_sklearn(rows: list[tuple[int, int, str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["label", "pred", "g", "h"])
    groups = group_metrics(
        frame, ["g", "h"], y_true="label", y_pred="pred", y_score=None, min_group_size=5
    )
    assert sum(g.count for g in groups) == len(frame)
    assert sum(g.share for g in groups) == pytest.approx(1.0)
    for group in groups:
        part = frame[(frame["g"] == group.values[0]) & (frame["h"] == group.values[1])]
        assert group.count == len(part) and group.small == (len(part) < 5)
        assert group.rates["accuracy"].value == pytest.approx(
            accuracy_score(part["label"], part["pred"]), abs=1e-12
        )
        if part["label"].sum():
            assert group.rates["recall"].value == pytest.approx(
                recall_score(part["label"], part["pred"]), abs=1e-12
            )
        else:
            assert group.rates["recall"].undefined is not None
