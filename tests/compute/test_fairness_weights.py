"""Sample weights: group metrics against fairlearn's MetricFrame (sample_params) and sklearn."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

from cardpress.compute.fairness.groups import group_metrics
from cardpress.compute.rates import auc_by_group, wilson_interval
from tests.conftest import EXAMPLE

FAIRLEARN = {
    "selection_rate": selection_rate,
    "accuracy": accuracy_score,
    "precision": lambda t, p, sample_weight: precision_score(
        t, p, sample_weight=sample_weight, zero_division=np.nan
    ),
    "recall": lambda t, p, sample_weight: recall_score(
        t, p, sample_weight=sample_weight, zero_division=np.nan
    ),
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
}


def _weighted(frame: pd.DataFrame, columns: list[str], weights: np.ndarray) -> list:  # type: ignore[type-arg]
    return group_metrics(frame, columns, y_true="label", y_pred="pred", y_score="score",
                         min_group_size=30, weights=weights)  # fmt: skip


def test_weighted_groups_match_fairlearn_metricframe_with_sample_params() -> None:
    frame = pd.read_parquet(EXAMPLE / "predictions" / "income-classifier-2.parquet")
    weights = np.random.default_rng(11).gamma(2.0, 0.7, len(frame))
    for columns in (["sex"], ["race"], ["sex", "race"]):
        result = MetricFrame(
            metrics=FAIRLEARN, y_true=frame["label"], y_pred=frame["pred"],
            sensitive_features=frame[columns],
            sample_params={name: {"sample_weight": weights} for name in FAIRLEARN},
        ).by_group  # fmt: skip
        for group in _weighted(frame, columns, weights):
            key = group.values if len(group.values) > 1 else group.values[0]
            inside = frame[columns] == pd.Series(dict(zip(columns, group.values, strict=True)))
            inside = inside.all(axis=1).to_numpy()
            assert group.count == pytest.approx(weights[inside].sum(), abs=1e-9)
            assert group.rows == int(inside.sum())
            w = weights[inside]
            assert group.effective_n == pytest.approx(w.sum() ** 2 / (w**2).sum(), abs=1e-9)
            for name in FAIRLEARN:
                rate = group.rates[name]
                if rate.undefined is None:
                    assert rate.value == pytest.approx(result.loc[key, name], abs=1e-9), name
            part = frame[inside]
            if part["label"].nunique() == 2:
                expected = roc_auc_score(part["label"], part["score"], sample_weight=w)
                assert group.auc == pytest.approx(expected, abs=1e-9)


def test_weighted_wilson_interval_uses_the_effective_n() -> None:
    frame = pd.DataFrame({"label": [1, 1, 0, 0], "pred": [1, 0, 0, 1],
                          "score": [0.9, 0.4, 0.2, 0.6], "g": ["a"] * 4})  # fmt: skip
    weights = np.array([3.0, 1.0, 1.0, 1.0])
    [group] = _weighted(frame, ["g"], weights)
    recall = group.rates["recall"]  # TP weight 3 of positives' weight 4, n_eff = 16 / 10
    assert (recall.value, recall.successes, recall.trials) == (0.75, 3.0, 4.0)
    assert recall.effective_trials == pytest.approx(1.6)
    assert (recall.lower, recall.upper) == pytest.approx(wilson_interval(0.75 * 1.6, 1.6))
    assert group.effective_n == pytest.approx(36 / 12) and group.small


def test_weights_decide_which_groups_are_small() -> None:
    frame = pd.DataFrame({"label": [1, 0] * 50, "pred": [1, 0] * 50, "score": [0.7, 0.2] * 50,
                          "g": ["a"] * 100})  # fmt: skip
    even = np.ones(100)
    skewed = np.r_[np.full(5, 100.0), np.full(95, 0.01)]  # five rows carry nearly all the weight
    [plain] = group_metrics(frame, ["g"], y_true="label", y_pred="pred", y_score=None,
                            min_group_size=30, weights=even)  # fmt: skip
    [heavy] = group_metrics(frame, ["g"], y_true="label", y_pred="pred", y_score=None,
                            min_group_size=30, weights=skewed)  # fmt: skip
    assert not plain.small and plain.effective_n == 100
    assert heavy.small and heavy.effective_n < 6


rows = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 1), st.floats(0, 1), st.sampled_from("ab"),
              st.integers(1, 3)),
    min_size=1, max_size=40,
)  # fmt: skip


def _frame(data: list[tuple[int, int, float, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(data, columns=["label", "pred", "score", "g", "w"])


def _same(a: float, b: float, tolerance: float = 1e-12) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tolerance


@settings(max_examples=80, deadline=None)
@given(rows)
def test_weights_of_one_equal_the_unweighted_report(
    data: list[tuple[int, int, float, str, int]],
) -> None:
    frame = _frame(data)
    common = {"y_true": "label", "y_pred": "pred", "y_score": "score", "min_group_size": 3}
    plain = group_metrics(frame, ["g"], **common)  # type: ignore[arg-type]
    ones = group_metrics(frame, ["g"], **common, weights=np.ones(len(frame)))  # type: ignore[arg-type]
    for a, b in zip(plain, ones, strict=True):
        assert (a.label, a.count, a.small, a.tp, a.fn) == (b.label, b.count, b.small, b.tp, b.fn)
        assert a.effective_n == b.effective_n == a.rows
        for name, rate in a.rates.items():
            other = b.rates[name]
            for field in ("value", "lower", "upper"):
                assert _same(getattr(rate, field), getattr(other, field)), (name, field)
        for field in ("auc", "auc_lower", "auc_upper"):
            assert _same(getattr(a, field), getattr(b, field), 1e-9), field


@settings(max_examples=80, deadline=None)
@given(rows)
def test_a_row_of_weight_k_is_k_copies(data: list[tuple[int, int, float, str, int]]) -> None:
    frame = _frame(data)
    common = {"y_true": "label", "y_pred": "pred", "y_score": "score", "min_group_size": 3}
    weighted = group_metrics(frame, ["g"], **common, weights=frame["w"].to_numpy(np.float64))  # type: ignore[arg-type]
    copied = group_metrics(frame.loc[frame.index.repeat(frame["w"])], ["g"], **common)  # type: ignore[arg-type]
    by_label = {g.label: g for g in copied}
    for a in weighted:
        b = by_label[a.label]
        assert a.count == b.count and (a.tp, a.fp, a.tn, a.fn) == (b.tp, b.fp, b.tn, b.fn)
        for name, rate in a.rates.items():
            assert _same(rate.value, b.rates[name].value), name
        assert _same(a.auc, b.auc, 1e-9)


def test_weighted_delong_with_unit_weights_is_delong() -> None:
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 3, 500).astype(np.int32)
    truth = rng.integers(0, 2, 500).astype(np.int8)
    score = np.round(rng.random(500), 2)  # ties
    plain = auc_by_group(codes, truth, score, 3)
    ones = auc_by_group(codes, truth, score, 3, weights=np.ones(500))
    for a, b in zip(plain, ones, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_a_group_whose_rows_all_weigh_zero_is_undefined_not_a_warning() -> None:
    import warnings

    from cardpress.compute.fairness.report import fairness_report
    from cardpress.model import WEIGHT, Y_PRED, Y_SCORE, Y_TRUE, FairnessSettings

    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], Y_TRUE: np.array([1, 0, 1, 0], "int8"),
                          Y_PRED: np.array([1, 0, 0, 1], "int8"), Y_SCORE: [0.9, 0.2, 0.4, 0.6],
                          WEIGHT: [1.0, 2.0, 0.0, 0.0]})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = fairness_report(frame, ("g",), FairnessSettings(min_group_size=1))
    grouping = report.groupings[0]
    empty = next(g for g in grouping.groups if g.label == "b")
    assert empty.count == 0 and empty.small and empty.rows == 2
    assert empty.rates["recall"].undefined and math.isnan(empty.auc)
    assert "b" not in grouping.calibration and "a" in grouping.calibration


def test_every_kind_of_report_orders_groups_and_picks_the_reference_by_weight() -> None:
    """800 rows weighing 0.5 (Σw 400) and 400 weighing 3 (Σw 1200): the binary report took the
    heavier group as the largest (the reference), the multiclass and regression reports the one
    with more rows, and the regression report's shares were shares of rows."""
    from cardpress.compute.fairness.multiclass_report import multiclass_report
    from cardpress.compute.fairness.regression_report import regression_report
    from cardpress.compute.fairness.report import fairness_report
    from cardpress.model import WEIGHT, Y_PRED, Y_TRUE, FairnessSettings

    n = 1200
    group = np.where(np.arange(n) < 800, "many-light", "few-heavy")
    weights = np.where(group == "many-light", 0.5, 3.0)
    truth = np.arange(n) % 3
    config = FairnessSettings(min_group_size=30)
    binary = pd.DataFrame({"g": group, Y_TRUE: truth == 0, Y_PRED: truth % 2 == 0})
    binary[WEIGHT] = weights
    multiclass = pd.DataFrame({"g": group})
    multiclass[Y_TRUE] = pd.Categorical.from_codes(truth, categories=["x", "y", "z"])
    multiclass[Y_PRED] = pd.Categorical.from_codes((truth + 1) % 3, categories=["x", "y", "z"])
    numbers = pd.DataFrame({"g": group, Y_TRUE: truth * 1.5, Y_PRED: truth * 1.25})
    reports = [
        fairness_report(binary.astype({Y_TRUE: "int8", Y_PRED: "int8"}), ("g",), config),
        multiclass_report(multiclass, ("g",), config, weights),
        regression_report(numbers, ("g",), config, weights),
    ]
    for report in reports:
        grouping = report.groupings[0]
        reference = grouping.reference  # the binary report's is the group itself
        assert getattr(reference, "label", reference) == "few-heavy", type(report).__name__
        assert [g.label for g in grouping.groups] == ["few-heavy", "many-light"]
        assert [g.share for g in grouping.groups] == pytest.approx([0.75, 0.25], abs=1e-12)


def test_a_group_of_zero_weight_says_so_not_empty() -> None:
    """A group of rows that all weigh 0 was undefined because "the group is empty"."""
    from cardpress.compute.fairness.multiclass_report import multiclass_report
    from cardpress.compute.fairness.report import fairness_report
    from cardpress.model import WEIGHT, Y_PRED, Y_TRUE, FairnessSettings

    group = np.array(["a"] * 6 + ["b"] * 4)
    weights = np.where(group == "b", 0.0, 1.0)
    truth = np.arange(10) % 3
    config = FairnessSettings(min_group_size=1)
    binary = pd.DataFrame({"g": group, Y_TRUE: (truth == 0).astype("int8"),
                           Y_PRED: (truth == 1).astype("int8"), WEIGHT: weights})  # fmt: skip
    multiclass = pd.DataFrame({"g": group})
    multiclass[Y_TRUE] = pd.Categorical.from_codes(truth, categories=["x", "y", "z"])
    multiclass[Y_PRED] = pd.Categorical.from_codes(truth, categories=["x", "y", "z"])
    why = "every row of this group has weight 0"
    [b] = [g for g in fairness_report(binary, ("g",), config).groupings[0].groups if g.label == "b"]
    assert b.rates["selection_rate"].undefined == why
    report = multiclass_report(multiclass, ("g",), config, weights)
    [m] = [g for g in report.groupings[0].groups if g.label == "b"]
    assert m.accuracy.undefined == why and m.ovr[0].rates["accuracy"].undefined == why
