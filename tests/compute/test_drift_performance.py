"""Performance over time from counts, checked against scikit-learn and Hanley–McNeil by hand."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from cardpress.compute.drift.performance import (
    auc_from_counts,
    delay_labels,
    hanley_mcneil,
    volume_band,
    window_performance,
)
from cardpress.compute.rates import wilson_interval
from cardpress.model_drift import Performance


@given(st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=2, max_size=60))
def test_auc_from_rounded_score_counts_matches_sklearn(rows: list[tuple[int, bool]]) -> None:
    scores = [s / 20 for s, _ in rows]
    labels = [int(y) for _, y in rows]
    found = Counter((s, y) for s, y in zip(scores, labels, strict=True))
    counts = tuple(sorted((s, found[(s, 1)], found[(s, 0)]) for s in set(scores)))
    auc = auc_from_counts(counts)
    if len(set(labels)) < 2:
        assert auc is None
        return
    assert auc is not None and abs(auc - roc_auc_score(labels, scores)) < 1e-9


def test_hanley_mcneil_by_hand() -> None:
    # A = 0.8, 10 positives, 20 negatives: Q1 = 0.8/1.2, Q2 = 1.28/1.8
    q1, q2 = 0.8 / 1.2, 2 * 0.64 / 1.8
    se = math.sqrt((0.8 * 0.2 + 9 * (q1 - 0.64) + 19 * (q2 - 0.64)) / 200)
    low, high = hanley_mcneil(0.8, 10, 20)  # type: ignore[misc]
    assert abs(low - (0.8 - 1.959963984540054 * se)) < 1e-12
    assert abs(high - (0.8 + 1.959963984540054 * se)) < 1e-12


def test_window_metrics_with_wilson_intervals_coverage_and_delay() -> None:
    counts = Performance(rows=50, labelled=40, tp=10, fp=5, tn=20, fn=5,
                         score_counts=((0.2, 1, 20), (0.9, 14, 5)),
                         delay_counts=(10, 20, 10, 0, 0), delay_sum=40 * 7200.0)  # fmt: skip
    found = window_performance(counts)
    assert found.coverage == 0.8 and found.accuracy == 30 / 40
    assert found.accuracy_ci == wilson_interval(30, 40)
    assert found.precision == 10 / 15 and found.recall == 10 / 15
    assert found.mean_delay_hours == 2.0 and found.delay_shares == (0.25, 0.5, 0.25, 0.0, 0.0)
    labels = np.array([1] * 1 + [0] * 20 + [1] * 14 + [0] * 5)
    scores = np.array([0.2] * 21 + [0.9] * 19)
    assert found.auc is not None and abs(found.auc - roc_auc_score(labels, scores)) < 1e-12
    assert len(delay_labels()) == 5


def test_no_labels_means_no_metric_not_zero() -> None:
    found = window_performance(Performance(rows=10, labelled=0))
    assert found.accuracy is None and found.auc is None and found.coverage == 0.0


def test_an_undefined_metric_says_why() -> None:
    scores = ((0.9, 6, 0), (0.2, 2, 0))
    all_positive = Performance(rows=10, labelled=8, tp=6, fn=2, score_counts=scores)
    found = window_performance(all_positive)
    assert found.auc is None and found.reasons["auc"] == "all labels positive"
    assert found.positive_label_share == 1.0 and found.positive_prediction_share == 0.75
    assert "recall" not in found.reasons and found.recall == 0.75
    none_yet = window_performance(Performance(rows=10, labelled=0))
    assert none_yet.reasons == dict.fromkeys(("accuracy", "precision", "recall", "auc"),
                                             "no labels yet")  # fmt: skip
    negative = window_performance(Performance(rows=4, labelled=4, tn=4))
    assert negative.reasons["recall"] == "all labels negative"
    assert negative.reasons["precision"] == "no positive predictions"


def test_volume_alerts_only_outside_the_band_of_the_windows_own_volumes() -> None:
    rng = np.random.default_rng(7)
    rows = [int(r) for r in rng.poisson(365, size=40)] + [105]
    band = volume_band(rows, 0.01)
    assert band is not None and band.low > 105  # the drop to 105 rows a window alerts
    usual = [r for r in rows[:-1] if not band.low <= r <= band.high]
    assert len(usual) <= 2  # 1% of 40 expected; 2 allows for chance (fixed seed)
    assert volume_band([365, 370, 0, 360], 0.01) is None  # too few windows to judge
