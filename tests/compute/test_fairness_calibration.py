"""Calibration by group and threshold curves against scikit-learn, to 1e-9; their properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_curve

from cardpress.compute.fairness.calibration import calibration_by_group, score_bins
from cardpress.compute.fairness.groups import group_codes
from cardpress.compute.fairness.thresholds import (
    THRESHOLDS,
    curves_by_group,
    deployed_threshold,
    shortest_between,
)
from cardpress.compute.rates import Z95
from tests.conftest import EXAMPLE


def _adult() -> pd.DataFrame:
    return pd.read_parquet(EXAMPLE / "predictions" / "income-classifier-2.parquet")


def _by(frame: pd.DataFrame, column: str, weights: np.ndarray | None = None):  # type: ignore[no-untyped-def]
    codes, values = group_codes(frame, [column])
    truth = frame["label"].to_numpy(dtype=np.int8)
    score = frame["score"].to_numpy(dtype=np.float64)
    found = calibration_by_group(codes, truth, score, len(values), weights)
    curves = curves_by_group(codes, truth, score, len(values), weights)
    return {v[0]: (c, k) for v, c, k in zip(values, found, curves, strict=True)}


def _ece(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """ECE from first principles: np.digitize on the same edges, weighted bin means."""
    edges = np.linspace(0, 1, 11)
    bins = np.clip(np.digitize(p, edges[1:-1], right=True), 0, 9)
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += abs(np.average(y[inside], weights=w[inside]) -
                     np.average(p[inside], weights=w[inside])) * w[inside].sum()  # fmt: skip
    return total / w.sum()


def test_reliability_bins_ece_and_brier_match_sklearn_on_the_example() -> None:
    frame = _adult()
    for race, (found, _) in _by(frame, "race").items():
        part = frame[frame["race"] == race]
        y, p = part["label"].to_numpy(), part["score"].to_numpy()
        observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
        assert [b.observed for b in found.bins] == pytest.approx(observed, abs=1e-9)
        assert [b.mean_score for b in found.bins] == pytest.approx(predicted, abs=1e-9)
        assert found.brier == pytest.approx(brier_score_loss(y, p), abs=1e-9)
        assert found.ece == pytest.approx(_ece(y, p, np.ones(len(y))), abs=1e-9)
        assert sum(b.count for b in found.bins) == len(part)
        # Brier interval: mean of squared errors ± z·s/√n, s with ddof=1
        errors = (p - y) ** 2
        half = Z95 * errors.std(ddof=1) / math.sqrt(len(errors))
        assert found.brier_lower == pytest.approx(max(0, errors.mean() - half), abs=1e-12)
        assert found.brier_upper == pytest.approx(errors.mean() + half, abs=1e-12)
        assert found.ece_lower <= found.ece_upper


def test_weighted_brier_and_bins_match_sklearn_and_numpy() -> None:
    frame = _adult()
    weights = np.random.default_rng(3).gamma(2.0, 1.0, len(frame))
    for sex, (found, _) in _by(frame, "sex", weights).items():
        inside = (frame["sex"] == sex).to_numpy()
        y, p = frame["label"].to_numpy()[inside], frame["score"].to_numpy()[inside]
        w = weights[inside]
        assert found.brier == pytest.approx(brier_score_loss(y, p, sample_weight=w), abs=1e-9)
        assert found.ece == pytest.approx(_ece(y, p, w), abs=1e-9)
        bins = score_bins(p)
        for b in found.bins:
            k = round(b.lower * 10)
            assert b.count == pytest.approx(w[bins == k].sum(), abs=1e-9)
            assert b.observed == pytest.approx(np.average(y[bins == k], weights=w[bins == k]))


def test_bins_follow_sklearn_edges_exactly() -> None:
    p = np.array([0.0, 0.1, 0.1000001, 0.3, 0.30000000000000004, 0.7, 1.0])
    edges = np.linspace(0.0, 1.0, 11)
    assert score_bins(p).tolist() == np.searchsorted(edges[1:-1], p).tolist()
    assert score_bins(p).tolist()[:3] == [0, 0, 1]  # (0.1, 0.2]: 0.1 itself is in the first bin


def test_ece_of_perfectly_calibrated_bins_is_zero() -> None:
    # in each bin the share of positives equals the mean score exactly
    scores = [0.25] * 4 + [0.75] * 4 + [0.05] * 20 + [0.5, 0.5]
    labels = [1, 0, 0, 0] + [1, 1, 1, 0] + [1] + [0] * 19 + [1, 0]
    codes = np.zeros(len(scores), dtype=np.int32)
    [found] = calibration_by_group(codes, np.array(labels, dtype=np.int8), np.array(scores), 1)
    assert found is not None and found.ece == pytest.approx(0.0, abs=1e-15)


def test_a_miscalibrated_group_has_an_ece_interval_apart_from_a_calibrated_one() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    group = rng.integers(0, 2, n).astype(np.int32)
    score = rng.random(n)
    truth_p = np.where(group == 1, np.clip(score + 0.15, 0, 1), score)  # group 1: scores too low
    truth = (rng.random(n) < truth_p).astype(np.int8)
    calibrated, shifted = calibration_by_group(group, truth, score, 2)
    assert calibrated is not None and shifted is not None
    assert calibrated.ece_upper < shifted.ece_lower
    assert shifted.ece == pytest.approx(0.15 - 0.15**2 / 2 / 1, abs=0.03)  # clipping near 1


def test_ece_interval_is_deterministic_and_seeded_by_label() -> None:
    frame = _adult()
    first, second = _by(frame, "sex"), _by(frame, "sex")
    assert first["Male"][0] == second["Male"][0]


def test_threshold_curves_match_sklearn_roc_curve_weighted_and_not() -> None:
    frame = _adult()
    weights = np.random.default_rng(5).gamma(2.0, 1.0, len(frame))
    for w in (None, weights):
        for sex, (_, curves) in _by(frame, "sex", w).items():
            inside = (frame["sex"] == sex).to_numpy()
            y, p = frame["label"].to_numpy()[inside], frame["score"].to_numpy()[inside]
            sw = None if w is None else w[inside]
            fpr, tpr, cuts = roc_curve(y, p, sample_weight=sw, drop_intermediate=False)
            ones = np.ones(len(y)) if sw is None else sw
            for k, t in enumerate(THRESHOLDS):
                # roc_curve's points are at score >= cut, cuts decreasing: the last cut >= t
                at = np.flatnonzero(cuts >= t)
                expected_tpr = tpr[at[-1]] if len(at) else 0.0
                expected_fpr = fpr[at[-1]] if len(at) else 0.0
                assert curves.recall[k] == pytest.approx(expected_tpr, abs=1e-9)
                assert curves.fpr[k] == pytest.approx(expected_fpr, abs=1e-9)
                selected = np.average(p >= t, weights=ones)
                assert curves.selection_rate[k] == pytest.approx(selected, abs=1e-9)


def test_curves_say_undefined_without_a_denominator() -> None:
    codes = np.zeros(3, dtype=np.int32)
    negatives = np.array([0, 0, 0], dtype=np.int8)
    [curves] = curves_by_group(codes, negatives, np.array([0.1, 0.5, 0.9]), 1)
    assert curves is not None and all(math.isnan(v) for v in curves.recall)
    assert curves.fpr[:3] == pytest.approx([1, 1, 2 / 3]) and curves.fpr[-1] == 0.0  # 0.1 ≥ 0.1


def test_deployed_threshold_inferred_declared_or_none() -> None:
    score = np.array([0.1, 0.49, 0.5001, 0.9])
    found = deployed_threshold(score, np.array([0, 0, 1, 1]), None)
    assert (found.value, found.source) == (0.5, "inferred")
    declared = deployed_threshold(score, np.array([0, 0, 1, 1]), 0.6)
    assert (declared.value, declared.source, declared.disagreeing) == (0.6, "declared", 1)
    assert "1 rows' predictions differ" in declared.note
    mixed = deployed_threshold(score, np.array([0, 1, 0, 1]), None)
    assert mixed.value is None and "not one threshold" in mixed.note
    none = deployed_threshold(score, np.zeros(4, dtype=np.int8), None)
    assert none.value is None and "every row is predicted negative" in none.note


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0.49, 0.5001, 0.5), (0.4999, 0.50001, 0.5), (0.123, 0.1238, 0.1238), (0.2, 0.7, 0.7),
     (0.5, 0.51, 0.51), (0.05, 0.0999, 0.09)],
)  # fmt: skip
def test_shortest_decimal_in_the_interval(low: float, high: float, expected: float) -> None:
    found = shortest_between(low, high)
    assert low < found <= high and found == pytest.approx(expected)


rows = st.lists(
    st.tuples(st.integers(0, 1), st.floats(0, 1), st.sampled_from("ab"), st.integers(1, 3)),
    min_size=2,
    max_size=40,
)


def _arrays(data: list[tuple[int, float, str, int]]):  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(data, columns=["label", "score", "g", "w"])
    codes, values = group_codes(frame, ["g"])
    return (codes, frame["label"].to_numpy(dtype=np.int8), frame["score"].to_numpy(np.float64),
            len(values), frame["w"].to_numpy(np.float64))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(rows)
def test_weights_of_one_equal_the_unweighted_figures(
    data: list[tuple[int, float, str, int]],
) -> None:
    codes, truth, score, groups, w = _arrays(data)
    ones = np.ones_like(w)
    plain_all = calibration_by_group(codes, truth, score, groups)
    weighted_all = calibration_by_group(codes, truth, score, groups, ones)
    for plain, weighted in zip(plain_all, weighted_all, strict=True):
        if plain is None:
            assert weighted is None
            continue
        assert weighted is not None
        for name in ("ece", "ece_lower", "ece_upper", "brier", "brier_lower", "brier_upper"):
            a, b = getattr(plain, name), getattr(weighted, name)
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-12), name
        assert len(plain.bins) == len(weighted.bins)
        for x, y in zip(plain.bins, weighted.bins, strict=True):
            assert x.observed == pytest.approx(y.observed) and x.count == y.count
            assert x.observed_lower == pytest.approx(y.observed_lower, abs=1e-12)
    for a, b in zip(curves_by_group(codes, truth, score, groups),
                    curves_by_group(codes, truth, score, groups, ones), strict=True):  # fmt: skip
        if a is None or b is None:
            assert a is b
            continue
        for name in ("selection_rate", "recall", "fpr"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@settings(max_examples=60, deadline=None)
@given(rows)
def test_a_row_of_weight_k_is_k_copies_of_the_row(data: list[tuple[int, float, str, int]]) -> None:
    codes, truth, score, groups, w = _arrays(data)
    copies = np.repeat(np.arange(len(w)), w.astype(int))
    weighted = calibration_by_group(codes, truth, score, groups, w)
    copied = calibration_by_group(codes[copies], truth[copies], score[copies], groups)
    for a, b in zip(weighted, copied, strict=True):
        if a is None or b is None:
            assert a is b
            continue
        assert a.ece == pytest.approx(b.ece, abs=1e-12)
        assert a.brier == pytest.approx(b.brier, abs=1e-12)
        assert [x.observed for x in a.bins] == pytest.approx([x.observed for x in b.bins])
    curved = curves_by_group(codes, truth, score, groups, w)
    for a, b in zip(curved, curves_by_group(codes[copies], truth[copies], score[copies], groups),
                    strict=True):  # fmt: skip
        if a is None or b is None:
            continue
        np.testing.assert_allclose(a.selection_rate, b.selection_rate, atol=1e-12)
        np.testing.assert_allclose(a.recall, b.recall, atol=1e-12)
        np.testing.assert_allclose(a.fpr, b.fpr, atol=1e-12)
