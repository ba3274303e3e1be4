"""Small exact statistics for the fairness report: rates with Wilson intervals, AUC with DeLong.

Every function is pure and vectorised over groups where that matters for speed.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

# The 97.5% standard-normal quantile, scipy.stats.norm.ppf(0.975) to the last bit (a test checks
# it). A constant, not a call: importing scipy.stats costs about a second of every build.
Z95 = 1.959963984540054


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n`` (Wilson, 1927).

    centre = (p + z²/2n) / (1 + z²/n), half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
    Unlike the normal (Wald) interval it stays inside [0, 1] and is not empty at p = 0 or 1.
    Returns (nan, nan) when ``n`` is 0: a rate of nothing has no interval.
    """
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def auc_from_scores(y_true: NDArray[np.integer], score: NDArray[np.floating]) -> float:
    """ROC AUC as the Mann–Whitney statistic, from average ranks.

    P(score of a positive > score of a negative), ties counted as one half: the same number as
    scikit-learn's ``roc_auc_score``.

    Returns nan when only one class is present (AUC is undefined, not 0.5).
    """
    positives = int(y_true.sum())
    negatives = len(y_true) - positives
    if positives == 0 or negatives == 0:
        return math.nan
    ranks = _average_ranks(score)
    rank_sum = float(ranks[y_true == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def delong_interval(
    y_true: NDArray[np.integer], score: NDArray[np.floating], z: float = Z95
) -> tuple[float, float]:
    """Confidence interval of the AUC from DeLong's variance (DeLong et al., 1988).

    Deterministic (no resampling). V10ᵢ = share of negatives a positive i outranks (ties ½),
    V01ⱼ = share of positives that outrank negative j; var = s²(V10)/m + s²(V01)/n. The interval
    is AUC ± z·√var, clipped to [0, 1]; (nan, nan) when a class is missing or has one member.
    """
    positive_scores = np.sort(score[y_true == 1])
    negative_scores = np.sort(score[y_true == 0])
    m, n = len(positive_scores), len(negative_scores)
    if m < 2 or n < 2:
        return math.nan, math.nan
    v10 = _share_below(negative_scores, positive_scores)  # negatives each positive outranks
    v01 = 1 - _share_below(positive_scores, negative_scores)  # positives outranking each negative

    auc = float(v10.mean())
    variance = float(v10.var(ddof=1) / m + v01.var(ddof=1) / n)
    half = z * math.sqrt(variance)
    return max(0.0, auc - half), min(1.0, auc + half)


def _share_below(
    sorted_reference: NDArray[np.floating], values: NDArray[np.floating]
) -> NDArray[np.float64]:
    """For each value, the share of the reference below it, ties counted as one half."""
    below = np.searchsorted(sorted_reference, values, side="left")
    tied = np.searchsorted(sorted_reference, values, side="right") - below
    share: NDArray[np.float64] = (below + tied / 2) / len(sorted_reference)
    return share


def _average_ranks(values: NDArray[np.floating]) -> NDArray[np.float64]:
    """1-based ranks with ties given their average rank (scipy's ``rankdata`` 'average')."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.r_[first[1:], len(values)] - 1
    average = (first + last) / 2 + 1
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = average[group]
    return ranks


def auc_by_group(
    codes: NDArray[np.integer],
    y_true: NDArray[np.integer],
    score: NDArray[np.floating],
    groups: int,
    order: NDArray[np.integer] | None = None,
    z: float = Z95,
    weights: NDArray[np.floating] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """AUC and DeLong interval of every group at once: (auc, lower, upper), NaN where undefined.

    The same numbers as :func:`auc_from_scores` and :func:`delong_interval` per group, in O(n)
    after one sort: rows are ordered by score (``order``, which a caller can share between
    groupings; any order of tied scores will do), then stably by group, so each group is a run
    sorted by score. Rows with the same group and score form a *tie run*; every positive in a
    run has the same V10 (share of the group's negatives below it, plus half of those tied), and
    every negative the same V01 (share of positives above, plus half of those tied), so all sums
    are taken over runs, weighted by how many positives or negatives each holds.

    With ``weights`` a run holds the *sum of the weights* of its positives and negatives: the AUC
    is the weighted Mann–Whitney statistic (scikit-learn's ``roc_auc_score(sample_weight=…)``),
    and DeLong's variance uses weighted variances of V10 and V01 (reliability weights) over the
    effective numbers of positives and negatives, (Σw)²/Σw²; with weights of 1 it is DeLong's.
    """
    if order is None:
        order = np.argsort(score)
    # Memory matters at 10M rows: small dtypes, and every row-length array dropped once used.
    small = codes.astype(np.int32 if groups > 32767 else np.int16)
    order = order[np.argsort(small[order], kind="stable")].astype(np.int32)  # radix: linear
    code = small[order]
    del small
    value = score[order]
    boundary = np.flatnonzero((code[1:] != code[:-1]) | (value[1:] != value[:-1])) + 1
    del value
    bounds = np.r_[0, boundary, len(code)].astype(np.int32)
    del boundary
    if weights is None:
        positives_before = np.r_[0, np.cumsum(y_true[order], dtype=np.int32)]
        run_pos = np.diff(positives_before[bounds])
        del positives_before
        run_neg = np.diff(bounds) - run_pos
    else:
        run_pos, run_neg, pos_squares, neg_squares = _weighted_runs(
            code, y_true[order], weights[order], bounds, groups
        )
    del order
    run_code = code[bounds[:-1]]
    del code, bounds
    if weights is None:
        return auc_from_runs(run_code, run_pos, run_neg, groups, z)
    return auc_from_runs(run_code, run_pos, run_neg, groups, z, (pos_squares, neg_squares))


def auc_from_runs(
    run_code: NDArray[np.integer],
    run_pos: NDArray[np.integer] | NDArray[np.floating],
    run_neg: NDArray[np.integer] | NDArray[np.floating],
    groups: int,
    z: float = Z95,
    squares: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """AUC and DeLong interval of every group from its tie runs, in ascending score order.

    ``run_code`` is each run's group (groups contiguous, in code order), ``run_pos`` and
    ``run_neg`` how many positives and negatives it holds (their weights, with ``squares``: each
    group's Σw² of positives and of negatives). See :func:`auc_by_group`.
    """
    weights = squares
    # positives and negatives per group (bincount with weights counts in float64)
    m: NDArray[np.float64] = np.bincount(run_code, weights=run_pos, minlength=groups)  # type: ignore[assignment]
    n: NDArray[np.float64] = np.bincount(run_code, weights=run_neg, minlength=groups)  # type: ignore[assignment]
    if weights is None:
        pos_squares, neg_squares = m, n  # Σw² = the count when every weight is 1
    else:
        pos_squares, neg_squares = weights
    with np.errstate(invalid="ignore", divide="ignore"):
        # a positive's V10: share of its group's negatives below it, plus half of those tied
        v10 = (_within_group_before(run_neg, run_code, n) + run_neg / 2) / n[run_code]
        auc = np.bincount(run_code, weights=run_pos * v10, minlength=groups) / m
        s10 = _group_variance(run_code, run_pos, v10, auc, m, pos_squares)
        del v10
        # a negative's V01: share of its group's positives above it, plus half of those tied
        v01 = 1 - (_within_group_before(run_pos, run_code, m) + run_pos / 2) / m[run_code]
        v01_mean = np.bincount(run_code, weights=run_neg * v01, minlength=groups) / n
        s01 = _group_variance(run_code, run_neg, v01, v01_mean, n, neg_squares)
        # variance of a weighted mean: s² / effective n, effective n = (Σw)² / Σw²
        half = z * np.sqrt(s10 * pos_squares / (m * m) + s01 * neg_squares / (n * n))
    auc = np.where((m > 0) & (n > 0), auc, np.nan)
    if weights is None:
        interval = (m >= 2) & (n >= 2)
    else:  # an effective count above 1: at least two rows of positive weight in each class
        interval = (m * m > pos_squares * (1 + 1e-9)) & (n * n > neg_squares * (1 + 1e-9))
    lower = np.where(interval, np.maximum(0.0, auc - half), np.nan)
    upper = np.where(interval, np.minimum(1.0, auc + half), np.nan)
    return auc, lower, upper


def _weighted_runs(
    code: NDArray[np.integer],
    truth: NDArray[np.integer],
    weight: NDArray[np.floating],
    bounds: NDArray[np.int32],
    groups: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Each tie run's weight of positives and of negatives; each group's Σw² of both classes.

    Sums per run with ``add.reduceat`` (exact per run, unlike differences of a running sum).
    """
    positive = np.where(truth == 1, weight, 0.0)
    run_pos = np.add.reduceat(positive, bounds[:-1])
    run_neg = np.add.reduceat(weight, bounds[:-1]) - run_pos
    pos_squares = np.bincount(code, weights=positive * positive, minlength=groups)
    negative = weight - positive
    neg_squares = np.bincount(code, weights=negative * negative, minlength=groups)
    return run_pos, run_neg, pos_squares, neg_squares  # type: ignore[return-value]


def _within_group_before(
    counts: NDArray[np.integer] | NDArray[np.floating],
    run_code: NDArray[np.integer],
    totals: NDArray[np.float64],
) -> NDArray[np.float64]:
    """For each run, the sum of ``counts`` over the earlier runs of its group."""
    before_run = np.cumsum(counts, dtype=np.float64)
    before_run -= counts
    group_start = np.cumsum(totals) - totals  # groups are contiguous, in code order
    before_run -= group_start[run_code]
    return before_run


def _group_variance(
    run_code: NDArray[np.integer],
    weight: NDArray[np.integer] | NDArray[np.floating],
    values: NDArray[np.float64],
    means: NDArray[np.float64],
    totals: NDArray[np.float64],
    squares_total: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Sample variance of per-row values given per run with a weight (a row count), two passes.

    Unbiased for reliability weights: Σw(v − v̄)² / (Σw − Σw²/Σw); with weights of 1, ddof=1.
    """
    squares = values - means[run_code]
    squares **= 2
    squares *= weight
    sums: NDArray[np.float64] = np.bincount(run_code, weights=squares, minlength=len(totals))  # type: ignore[assignment]
    return sums / (totals - squares_total / totals)
