"""The drift report of one model: statistics per feature and window, thresholds, alerts.

Thresholds, per statistic and feature (stated on the page):

* ``fixed``: the ``[drift.thresholds]`` values; distances alert at or above, p-values below.
* ``reference`` (default): the reference is split into chunks; each chunk is compared with the
  reference **without that chunk** (leave-one-out, so a chunk is not compared with itself, the
  bias NannyML users reported in NM#426), and the threshold is mean + 3 × standard deviation
  (population, ddof 0) of those values, never below the fixed threshold's tenth. p-values keep
  the fixed thresholds (they already account for sample size).

The primary statistic, which decides whether a feature drifted in a window, is the
Jensen–Shannon distance (defined for every kind, bounded 0–1, symmetric). Dataset drift is the
share of features whose primary statistic crossed its threshold in the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cardpress.compute.drift_stats import NONE_KNOWN, KsPValues, Stats, feature_stats
from cardpress.model_drift import DriftSettings, DriftSummaries, FeatureCounts, merge_counts

DISTANCES = ("psi", "js", "hellinger", "wasserstein")
P_VALUES = ("ks_p", "chi2_p")
PRIMARY = "js"
SIGMAS = 3.0


@dataclass(frozen=True)
class Alert:
    """One statistic of one feature that crossed its threshold in one window."""

    window: str
    feature: str
    statistic: str
    value: float
    threshold: float


@dataclass(frozen=True)
class FeatureReport:
    """One feature: its kind, thresholds and statistics per window (None: empty window)."""

    name: str
    kind: str
    thresholds: dict[str, float]
    windows: tuple[Stats | None, ...]
    drifted: tuple[bool, ...]


@dataclass(frozen=True)
class DriftReport:
    """Everything the drift pages show, computed from the summaries alone."""

    summaries: DriftSummaries
    threshold_method: str
    features: tuple[FeatureReport, ...]
    dataset_drift: tuple[float | None, ...]  # share of features drifted, per window
    alerts: tuple[Alert, ...]
    warnings: tuple[str, ...] = field(default=())
    ks_p_values: tuple[tuple[float, int, float], ...] = ()  # (D, n, p) of every window's KS


def drift_report(
    summaries: DriftSummaries, settings: DriftSettings, known: KsPValues = NONE_KNOWN
) -> DriftReport:
    """Statistics, thresholds and alerts of every feature in every window.

    ``known``: KS p-values of an earlier build, by (D, n), reused (see drift_stats); the
    report's ``ks_p_values`` are those of this build's windows, to keep for the next.
    """
    reference = dict(summaries.reference)
    fixed = dict(settings.thresholds)
    features = []
    alerts: list[Alert] = []
    by_window = [dict(w.features) for w in summaries.windows]
    for bins in summaries.bins:
        numeric = bins.kind == "numeric"
        base = reference[bins.name]
        windows = [
            feature_stats(base, counts, numeric, known)
            if (counts := found.get(bins.name)) is not None and w.rows
            else None
            for w, found in zip(summaries.windows, by_window, strict=True)
        ]
        thresholds = (
            _reference_thresholds(summaries, bins.name, numeric, fixed)
            if settings.threshold_method == "reference"
            else fixed
        )
        found = _alerts(bins.name, summaries, windows, thresholds)
        alerts += found
        drifted = tuple(
            any(a.window == w.key and a.statistic == PRIMARY for a in found)
            for w in summaries.windows
        )
        features.append(FeatureReport(bins.name, bins.kind, thresholds, tuple(windows), drifted))
    return DriftReport(
        summaries, settings.threshold_method, tuple(features),
        _dataset_drift(features, len(summaries.windows)), tuple(alerts), summaries.warnings,
        _ks_p_values(features),
    )  # fmt: skip


def _ks_p_values(features: list[FeatureReport]) -> tuple[tuple[float, int, float], ...]:
    stats = [s for f in features for s in f.windows if s is not None]
    found = {
        (s.ks_d, s.ks_n, s.ks_p)
        for s in stats
        if s.ks_d is not None and s.ks_n is not None and s.ks_p is not None
    }
    return tuple(sorted(found))


def _reference_thresholds(
    summaries: DriftSummaries, name: str, numeric: bool, fixed: dict[str, float]
) -> dict[str, float]:
    """The mean + 3σ of each distance over the reference chunks, each against the others."""
    chunks = [dict(c)[name] for c in summaries.reference_chunks if name in dict(c)]
    values: dict[str, list[float]] = {s: [] for s in DISTANCES}
    for index, chunk in enumerate(chunks):
        others = [c for i, c in enumerate(chunks) if i != index]
        if not others or chunk.total == 0:
            continue
        rest = others[0]
        for other in others[1:]:
            rest = merge_counts(rest, other)
        stats = feature_stats(rest, chunk, numeric)
        for statistic in DISTANCES:
            value = getattr(stats, statistic)
            if value is not None:
                values[statistic].append(value)
    thresholds = dict(fixed)
    for statistic, found in values.items():
        if len(found) >= 2:
            derived = float(np.mean(found) + SIGMAS * np.std(found))
            ceiling = 1.0 if statistic in ("js", "hellinger") else math.inf
            thresholds[statistic] = min(ceiling, max(derived, fixed[statistic] / 10))
    return thresholds


def _alerts(
    name: str,
    summaries: DriftSummaries,
    windows: list[Stats | None],
    thresholds: dict[str, float],
) -> list[Alert]:
    alerts = []
    for window, stats in zip(summaries.windows, windows, strict=True):
        if stats is None:
            continue
        for statistic in (*DISTANCES, *P_VALUES):
            value = getattr(stats, statistic)
            if value is None or statistic not in thresholds:
                continue
            limit = thresholds[statistic]
            crossed = value < limit if statistic in P_VALUES else value >= limit
            if crossed:
                alerts.append(Alert(window.key, name, statistic, value, limit))
    return alerts


def _dataset_drift(features: list[FeatureReport], count: int) -> tuple[float | None, ...]:
    shares: list[float | None] = []
    for index in range(count):
        measured = [f for f in features if f.windows[index] is not None]
        if not measured:
            shares.append(None)
            continue
        shares.append(sum(f.drifted[index] for f in measured) / len(measured))
    return tuple(shares)


def empty_counts(size: int) -> FeatureCounts:
    """Counts of nothing, for a feature a window has no row of."""
    return FeatureCounts((0,) * size)


def finite(value: float | None) -> float | None:
    """``value`` unless it is NaN or infinite (JSON has neither)."""
    return value if value is not None and math.isfinite(value) else None
