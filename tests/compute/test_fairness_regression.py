"""Regression error metrics by group against scikit-learn, fairlearn and scipy, and their laws."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from cardpress.compute.fairness.regression import group_errors, metric_ids
from cardpress.compute.fairness.regression_report import regression_report
from cardpress.model import Y_PRED, Y_TRUE, FairnessSettings

METRICS = ("mae", "rmse", "r2", "bias", "ae_p50", "ae_p90")


def _data(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05])
    y = rng.gamma(3, 50, n)
    p = y + rng.normal(5 * codes, 20 + 10 * codes, n)
    w = rng.uniform(0.2, 3, n)
    return codes, y, p, w


def _reference(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> dict[str, float]:
    e = p - y
    return {
        "mae": mean_absolute_error(y, p, sample_weight=w),
        "rmse": math.sqrt(mean_squared_error(y, p, sample_weight=w)),
        "r2": r2_score(y, p, sample_weight=w),
        "bias": float(np.average(e, weights=w)),
        "ae_p50": float(np.quantile(np.abs(e), 0.5, method="inverted_cdf", weights=w)),
        "ae_p90": float(np.quantile(np.abs(e), 0.9, method="inverted_cdf", weights=w)),
    }


@pytest.mark.parametrize("weighted", [False, True])
def test_every_metric_equals_scikit_learn_by_group(weighted: bool) -> None:
    codes, y, p, w = _data()
    weights = w if weighted else None
    found = group_errors(codes, 5, y, p, weights)
    assert found[4] is None  # a code without rows has no metrics
    for code in range(4):
        rows = codes == code
        expected = _reference(y[rows], p[rows], w[rows] if weighted else None)
        group = found[code]
        assert group is not None and group.rows == rows.sum()
        for metric in METRICS:
            assert group.metrics[metric].value == pytest.approx(expected[metric], abs=1e-9)
        levels = [0.05, 0.25, 0.5, 0.75, 0.95]
        part = w[rows] if weighted else None
        residuals = np.quantile(p[rows] - y[rows], levels, method="inverted_cdf", weights=part)
        assert group.residuals == pytest.approx(residuals.tolist(), abs=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_by_group_equals_fairlearn_metric_frame(weighted: bool) -> None:
    from fairlearn.metrics import MetricFrame

    codes, y, p, w = _data(seed=1)
    sex = np.where(codes % 2 == 0, "F", "M")
    band = np.where(codes < 2, "young", "old")
    frame = pd.DataFrame({Y_TRUE: y, Y_PRED: p, "sex": sex, "band": band})
    settings = FairnessSettings(intersections=(("sex", "band"),), min_group_size=1)
    report = regression_report(frame, ("sex", "band"), settings, w if weighted else None)
    metrics = {
        "mae": mean_absolute_error,
        "rmse": lambda t, q, sample_weight=None: math.sqrt(
            mean_squared_error(t, q, sample_weight=sample_weight)
        ),
        "r2": r2_score,
    }
    params = {m: {"sample_weight": w} for m in metrics} if weighted else None
    for grouping in report.groupings:
        columns = list(grouping.columns)
        theirs = MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=frame[columns],
                             sample_params=params).by_group  # fmt: skip
        assert len(theirs) == len(grouping.groups)
        for group in grouping.groups:
            key = group.values if len(columns) > 1 else group.values[0]
            for metric in metrics:
                assert group.metrics[metric].value == pytest.approx(
                    float(theirs.loc[key, metric]), abs=1e-9
                )
        mae = MetricFrame(metrics=mean_absolute_error, y_true=y, y_pred=p,
                          sensitive_features=frame[columns],
                          sample_params={"sample_weight": w} if weighted else None)  # fmt: skip
        # fairlearn's between-groups difference and bounded-group-loss view (group_max)
        assert grouping.spreads["mae"].difference == pytest.approx(mae.difference(), abs=1e-9)
        assert grouping.spreads["mae"].ratio == pytest.approx(mae.ratio(), abs=1e-9)
        assert grouping.worst["mae"].value == pytest.approx(mae.group_max(), abs=1e-9)


def test_mean_intervals_are_scipy_t_intervals() -> None:
    codes, y, p, _ = _data(seed=2)
    found = group_errors(codes, 4, y, p)
    for code in range(4):
        e = (p - y)[codes == code]
        group = found[code]
        assert group is not None
        for metric, x in (("mae", np.abs(e)), ("bias", e)):
            low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
            estimate = group.metrics[metric]
            assert (estimate.lower, estimate.upper) == pytest.approx((low, high), abs=1e-9)
        low, high = stats.t.interval(0.95, len(e) - 1, loc=(e * e).mean(), scale=stats.sem(e * e))
        rmse = group.metrics["rmse"]
        assert (rmse.lower, rmse.upper) == pytest.approx((math.sqrt(low), math.sqrt(high)))


def test_intervals_cover_the_truth_about_95_percent_of_the_time() -> None:
    """400 independent samples as 400 groups: each interval holds the population value ~95%."""
    rng = np.random.default_rng(7)
    groups, n = 400, 300
    codes = np.repeat(np.arange(groups), n)
    y = rng.normal(0, 1, groups * n)
    e = rng.laplace(0, 0.5, groups * n)  # heavier tails than normal, mean 0, variance 0.5
    found = group_errors(codes, groups, y, y + e)
    # population values: |e| is exponential with mean 0.5; R² = 1 − Var(e) / Var(y)
    truth = {
        "bias": 0.0,
        "mae": 0.5,
        "rmse": math.sqrt(0.5),
        "r2": 0.5,
        "ae_p50": 0.5 * math.log(2),
        "ae_p90": 0.5 * math.log(10),
    }
    for metric, value in truth.items():
        covered = np.mean([g.metrics[metric].lower <= value <= g.metrics[metric].upper
                           for g in found if g is not None])  # fmt: skip
        assert 0.91 <= covered <= 0.985, (metric, covered)


def test_constant_labels_leave_r2_undefined_not_zero() -> None:
    codes = np.array([0, 0, 0, 1, 1, 1])
    y = np.array([5.0, 5.0, 5.0, 1.0, 2.0, 3.0])
    p = np.array([4.0, 5.0, 6.0, 1.0, 2.5, 3.0])
    found = group_errors(codes, 2, y, p)
    assert found[0] is not None and found[1] is not None
    assert math.isnan(found[0].metrics["r2"].value)
    assert found[0].metrics["r2"].undefined == "the labels are all equal in this group"
    assert found[1].metrics["r2"].value == pytest.approx(r2_score(y[3:], p[3:]))
    assert found[0].metrics["mae"].value == pytest.approx(2 / 3)


def test_metric_ids_follow_the_chosen_quantiles() -> None:
    assert metric_ids((0.5, 0.9)) == METRICS
    assert metric_ids((0.995,)) == ("mae", "rmse", "r2", "bias", "ae_p99.5")


rows = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.floats(-1e3, 1e3, allow_nan=False),
        st.floats(-1e3, 1e3, allow_nan=False),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=40,
)


def _values(found: list) -> list[tuple[float, ...]]:  # type: ignore[type-arg]
    out = []
    for group in found:
        if group is None:
            out.append(())
            continue
        out.append(tuple(group.metrics[m].value for m in METRICS) + group.residuals)
    return out


def _same(a: list[tuple[float, ...]], b: list[tuple[float, ...]]) -> None:
    assert len(a) == len(b)
    for left, right in zip(a, b, strict=True):
        assert len(left) == len(right)
        for x, y in zip(left, right, strict=True):
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-9, abs=1e-6)


def _arrays(data: list[tuple[int, float, float, int]]) -> tuple[np.ndarray, ...]:
    codes, y, p, w = (np.array(column) for column in zip(*data, strict=True))
    return codes.astype(np.int64), y.astype(float), p.astype(float), w.astype(float)


@settings(max_examples=150, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(data: list[tuple[int, float, float, int]], rnd) -> None:  # type: ignore[no-untyped-def]
    codes, y, p, w = _arrays(data)
    order = np.array(rnd.sample(range(len(codes)), len(codes)))
    _same(_values(group_errors(codes, 3, y, p, w)),
          _values(group_errors(codes[order], 3, y[order], p[order], w[order])))  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(rows)
def test_weights_of_one_equal_no_weights(data: list[tuple[int, float, float, int]]) -> None:
    codes, y, p, _ = _arrays(data)
    plain = group_errors(codes, 3, y, p)
    ones = group_errors(codes, 3, y, p, np.ones(len(y)))
    _same(_values(plain), _values(ones))
    for a, b in zip(plain, ones, strict=True):  # intervals too
        if a is not None and b is not None:
            for m in METRICS:
                _same([(a.metrics[m].lower, a.metrics[m].upper)],
                      [(b.metrics[m].lower, b.metrics[m].upper)])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(rows)
def test_a_weight_of_k_equals_the_row_written_k_times(
    data: list[tuple[int, float, float, int]],
) -> None:
    codes, y, p, w = _arrays(data)
    repeat = w.astype(int)
    _same(_values(group_errors(codes, 3, y, p, w)),
          _values(group_errors(np.repeat(codes, repeat), 3, np.repeat(y, repeat),
                               np.repeat(p, repeat))))  # fmt: skip
