"""Regression and multiclass performance over time from sums, against scikit-learn and scipy."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, mean_squared_error

from cardpress.compute.drift.outcomes import (
    macro_f1,
    multiclass_window,
    predicted_shares,
    regression_window,
)
from cardpress.model_drift import Performance, merge_performance
from cardpress.readers.drift.cache import decode_performance, encode_performance


def _sums(y: np.ndarray, p: np.ndarray, rows: int) -> Performance:  # type: ignore[type-arg]
    e = p - y
    return Performance(rows=rows, labelled=len(e), task="regression",
                       abs_sum=float(np.abs(e).sum()), error_sum=float(e.sum()),
                       square_sum=float((e**2).sum()), fourth_sum=float((e**4).sum()))  # fmt: skip


def _confusion(y: list[str], p: list[str]) -> Performance:
    pairs: dict[tuple[str, str], int] = {}
    for a, b in zip(y, p, strict=True):
        pairs[(a, b)] = pairs.get((a, b), 0) + 1
    confusion = tuple((a, b, n) for (a, b), n in sorted(pairs.items()))
    return Performance(rows=len(y) + 3, labelled=len(y), task="multiclass", confusion=confusion)


def test_regression_window_against_scikit_learn_and_scipy() -> None:
    rng = np.random.default_rng(7)
    y = rng.normal(50, 10, 200)
    p = y + rng.normal(1, 5, 200)
    found = regression_window(_sums(y, p, 250))
    e = p - y
    assert abs(found.mae - mean_absolute_error(y, p)) < 1e-9  # type: ignore[operator]
    assert abs(found.rmse - np.sqrt(mean_squared_error(y, p))) < 1e-9  # type: ignore[operator]
    assert abs(found.bias - e.mean()) < 1e-9  # type: ignore[operator]
    for value, ci in ((np.abs(e), found.mae_ci), (e, found.bias_ci)):
        expected = stats.t.interval(0.95, len(e) - 1, loc=value.mean(), scale=stats.sem(value))
        assert ci is not None and np.allclose(ci, expected, rtol=0, atol=1e-9)
    assert found.coverage == 200 / 250 and found.reasons == {}


def test_one_labelled_row_has_metrics_without_intervals_and_none_says_why() -> None:
    one = regression_window(_sums(np.array([3.0]), np.array([5.0]), 4))
    assert (one.mae, one.rmse, one.bias) == (2.0, 2.0, 2.0)
    assert one.mae_ci is None and one.rmse_ci is None and one.bias_ci is None
    none = regression_window(Performance(rows=5, labelled=0, task="regression"))
    assert none.mae is None and none.reasons["mae"] == "no labels yet"
    empty = multiclass_window(Performance(rows=0, labelled=0, task="multiclass"))
    assert (
        empty.accuracy is None and empty.macro_f1 is None and empty.reasons["accuracy"] == "no rows"
    )


labels = st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abce")), min_size=1,
                  max_size=80)  # fmt: skip


@given(labels)
def test_multiclass_window_against_scikit_learn(rows: list[tuple[str, str]]) -> None:
    y, p = [a for a, _ in rows], [b for _, b in rows]
    found = multiclass_window(_confusion(y, p))
    assert abs(found.accuracy - accuracy_score(y, p)) < 1e-9  # type: ignore[operator]
    expected = f1_score(y, p, average="macro", zero_division=0)
    assert abs(found.macro_f1 - expected) < 1e-9  # type: ignore[operator]
    shares = {c: p.count(c) / len(p) for c in set(p)}
    assert found.predicted_shares == shares and list(found.predicted_shares) == sorted(shares)


@given(labels, labels)
def test_two_disjoint_windows_merge_into_the_whole(a: list[tuple[str, str]],
                                                   b: list[tuple[str, str]]) -> None:  # fmt: skip
    whole = _confusion([y for y, _ in a + b], [p for _, p in a + b])
    merged = merge_performance(_confusion(*map(list, zip(*a, strict=True))),
                               _confusion(*map(list, zip(*b, strict=True))))  # fmt: skip
    assert merged.confusion == whole.confusion and merged.labelled == whole.labelled
    assert macro_f1(merged.confusion) == macro_f1(whole.confusion)
    assert predicted_shares(merged.confusion) == predicted_shares(whole.confusion)


def test_regression_sums_merge_and_survive_the_cache() -> None:
    rng = np.random.default_rng(3)
    y, p = rng.normal(size=30), rng.normal(size=30)
    whole, first, second = _sums(y, p, 30), _sums(y[:10], p[:10], 10), _sums(y[10:], p[10:], 20)
    merged = merge_performance(first, second)
    assert merged.task == "regression" and merged.labelled == 30
    assert abs(regression_window(merged).rmse - regression_window(whole).rmse) < 1e-12  # type: ignore[operator]
    assert decode_performance(encode_performance(merged)) == merged
    counted = _confusion(["a", "b"], ["b", "b"])
    assert decode_performance(encode_performance(counted)) == counted
