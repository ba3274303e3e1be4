"""Multiclass metrics against scikit-learn and fairlearn, weights, and the per-class rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
)

from cardpress.compute.fairness import multiclass as mc
from cardpress.compute.fairness.multiclass_report import multiclass_report
from cardpress.compute.fairness.multiclass_types import MulticlassReport
from cardpress.compute.rates import auc_by_group, wilson_interval
from cardpress.model import Y_CLASS_SCORE, Y_PRED, Y_TRUE, FairnessSettings

CLASSES = ["a", "b", "c", "d"]


def _data(n: int = 3000, seed: int = 0, k: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.6, truth, rng.integers(0, k, n))
    pred[pred == k - 1] = k - 2  # the last class is never predicted: its precision is undefined
    return truth, pred, rng.random(n) * 3


@pytest.mark.parametrize("weighted", [False, True])
def test_scores_match_sklearn(weighted: bool) -> None:
    truth, pred, weights = _data()
    w = weights if weighted else None
    matrix = mc.confusion_matrix(truth, pred, 4, w)
    assert matrix == pytest.approx(confusion_matrix(truth, pred, sample_weight=w), abs=1e-9)
    scores = mc.class_scores(matrix)
    assert scores.accuracy == pytest.approx(accuracy_score(truth, pred, sample_weight=w), abs=1e-9)
    for average in mc.AVERAGES:
        expected = precision_recall_fscore_support(
            truth, pred, average=average, zero_division=np.nan, sample_weight=w
        )
        for index, name in enumerate(mc.SCORES):
            found = scores.averages[f"{average}_{name}"]
            assert found == pytest.approx(expected[index], abs=1e-9), (average, name)
    per_class = precision_recall_fscore_support(
        truth, pred, average=None, zero_division=np.nan, sample_weight=w
    )
    for index, name in enumerate(mc.SCORES):
        np.testing.assert_allclose(scores.per_class[name], per_class[index], atol=1e-9)
    assert math.isnan(scores.per_class["precision"][3])  # never predicted: undefined, not 0


@pytest.mark.parametrize("weighted", [False, True])
def test_one_vs_rest_auc_matches_sklearn(weighted: bool) -> None:
    truth, _, weights = _data(seed=1)
    rng = np.random.default_rng(2)
    scores = rng.dirichlet(np.ones(4), len(truth))
    scores[:, 0] = np.round(scores[:, 0], 2)  # ties
    scores /= scores.sum(axis=1, keepdims=True)
    w = weights if weighted else None
    codes = np.zeros(len(truth), dtype=np.int8)
    auc, lower, _ = mc.ovr_auc_by_group(codes, 1, truth, list(scores.T), w)
    expected = roc_auc_score(truth, scores, multi_class="ovr", sample_weight=w)
    assert float(mc.macro_auc(auc)[0]) == pytest.approx(expected, abs=1e-9)
    for index in range(4):
        one = roc_auc_score(truth == index, scores[:, index], sample_weight=w)
        assert auc[0, index] == pytest.approx(one, abs=1e-9)
    assert np.isnan(lower).all() == weighted  # DeLong intervals only without weights


def test_weighted_auc_with_unit_weights_is_the_unweighted_auc() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 5, 4000)
    positive = (rng.random(4000) < 0.3).astype(np.int8)
    score = np.round(rng.random(4000), 2)
    found = mc.weighted_auc_by_group(codes, 5, positive, score, np.ones(4000))
    expected, _, _ = auc_by_group(codes, positive, score, 5)
    np.testing.assert_allclose(found, expected, atol=1e-12)


def _table(n: int = 4000, seed: int = 0, scores: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth, pred, _ = _data(n, seed)
    frame = pd.DataFrame({
        "sex": rng.choice(["F", "M"], n, p=[0.4, 0.6]),
        "race": rng.choice(["x", "y", "z"], n, p=[0.6, 0.3, 0.1]),
    })  # fmt: skip
    frame[Y_TRUE] = pd.Categorical.from_codes(truth, categories=CLASSES)
    frame[Y_PRED] = pd.Categorical.from_codes(pred, categories=CLASSES)
    if scores:
        probabilities = rng.dirichlet(np.ones(4), n)
        for index in range(4):
            frame[f"{Y_CLASS_SCORE}{index}"] = probabilities[:, index]
    return frame


SETTINGS = FairnessSettings(min_group_size=30, intersections=(("sex", "race"),))


@pytest.mark.parametrize("weighted", [False, True])
def test_groups_match_fairlearn_metric_frame(weighted: bool) -> None:
    frame = _table()
    weights = np.random.default_rng(9).random(len(frame)) * 2 if weighted else None
    report = multiclass_report(frame, ("sex", "race"), SETTINGS, weights)
    truth = np.asarray(frame[Y_TRUE].astype(str))
    pred = np.asarray(frame[Y_PRED].astype(str))
    nan = {"zero_division": np.nan}
    metrics = {
        "accuracy": accuracy_score,
        "macro_precision": lambda t, p, **kw: precision_score(t, p, average="macro", **nan, **kw),
        "macro_f1": lambda t, p, **kw: f1_score(t, p, average="macro", **nan, **kw),
        "weighted_recall": lambda t, p, **kw: recall_score(t, p, average="weighted", **nan, **kw),
        "selection_b": lambda t, p, **kw: selection_rate(t == "b", p == "b", **kw),
        "fpr_a": lambda t, p, **kw: false_positive_rate(t == "a", p == "a", **kw),
    }
    params = {name: {"sample_weight": weights} for name in metrics} if weighted else None
    for grouping in report.groupings:
        columns = list(grouping.columns)
        expected = MetricFrame(
            metrics=metrics, y_true=truth, y_pred=pred, sensitive_features=frame[columns],
            sample_params=params,
        ).by_group  # fmt: skip
        assert len(grouping.groups) == len(expected)
        for group in grouping.groups:
            key = group.values if len(columns) > 1 else group.values[0]
            row = expected.loc[key]
            assert group.accuracy.value == pytest.approx(row["accuracy"], abs=1e-9)
            for name in ("macro_precision", "macro_f1", "weighted_recall"):
                assert group.averages[name] == pytest.approx(row[name], abs=1e-9)
            selection = group.ovr[1].rates["selection_rate"].value
            assert selection == pytest.approx(row["selection_b"], abs=1e-9)
            assert group.ovr[0].rates["fpr"].value == pytest.approx(row["fpr_a"], abs=1e-9)


def test_group_auc_and_intervals() -> None:
    frame = _table()
    report = multiclass_report(frame, ("sex",), SETTINGS)
    scores = frame[[f"{Y_CLASS_SCORE}{i}" for i in range(4)]].to_numpy()
    for group in report.groupings[0].groups:
        part = (frame["sex"] == group.values[0]).to_numpy()
        truth = frame[Y_TRUE].cat.codes.to_numpy()[part]
        expected = roc_auc_score(truth, scores[part], multi_class="ovr")
        assert group.macro_auc == pytest.approx(expected, abs=1e-9)
        rate = group.ovr[2].rates["recall"]
        assert (rate.lower, rate.upper) == pytest.approx(
            wilson_interval(rate.successes, rate.trials), abs=1e-12
        )
        assert group.accuracy.lower == pytest.approx(
            wilson_interval(group.accuracy.successes, group.accuracy.trials)[0], abs=1e-12
        )


def _flat(report: MulticlassReport) -> list[float]:
    """Every number of a report, in a fixed order (NaN kept)."""
    numbers = []
    for group in [report.overall, *(g for grouping in report.groupings for g in grouping.groups)]:
        numbers += [group.accuracy.value, group.accuracy.lower, group.macro_auc]
        numbers += [group.averages[k] for k in sorted(group.averages)]
        numbers += list(group.confusion.ravel())
        for ovr in group.ovr:
            numbers += [r.value for r in ovr.rates.values()] + [r.upper for r in ovr.rates.values()]
    return numbers


def _same(left: list[float], right: list[float]) -> None:
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(60, 400))
def test_unit_weights_equal_the_unweighted_report(seed: int, n: int) -> None:
    frame = _table(n, seed, scores=False)
    plain = multiclass_report(frame, ("sex",), SETTINGS)
    weighted = multiclass_report(frame, ("sex",), SETTINGS, np.ones(n))
    _same(_flat(plain), _flat(weighted))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(60, 400), st.data())
def test_a_duplicated_row_equals_weight_two(seed: int, n: int, data: st.DataObject) -> None:
    by_weight, by_copy = weight_two_or_a_copy(_table(n, seed), data.draw(st.integers(0, n - 1)))
    # the point estimates agree; intervals differ on purpose (effective n of 2 equal rows is 2)
    left, right = _points(by_weight), _points(by_copy)
    assert left.keys() == right.keys()
    for label, numbers in left.items():
        for a, b in zip(numbers, right[label], strict=True):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9), label


def weight_two_or_a_copy(
    frame: pd.DataFrame, row: int
) -> tuple[MulticlassReport, MulticlassReport]:
    """The sex report with ``row`` weighted 2, and with ``row`` copied (every weight 1)."""
    weights = np.ones(len(frame))
    weights[row] = 2.0
    doubled = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
    by_weight = multiclass_report(frame, ("sex",), SETTINGS, weights)
    return by_weight, multiclass_report(doubled, ("sex",), SETTINGS, np.ones(len(doubled)))


def _points(report: MulticlassReport) -> dict[str, list[float]]:
    """Each group's point estimates by label (a duplicated row can change the size order)."""
    points = {}
    for group in [report.overall, *report.groupings[0].groups]:
        numbers = [group.accuracy.value, group.macro_auc, *group.confusion.ravel()]
        numbers += [group.averages[k] for k in sorted(group.averages)]
        numbers += [r.value for ovr in group.ovr for r in ovr.rates.values()]
        numbers += [ovr.auc for ovr in group.ovr]
        points[group.label] = numbers
    return points


def test_four_fifths_per_class_flags_a_planted_gap_and_only_it() -> None:
    n = 6000
    rng = np.random.default_rng(5)
    sex = rng.choice(["F", "M"], n)
    truth = rng.integers(0, 3, n)
    pred = truth.copy()
    # planted: 40% of women's class-z predictions go to x or y (z's ratio 0.6, the others' ~0.83)
    moved = (sex == "F") & (pred == 2) & (rng.random(n) < 0.4)
    pred[moved] = rng.integers(0, 2, int(moved.sum()))
    frame = pd.DataFrame({"sex": sex})
    frame[Y_TRUE] = pd.Categorical.from_codes(truth, categories=["x", "y", "z"])
    frame[Y_PRED] = pd.Categorical.from_codes(pred, categories=["x", "y", "z"])
    grouping = multiclass_report(frame, ("sex",), SETTINGS).groupings[0]
    statuses = {c.name: {r.label: r.status for r in c.four_fifths.rows} for c in grouping.classes}
    assert statuses == {
        "x": {"F": "pass", "M": "pass"},
        "y": {"F": "pass", "M": "pass"},
        "z": {"F": "flagged", "M": "pass"},
    }
    assert grouping.worst_class["demographic_parity_ratio"] == "z"
    # no effect: predictions independent of sex flag nothing
    frame[Y_PRED] = frame[Y_TRUE]
    clean = multiclass_report(frame, ("sex",), SETTINGS).groupings[0]
    assert not [r for c in clean.classes for r in c.four_fifths.rows if r.status == "flagged"]


def test_a_class_predicted_but_never_true_is_warned_and_undefined() -> None:
    frame = pd.DataFrame({"sex": ["F", "M"] * 50})
    frame[Y_TRUE] = pd.Categorical.from_codes([0, 1] * 50, categories=["x", "y", "z"])
    frame[Y_PRED] = pd.Categorical.from_codes([0, 2] * 50, categories=["x", "y", "z"])
    report = multiclass_report(frame, ("sex",), SETTINGS)
    assert len(report.warnings) == 1 and "'z' is predicted for 50 rows" in report.warnings[0]
    recall = report.overall.ovr[2].rates["recall"]
    assert math.isnan(recall.value) and recall.undefined == "no actual positives in this group"
    expected = precision_recall_fscore_support(
        frame[Y_TRUE].astype(str), frame[Y_PRED].astype(str), average="macro",
        zero_division=np.nan,
    )  # fmt: skip
    assert report.overall.averages["macro_f1"] == pytest.approx(expected[2], abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_integer_key_auc_is_the_index_sort_auc_to_the_bit(seed: int) -> None:
    """The sort of score bits per group gives auc_by_group's AUC and interval exactly.

    Ties (rounded scores), -0.0 next to 0.0, an empty group, a group of one class, a group of
    one row, and a class whose scores are negative (the general sort) are all in it.
    """
    rng = np.random.default_rng(seed)
    n = 20_000
    codes = rng.integers(0, 8, n)
    codes[codes == 3] = 4  # group 3 empty
    codes[0] = 7
    codes[codes == 7] = 6
    codes[0] = 7  # group 7: one row
    truth = rng.integers(0, 4, n)
    truth[codes == 5] = 1  # group 5: class 1 only
    scores = [np.round(rng.random(n), 2), rng.random(n), np.round(rng.random(n), 1)]
    scores[0][::7], scores[0][::11] = -0.0, 0.0
    scores.append(rng.normal(size=n))  # negative scores
    found = mc.ovr_auc_by_group(codes, 8, truth, scores)
    for index, score in enumerate(scores):
        expected = auc_by_group(codes, (truth == index).astype(np.int8), score, 8)
        for ours, theirs in zip(found, expected, strict=True):
            assert np.array_equal(ours[:, index], theirs, equal_nan=True)
    assert np.isnan(found[0][3]).all() and np.isnan(found[0][5, 1])
    assert not np.isnan(found[0][[0, 1, 2, 4, 6]]).any()
    part = codes == 2  # and scikit-learn agrees
    assert found[0][2, 0] == pytest.approx(
        roc_auc_score(truth[part] == 0, scores[0][part]), abs=1e-12
    )


def test_weights_of_zero_and_one_count_their_sum_not_the_rows() -> None:
    """Weights 0/1 have Σw² = Σw, which read as "unweighted": the four-fifths table showed the
    group's row count as its Σw beside a rate of Σw selected ÷ Σw (46 of 497 at rate 0.317)."""
    frame = _table(400, 3, scores=False)
    weights = np.where(np.arange(400) % 3 == 0, 0.0, 1.0)
    weights[(frame["sex"] == "F").to_numpy()] = 0.0  # every F row weighs 0, as do a third of M
    report = multiclass_report(frame, ("sex",), SETTINGS, weights)
    male = (frame["sex"] == "M").to_numpy()
    for klass in report.groupings[0].classes:
        rows = {row.label: row for row in klass.four_fifths.rows}
        assert rows["M"].count == pytest.approx(weights[male].sum(), abs=1e-9)
        assert rows["F"].count == 0
    for group in report.groupings[0].groups:
        assert all(ovr.count == pytest.approx(group.weight, abs=1e-9) for ovr in group.ovr)


def test_equal_rates_flag_a_grouping_in_at_most_five_percent_of_samples() -> None:
    """Each class's four-fifths rule was tested at the binary level (0.05 over the pairs), so a
    4-class model whose five groups had equal rates was flagged in 10% of samples, twice the
    binary report's bound: the level now also counts the classes (Bonferroni over classes)."""
    rng = np.random.default_rng(0)
    samples, flagged = 300, 0
    config = FairnessSettings(min_group_size=30)
    for _ in range(samples):
        frame = pd.DataFrame({"g": np.repeat(list("abcde"), 200)})
        truth = rng.integers(0, 4, len(frame))
        pred = rng.choice(4, len(frame), p=[0.1, 0.2, 0.3, 0.4])
        frame[Y_TRUE] = pd.Categorical.from_codes(truth, categories=list("wxyz"))
        frame[Y_PRED] = pd.Categorical.from_codes(pred, categories=list("wxyz"))
        classes = multiclass_report(frame, ("g",), config, calibration=False).groupings[0].classes
        flagged += any(r.status == "flagged" for c in classes for r in c.four_fifths.rows)
    assert flagged / samples <= 0.05


def test_a_planted_shortfall_in_one_class_is_still_caught_at_the_shared_level() -> None:
    """The level shared among the classes must not hide a real gap: group "a" is predicted
    class z at half the others' rate (20% against 40%, 1,000 rows a group)."""
    rng = np.random.default_rng(1)
    samples, caught = 60, 0
    config = FairnessSettings(min_group_size=30)
    usual, short = [0.1, 0.2, 0.3, 0.4], [0.2, 0.3, 0.3, 0.2]
    for _ in range(samples):
        frame = pd.DataFrame({"g": np.repeat(list("abcde"), 1000)})
        truth = rng.integers(0, 4, len(frame))
        pred = np.concatenate([rng.choice(4, 1000, p=short if g == "a" else usual)
                               for g in "abcde"])  # fmt: skip
        frame[Y_TRUE] = pd.Categorical.from_codes(truth, categories=list("wxyz"))
        frame[Y_PRED] = pd.Categorical.from_codes(pred, categories=list("wxyz"))
        classes = multiclass_report(frame, ("g",), config, calibration=False).groupings[0].classes
        [z] = [c for c in classes if c.name == "z"]
        caught += any(r.label == "a" and r.status == "flagged" for r in z.four_fifths.rows)
    assert caught / samples >= 0.95
