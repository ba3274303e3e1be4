"""The drift report of one model: statistics, thresholds and one verdict per feature and window.

Thresholds, per window and statistic (stated on the page):

* ``reference`` (default): calibrated for the window's own row count — the upper quantile of
  the statistic's distribution for a sample of that size drawn from the reference's bins
  (compute.drift.calibration). With ``multiple_testing = "bonferroni"`` (default) the quantile
  is 1 − α/M for a window of M judged features, so a window with no drift is flagged with
  probability at most α (``false_alarm_rate``, default 1%); with ``"none"`` it is 1 − α, the
  rate per feature and window.
* ``fixed``: the ``[drift.thresholds]`` values, the same for every window.

One **primary** statistic per feature kind decides "drifted" (configurable): Jensen–Shannon
for categorical features (Evidently's default for categorical columns, NannyML's default
method; bounded 0–1), Kolmogorov–Smirnov D for numeric ones (Evidently's small-sample
numeric default, NannyML's numeric method). Both depend on the bin counts alone, so their
calibration is exact; Wasserstein (bin centroids) and the p-values are context, never alerts.
A feature that cannot be judged says why ("not judged: …").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cardpress.compute.drift.calibration import NUMERIC, Calibrator, draws_for
from cardpress.compute.drift.stats import NONE_KNOWN, KsPValues, Stats, feature_stats
from cardpress.compute.drift.verdict import (
    ALL_MISSING,
    DRIFTED,
    Judge,
    Judged,
    Verdict,
    decode,
    feature_key,
    has_present,
    judged_key,
    reference_problem,
)
from cardpress.model_drift import DriftSettings, DriftSummaries, FeatureCounts

Kept = Mapping[str, Any]  # results of an earlier build (verdict.encode), by judged_key
NOTHING_KEPT: Kept = {}

DISTANCES = NUMERIC


@dataclass(frozen=True)
class Alert:
    """One feature that drifted in one window, on its primary statistic."""

    window: str
    feature: str
    statistic: str
    value: float
    threshold: float
    ratio: float


@dataclass(frozen=True)
class FeatureReport:
    """One feature: kind, primary statistic, thresholds, statistics and verdict per window."""

    name: str
    kind: str
    primary: str
    thresholds: tuple[dict[str, float], ...]  # per window ({} where nothing was judged)
    windows: tuple[Stats | None, ...]  # None: the window has no rows
    verdicts: tuple[Verdict, ...]

    @property
    def drifted(self) -> tuple[bool, ...]:
        """Per window: did the primary statistic cross its threshold."""
        return tuple(v.status == DRIFTED for v in self.verdicts)


@dataclass(frozen=True)
class WindowVerdict:
    """The dataset verdict of one window: which of its judged features drifted."""

    key: str
    judged: int
    drifted: tuple[str, ...]  # most alarming first
    missing: tuple[str, ...] = ()  # features with no value at all in this window, by name

    @property
    def share(self) -> float | None:
        """Share of judged features that drifted (None: nothing judged)."""
        return len(self.drifted) / self.judged if self.judged else None

    @property
    def text(self) -> str:
        """The verdict in words ("drift in 2 of 14 features: workclass, age"), or why none."""
        # a feature that lost every value was not judged, and must not hide behind "no drift"
        gone = f"; every value missing: {', '.join(self.missing)}" if self.missing else ""
        if not self.judged:
            return f"not judged: no feature could be compared{gone}"
        of = f"{self.judged} feature{'' if self.judged == 1 else 's'}"
        if not self.drifted:
            return f"no drift in {of}{gone}"
        return f"drift in {len(self.drifted)} of {of}: {', '.join(self.drifted)}{gone}"


@dataclass(frozen=True)
class DriftReport:
    """Everything the drift pages show, computed from the summaries alone."""

    summaries: DriftSummaries
    threshold_method: str
    features: tuple[FeatureReport, ...]
    window_verdicts: tuple[WindowVerdict, ...]
    alerts: tuple[Alert, ...]  # one per drifted feature and window, grouped by window
    warnings: tuple[str, ...] = field(default=())
    ks_p_values: tuple[tuple[float, int, float], ...] = ()  # (D, n, p) of every window's KS
    false_alarm_rate: float = 0.01
    multiple_testing: str = "bonferroni"
    draws: int = 0
    results: dict[str, Judged] = field(default_factory=dict)  # by judged_key, to keep

    @property
    def dataset_drift(self) -> tuple[float | None, ...]:
        """Share of judged features that drifted, per window."""
        return tuple(v.share for v in self.window_verdicts)


def drift_report(
    summaries: DriftSummaries,
    settings: DriftSettings,
    known: KsPValues = NONE_KNOWN,
    kept: Kept = NOTHING_KEPT,
) -> DriftReport:
    """Statistics, thresholds and verdicts of every feature in every window.

    ``known``: KS p-values of an earlier build, by (D, n), reused (see compute.drift.stats); the
    report's ``ks_p_values`` are those of this build's windows, to keep for the next.
    ``kept``: an earlier build's results by :func:`judged_key`, reused (compute.drift.verdict);
    the report's ``results`` are this build's, to keep for the next.
    """
    reference = dict(summaries.reference)
    by_window = [dict(w.features) for w in summaries.windows]
    reasons = {b.name: reference_problem(b, reference[b.name]) for b in summaries.bins}
    judged = [
        sum(1 for b in summaries.bins
            if not reasons[b.name] and has_present(reference[b.name], found.get(b.name), w.rows))
        for w, found in zip(summaries.windows, by_window, strict=True)
    ]  # fmt: skip
    level = settings.false_alarm_rate
    calibrator = Calibrator(draws_for(level / max([1, *judged])))
    results: dict[str, Judged] = {}
    features = []
    for bins in summaries.bins:
        judge = Judge(bins, reference[bins.name], settings, calibrator)
        feature = feature_key(bins, reference[bins.name], settings, calibrator.draws)
        found = []
        for index, (window, counts) in enumerate(zip(summaries.windows, by_window, strict=True)):
            tests = judged[index] if settings.multiple_testing == "bonferroni" else 1
            at = level / max(1, tests)
            chosen = counts.get(bins.name) if window.rows else None
            key = judged_key(feature, chosen, window.rows, at)
            found.append(_judged(judge, chosen, reasons[bins.name], at, key,
                                 (known, kept, results)))  # fmt: skip
        features.append(FeatureReport(
            bins.name, bins.kind, judge.primary, tuple(r.thresholds for r in found),
            tuple(r.stats for r in found), tuple(r.verdict for r in found),
        ))  # fmt: skip
    window_verdicts, alerts = _window_verdicts(summaries, features, judged)
    return DriftReport(
        summaries, settings.threshold_method, tuple(features), window_verdicts, alerts,
        summaries.warnings, _ks_p_values(features), level, settings.multiple_testing,
        calibrator.draws if settings.threshold_method == "reference" else 0, results,
    )  # fmt: skip


def _judged(
    judge: Judge,
    counts: FeatureCounts | None,
    problem: str,
    level: float,
    key: str,
    caches: tuple[KsPValues, Kept, dict[str, Judged]],
) -> Judged:
    """One feature in one window: kept by an earlier build (or this one), else computed."""
    known, kept, results = caches
    found = results.get(key) or (decode(kept[key]) if key in kept else None)
    if found is None:
        numeric = judge.bins.kind == "numeric"
        stats = None if counts is None else feature_stats(judge.reference, counts, numeric, known)
        found = Judged(stats, *judge.window(stats, problem, level))
    results[key] = found
    return found


def _window_verdicts(
    summaries: DriftSummaries, features: list[FeatureReport], judged: list[int]
) -> tuple[tuple[WindowVerdict, ...], tuple[Alert, ...]]:
    verdicts, alerts = [], []
    for index, window in enumerate(summaries.windows):
        found = [
            Alert(window.key, f.name, f.primary, v.value, v.threshold, v.ratio)
            for f in features
            if (v := f.verdicts[index]).status == DRIFTED
            and v.value is not None and v.threshold is not None and v.ratio is not None
        ]  # fmt: skip
        found.sort(key=lambda a: (-a.ratio, a.feature))
        alerts += found
        missing = tuple(sorted(f.name for f in features if f.verdicts[index].note == ALL_MISSING))
        drifted = tuple(a.feature for a in found)
        verdicts.append(WindowVerdict(window.key, judged[index], drifted, missing))
    return tuple(verdicts), tuple(alerts)


def _ks_p_values(features: list[FeatureReport]) -> tuple[tuple[float, int, float], ...]:
    stats = [s for f in features for s in f.windows if s is not None]
    found = {
        (s.ks_d, s.ks_n, s.ks_p)
        for s in stats
        if s.ks_d is not None and s.ks_n is not None and s.ks_p is not None
    }
    return tuple(sorted(found))


def empty_counts(size: int) -> FeatureCounts:
    """Counts of nothing, for a feature a window has no row of."""
    return FeatureCounts((0,) * size)


def finite(value: float | None) -> float | None:
    """``value`` unless it is NaN or infinite (JSON has neither)."""
    return value if value is not None and math.isfinite(value) else None
