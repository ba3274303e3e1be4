from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, norm, rankdata
from sklearn.metrics import roc_auc_score

from cardpress.compute.rates import (
    Z95,
    _average_ranks,
    auc_by_group,
    auc_from_scores,
    delong_interval,
    wilson_interval,
)


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_matches_scipy(k: int, n: int) -> None:
    k = min(k, n)
    low, high = binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((low, high), abs=1e-9)


def test_wilson_hand_worked_and_empty() -> None:
    # p = 0.5, n = 10, z = 1.959964: centre 0.5, half = z*sqrt(0.025 + z²/400)/(1 + z²/10)
    z = 1.959963984540054
    half = z * math.sqrt(0.025 + z * z / 400) / (1 + z * z / 10)
    assert wilson_interval(5, 10) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-12)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from([0.1, 0.2, 0.5, 0.7, 0.9])),
        min_size=2,
        max_size=60,
    )
)
def test_auc_matches_sklearn_with_ties(rows: list[tuple[int, float]]) -> None:
    y = np.array([r[0] for r in rows])
    s = np.array([r[1] for r in rows])
    if y.min() == y.max():
        assert math.isnan(auc_from_scores(y, s))
    else:
        assert auc_from_scores(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=80))
def test_average_ranks_match_scipy(values: list[float]) -> None:
    assert np.allclose(_average_ranks(np.array(values)), rankdata(values))


def test_delong_hand_worked() -> None:
    # positives 0.9, 0.6; negatives 0.7, 0.1; AUC = mean(V10) = 0.75, var = s²(V10)/2 + s²(V01)/2
    y = np.array([1, 1, 0, 0])
    s = np.array([0.9, 0.6, 0.7, 0.1])
    v10 = np.array([1.0, 0.5])  # positive 0.9 beats both; 0.6 beats 0.1 only
    v01 = np.array([0.5, 1.0])  # negative 0.7 is beaten by one of two positives; 0.1 by both
    variance = v10.var(ddof=1) / 2 + v01.var(ddof=1) / 2
    half = 1.959963984540054 * math.sqrt(variance)
    assert auc_from_scores(y, s) == pytest.approx(0.75)
    assert delong_interval(y, s) == pytest.approx(
        (max(0, 0.75 - half), min(1, 0.75 + half)), abs=1e-12
    )
    assert all(
        math.isnan(x) for x in delong_interval(np.array([1, 0, 0]), np.array([0.3, 0.2, 0.1]))
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 1), st.sampled_from([0.1, 0.2, 0.5, 0.7, 0.9])),
        min_size=1,
        max_size=60,
    )
)
def test_auc_by_group_equals_per_group_functions(rows: list[tuple[int, int, float]]) -> None:
    codes = np.array([r[0] for r in rows])
    truth = np.array([r[1] for r in rows])
    score = np.array([r[2] for r in rows])
    auc, lower, upper = auc_by_group(codes, truth, score, 4)
    for group in range(4):
        mask = codes == group
        expected = auc_from_scores(truth[mask], score[mask]) if mask.any() else math.nan
        expected_interval = (
            delong_interval(truth[mask], score[mask]) if mask.any() else (math.nan, math.nan)
        )
        assert auc[group] == pytest.approx(expected, abs=1e-12, nan_ok=True)
        assert lower[group] == pytest.approx(expected_interval[0], abs=1e-12, nan_ok=True)
        assert upper[group] == pytest.approx(expected_interval[1], abs=1e-12, nan_ok=True)


def test_z95_is_scipys_normal_quantile_to_the_bit() -> None:
    assert float(norm.ppf(0.975)) == Z95
