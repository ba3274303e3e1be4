"""Multiclass calibration per class per group against scikit-learn and NumPy, to 1e-9."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from cardpress.compute.fairness.calibration import Calibration, score_bins
from cardpress.compute.fairness.multiclass_report import multiclass_report
from cardpress.compute.fairness.multiclass_types import ClassGroup, MulticlassReport
from cardpress.compute.rates import Z95
from cardpress.model import Y_CLASS_SCORE, Y_PRED, Y_TRUE, FairnessSettings
from tests.compute.test_fairness_multiclass import weight_two_or_a_copy
from tests.conftest import EXAMPLE

SETTINGS = FairnessSettings(min_group_size=30, intersections=(("sex", "race"),))
NAMES = {"full-time": "p_full_time", "long": "p_long", "part-time": "p_part_time"}


def _example() -> pd.DataFrame:
    """The example's multiclass predictions as the checked table the report reads."""
    frame = pd.read_parquet(EXAMPLE / "predictions" / "hours-band-1.parquet")
    classes = list(NAMES)
    table = frame[["sex", "race"]].copy()
    table[Y_TRUE] = pd.Categorical(frame["band"], categories=classes)
    table[Y_PRED] = pd.Categorical(frame["pred"], categories=classes)
    for index, column in enumerate(NAMES.values()):
        table[f"{Y_CLASS_SCORE}{index}"] = frame[column].to_numpy(np.float64)
    return table


def _each_group(report: MulticlassReport) -> list[tuple[list[str], ClassGroup]]:
    found = [([], report.overall)]
    for grouping in report.groupings:
        found += [(list(grouping.columns), g) for g in grouping.groups]
    return found


def _rows(frame: pd.DataFrame, columns: list[str], group: ClassGroup) -> np.ndarray:
    inside = np.ones(len(frame), dtype=bool)
    for column, value in zip(columns, group.values, strict=True):
        inside &= (frame[column] == value).to_numpy()
    return inside


def _ece(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """ECE from first principles: np.digitize on scikit-learn's edges, weighted bin means."""
    bins = np.clip(np.digitize(p, np.linspace(0, 1, 11)[1:-1], right=True), 0, 9)
    total = 0.0
    for b in np.unique(bins):
        at = bins == b
        total += (
            abs(np.average(y[at], weights=w[at]) - np.average(p[at], weights=w[at])) * w[at].sum()
        )
    return total / w.sum()


@pytest.mark.parametrize("weighted", [False, True])
def test_each_class_and_group_matches_sklearn(weighted: bool) -> None:
    frame = _example()
    weights = np.random.default_rng(4).gamma(2.0, 1.0, len(frame)) if weighted else None
    report = multiclass_report(frame, ("sex", "race"), SETTINGS, weights)
    classes = list(report.classes)
    truth_all = np.asarray(frame[Y_TRUE].astype(str))
    scores_all = frame[[f"{Y_CLASS_SCORE}{i}" for i in range(3)]].to_numpy()
    w_all = np.ones(len(frame)) if weights is None else weights
    checked = 0
    for columns, group in _each_group(report):
        inside = _rows(frame, columns, group)
        truth, scores, w = truth_all[inside], scores_all[inside], w_all[inside]
        sw = None if weights is None else w
        assert group.brier is not None
        expected = brier_score_loss(truth, scores, labels=classes, sample_weight=sw)
        assert group.brier.value == pytest.approx(expected, abs=1e-9)
        errors = ((scores - (truth[:, None] == np.array(classes))) ** 2).sum(axis=1)
        assert group.brier.value == pytest.approx(np.average(errors, weights=w), abs=1e-9)
        for index, name in enumerate(classes):
            found = group.calibration[index]
            assert found is not None
            y, p = (truth == name).astype(int), scores[:, index]
            assert found.brier == pytest.approx(brier_score_loss(y, p, sample_weight=sw), abs=1e-9)
            assert found.ece == pytest.approx(_ece(y, p, w), abs=1e-9)
            if weights is None:
                observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
                assert [b.observed for b in found.bins] == pytest.approx(observed, abs=1e-9)
                assert [b.mean_score for b in found.bins] == pytest.approx(predicted, abs=1e-9)
            else:  # calibration_curve takes no weights: NumPy's weighted means per bin
                bins = score_bins(p)
                for b in found.bins:
                    at = bins == round(b.lower * 10)
                    assert b.count == pytest.approx(w[at].sum(), abs=1e-9)
                    assert b.observed == pytest.approx(np.average(y[at], weights=w[at]), abs=1e-9)
                    assert b.mean_score == pytest.approx(np.average(p[at], weights=w[at]), abs=1e-9)
            checked += 1
    assert checked == 3 * len(_each_group(report)) > 3 * 8  # every class of every group


def test_multiclass_brier_interval_is_the_normal_one() -> None:
    frame = _example()
    report = multiclass_report(frame, ("sex",), SETTINGS)
    classes = np.array(report.classes)
    truth = np.asarray(frame[Y_TRUE].astype(str))
    scores = frame[[f"{Y_CLASS_SCORE}{i}" for i in range(3)]].to_numpy()
    errors = ((scores - (truth[:, None] == classes)) ** 2).sum(axis=1)
    for group in report.groupings[0].groups:
        mine = errors[(frame["sex"] == group.values[0]).to_numpy()]
        half = Z95 * mine.std(ddof=1) / math.sqrt(len(mine))
        assert group.brier is not None
        assert group.brier.lower == pytest.approx(max(0.0, mine.mean() - half), abs=1e-12)
        assert group.brier.upper == pytest.approx(min(2.0, mine.mean() + half), abs=1e-12)
        # the multiclass Brier score is the sum of the classes' one-vs-rest Brier scores
        parts = [c.brier for c in group.calibration if c is not None]
        assert group.brier.value == pytest.approx(sum(parts), abs=1e-12)


def _planted(n: int, shift: float, seed: int = 3) -> pd.DataFrame:
    """Three classes drawn from their scores; group "B"'s class-2 truth is ``shift`` more likely."""
    rng = np.random.default_rng(seed)
    scores = rng.dirichlet(np.ones(3), n)
    group = rng.choice(["A", "B"], n)
    probability = scores.copy()
    planted = group == "B"
    probability[planted, 2] = np.minimum(1.0, probability[planted, 2] + shift)
    probability[planted, :2] *= ((1 - probability[planted, 2]) / scores[planted, :2].sum(1))[
        :, None
    ]
    cumulative = probability.cumsum(axis=1)
    truth = (rng.random(n)[:, None] > cumulative).sum(axis=1).clip(0, 2)
    frame = pd.DataFrame({"g": group})
    frame[Y_TRUE] = pd.Categorical.from_codes(truth, categories=["a", "b", "c"])
    frame[Y_PRED] = pd.Categorical.from_codes(scores.argmax(axis=1), categories=["a", "b", "c"])
    for index in range(3):
        frame[f"{Y_CLASS_SCORE}{index}"] = scores[:, index]
    return frame


def test_a_planted_miscalibration_sets_the_worst_class_and_none_without_it() -> None:
    calm = multiclass_report(_planted(20_000, 0.0), ("g",), SETTINGS).groupings[0]
    assert calm.worst_ece[0] < 0.03  # calibrated by construction: only sampling noise
    shifted = multiclass_report(_planted(20_000, 0.2), ("g",), SETTINGS).groupings[0]
    assert shifted.worst_ece[1] == "c" and shifted.worst_ece[0] > 0.1
    planted = shifted.classes[2]
    assert planted.ece_spread[0] == "B" and planted.ece_spread[1] == "A"
    by_label = {g.label: g.calibration[2] for g in shifted.groups}
    low, high = by_label["A"], by_label["B"]
    assert isinstance(low, Calibration) and isinstance(high, Calibration)
    assert low.ece_upper < high.ece_lower  # the intervals part


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"sex": rng.choice(["F", "M"], n)})
    truth = rng.integers(0, 3, n)
    frame[Y_TRUE] = pd.Categorical.from_codes(truth, categories=["a", "b", "c"])
    frame[Y_PRED] = pd.Categorical.from_codes(rng.integers(0, 3, n), categories=["a", "b", "c"])
    scores = rng.dirichlet(np.ones(3), n)
    for index in range(3):
        frame[f"{Y_CLASS_SCORE}{index}"] = scores[:, index]
    return frame


def _numbers(group: ClassGroup) -> list[float]:
    assert group.brier is not None
    found = [group.brier.value, group.brier.lower, group.brier.upper]
    for c in group.calibration:
        assert c is not None
        found += [c.ece, c.ece_lower, c.ece_upper, c.brier, c.brier_lower, c.brier_upper]
        for b in c.bins:
            found += [b.count, b.mean_score, b.observed, b.observed_lower, b.observed_upper]
    return found


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(40, 300))
def test_weights_of_one_equal_the_unweighted_calibration(seed: int, n: int) -> None:
    frame = _table(n, seed)
    plain = multiclass_report(frame, ("sex",), SETTINGS)
    weighted = multiclass_report(frame, ("sex",), SETTINGS, np.ones(n))
    for a, b in zip(_each_group(plain), _each_group(weighted), strict=True):
        left, right = _numbers(a[1]), _numbers(b[1])
        assert len(left) == len(right)
        for x, y in zip(left, right, strict=True):
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, abs=1e-9)


def test_no_scores_no_calibration() -> None:
    frame = _table(200, 1).drop(columns=[f"{Y_CLASS_SCORE}{i}" for i in range(3)])
    report = multiclass_report(frame, ("sex",), SETTINGS)
    assert report.overall.calibration == () and report.overall.brier is None
    assert math.isnan(report.groupings[0].worst_ece[0])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(40, 300), st.data())
def test_a_duplicated_row_equals_weight_two(seed: int, n: int, data: st.DataObject) -> None:
    by_weight, by_copy = weight_two_or_a_copy(_table(n, seed), data.draw(st.integers(0, n - 1)))
    # point estimates agree; intervals differ on purpose (the effective n of 2 equal rows is 2)
    copies = {g.label: g for _, g in _each_group(by_copy)}
    for _, group in _each_group(by_weight):
        other = copies[group.label]
        assert group.brier is not None and other.brier is not None
        assert group.brier.value == pytest.approx(other.brier.value, abs=1e-12)
        for a, b in zip(group.calibration, other.calibration, strict=True):
            assert a is not None and b is not None
            assert (a.ece, a.brier) == pytest.approx((b.ece, b.brier), abs=1e-12)
            left = [v for x in a.bins for v in (x.count, x.mean_score, x.observed)]
            right = [v for x in b.bins for v in (x.count, x.mean_score, x.observed)]
            assert left == pytest.approx(right, abs=1e-12)
