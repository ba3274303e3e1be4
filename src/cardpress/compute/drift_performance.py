"""Performance over time, from each window's labelled-outcome counts.

Accuracy, precision and recall come with Wilson score intervals (95%), as on the fairness
report; AUC is the Mann–Whitney statistic on the rounded scores (ties count one half) with the
Hanley–McNeil (1982) interval. Label coverage is labelled rows / rows; the label delay is the
mean time from prediction to label, and the share of labels within each delay bucket.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from cardpress.compute.rates import Z95, wilson_interval
from cardpress.model_drift import DELAY_BUCKETS, Performance

Interval = tuple[float, float] | None


@dataclass(frozen=True)
class WindowPerformance:
    """One window's metrics; None where undefined (no labels, or one class only)."""

    rows: int
    labelled: int
    coverage: float | None
    accuracy: float | None
    accuracy_ci: Interval
    precision: float | None
    precision_ci: Interval
    recall: float | None
    recall_ci: Interval
    auc: float | None
    auc_ci: Interval
    mean_delay_hours: float | None
    delay_shares: tuple[float, ...]


def window_performance(counts: Performance) -> WindowPerformance:
    """The metrics of one window's counts."""
    accuracy = _rate(counts.tp + counts.tn, counts.labelled)
    precision = _rate(counts.tp, counts.tp + counts.fp)
    recall = _rate(counts.tp, counts.tp + counts.fn)
    auc = auc_from_counts(counts.score_counts)
    positives = sum(p for _, p, _ in counts.score_counts)
    negatives = sum(n for _, _, n in counts.score_counts)
    delays = sum(counts.delay_counts)
    return WindowPerformance(
        rows=counts.rows,
        labelled=counts.labelled,
        coverage=counts.labelled / counts.rows if counts.rows else None,
        accuracy=accuracy[0], accuracy_ci=accuracy[1],
        precision=precision[0], precision_ci=precision[1],
        recall=recall[0], recall_ci=recall[1],
        auc=auc,
        auc_ci=hanley_mcneil(auc, positives, negatives) if auc is not None else None,
        mean_delay_hours=counts.delay_sum / delays / 3600 if delays else None,
        delay_shares=tuple(c / delays for c in counts.delay_counts) if delays else (),
    )  # fmt: skip


def auc_from_counts(score_counts: tuple[tuple[float, int, int], ...]) -> float | None:
    """P(score of a positive > score of a negative), ties one half; None with one class."""
    positives = sum(p for _, p, _ in score_counts)
    negatives = sum(n for _, _, n in score_counts)
    if positives == 0 or negatives == 0:
        return None
    below = 0
    wins = 0.0
    for _, pos, neg in sorted(score_counts):
        wins += pos * (below + neg / 2)
        below += neg
    return wins / (positives * negatives)


def hanley_mcneil(auc: float, positives: int, negatives: int, z: float = Z95) -> Interval:
    """AUC ± z·SE with Hanley and McNeil's standard error, clipped to [0, 1]."""
    if positives < 2 or negatives < 2:
        return None
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)
    ) / (positives * negatives)
    half = z * math.sqrt(max(0.0, variance))
    return max(0.0, auc - half), min(1.0, auc + half)


def delay_labels() -> tuple[str, ...]:
    """Names of the delay buckets, in order."""
    names = {3600: "1 hour", 86400: "1 day", 7 * 86400: "7 days", 30 * 86400: "30 days"}
    bounds = [names[b] for b in DELAY_BUCKETS]
    ranges = [f"{low} – {high}" for low, high in pairwise(bounds)]
    return (f"up to {bounds[0]}", *ranges, f"over {bounds[-1]}")


def _rate(successes: int, n: int) -> tuple[float | None, Interval]:
    if n == 0:
        return None, None
    return successes / n, wilson_interval(successes, n)
