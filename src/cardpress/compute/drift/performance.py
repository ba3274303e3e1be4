"""Performance over time, from each window's labelled-outcome counts.

Accuracy, precision and recall come with Wilson score intervals (95%), as on the fairness
report; AUC is the Mann–Whitney statistic on the rounded scores (ties count one half) with the
Hanley–McNeil (1982) interval. Label coverage is labelled rows / rows; the label delay is the
mean time from prediction to label, and the share of labels within each delay bucket.

Data health beside them: the share of labelled rows whose label (and whose prediction) is the
positive class — a window where every label is positive has no AUC, and says so — and the
window's volume against a band calibrated on the windows' own volumes (``volume_band``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import NormalDist, median

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
    positive_label_share: float | None = None  # of labelled rows
    positive_prediction_share: float | None = None  # of labelled rows
    reasons: dict[str, str] = field(default_factory=dict)  # why a metric is None


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
        positive_label_share=_rate(counts.tp + counts.fn, counts.labelled)[0],
        positive_prediction_share=_rate(counts.tp + counts.fp, counts.labelled)[0],
        reasons=undefined_reasons(counts),
    )  # fmt: skip


def undefined_reasons(counts: Performance) -> dict[str, str]:
    """Why each undefined metric of a window is undefined, in words for the page."""
    if counts.labelled == 0:
        why = "no labels yet" if counts.rows else "no rows"
        return dict.fromkeys(("accuracy", "precision", "recall", "auc"), why)
    reasons = {}
    positives, negatives = counts.tp + counts.fn, counts.tn + counts.fp
    if counts.tp + counts.fp == 0:
        reasons["precision"] = "no positive predictions"
    if positives == 0:
        reasons["recall"] = "all labels negative"
        reasons["auc"] = "all labels negative"
    elif negatives == 0:
        reasons["auc"] = "all labels positive"
    elif not counts.score_counts:
        reasons["auc"] = "no scores"
    return reasons


@dataclass(frozen=True)
class VolumeBand:
    """The usual rows per window: median and the band outside which volume alerts."""

    median: float
    low: float
    high: float


MIN_WINDOWS_FOR_BAND = 5


def volume_band(rows: list[int], level: float) -> VolumeBand | None:
    """Median × exp(± z·s) of the windows' rows, s a robust spread of log rows.

    s is 1.4826 × the median absolute deviation of log(rows) (the standard deviation for
    log-normal volumes, unmoved by a few outliers), at least Poisson's 1/√median; z is the
    normal quantile at 1 − level/2, so a window of usual volume falls outside with probability
    about ``level``. None with fewer than ``MIN_WINDOWS_FOR_BAND`` windows with rows.
    """
    filled = [r for r in rows if r > 0]
    if len(filled) < MIN_WINDOWS_FOR_BAND:
        return None
    logs = [math.log(r) for r in filled]
    centre = median(logs)
    spread = max(1.4826 * median(abs(x - centre) for x in logs), 1 / math.sqrt(math.exp(centre)))
    z = NormalDist().inv_cdf(1 - level / 2)
    low, high = math.exp(centre - z * spread), math.exp(centre + z * spread)
    return VolumeBand(math.exp(centre), low, high)


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
