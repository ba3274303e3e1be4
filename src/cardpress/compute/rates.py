"""Small exact statistics for the fairness report: rates with Wilson intervals, AUC with DeLong.

Every function is pure and vectorised over groups where that matters for speed.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

Z95 = float(norm.ppf(0.975))  # 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
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
