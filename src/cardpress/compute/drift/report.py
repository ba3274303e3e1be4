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
from dataclasses import dataclass, field

from cardpress.compute.drift.calibration import (
    CATEGORICAL,
    NUMERIC,
    Calibrator,
    NullDistribution,
    draws_for,
)
from cardpress.compute.drift.stats import NONE_KNOWN, KsPValues, Stats, feature_stats
from cardpress.model_drift import DriftSettings, DriftSummaries, FeatureBins, FeatureCounts

DISTANCES = NUMERIC
MIN_REFERENCE = 30  # present values the reference needs before a feature is judged
DRIFTED, STABLE, NOT_JUDGED = "drifted", "no drift", "not judged"


@dataclass(frozen=True)
class Verdict:
    """One feature in one window: drifted or not on its primary statistic, or why not judged."""

    status: str  # DRIFTED, STABLE or NOT_JUDGED
    value: float | None = None
    threshold: float | None = None
    tail: float | None = None  # calibrated probability of a value this high with no drift
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Distance ÷ threshold: above 1 is drift; the heat map's colour."""
        if self.value is None or self.threshold is None:
            return None
        if self.threshold <= 0:
            return math.inf if self.value > 0 else 0.0
        return self.value / self.threshold


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

    @property
    def share(self) -> float | None:
        """Share of judged features that drifted (None: nothing judged)."""
        return len(self.drifted) / self.judged if self.judged else None

    @property
    def text(self) -> str:
        """The verdict in words ("drift in 2 of 14 features: workclass, age"), or why none."""
        if not self.judged:
            return "not judged: no feature could be compared"
        of = f"{self.judged} feature{'' if self.judged == 1 else 's'}"
        if not self.drifted:
            return f"no drift in {of}"
        return f"drift in {len(self.drifted)} of {of}: {', '.join(self.drifted)}"


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

    @property
    def dataset_drift(self) -> tuple[float | None, ...]:
        """Share of judged features that drifted, per window."""
        return tuple(v.share for v in self.window_verdicts)


def primary_of(kind: str, settings: DriftSettings) -> str:
    """The statistic that decides "drifted" for a feature of ``kind``."""
    return settings.primary_numeric if kind == "numeric" else settings.primary_categorical


def drift_report(
    summaries: DriftSummaries, settings: DriftSettings, known: KsPValues = NONE_KNOWN
) -> DriftReport:
    """Statistics, thresholds and verdicts of every feature in every window.

    ``known``: KS p-values of an earlier build, by (D, n), reused (see compute.drift.stats); the
    report's ``ks_p_values`` are those of this build's windows, to keep for the next.
    """
    reference = dict(summaries.reference)
    by_window = [dict(w.features) for w in summaries.windows]
    stats = {
        bins.name: [
            feature_stats(reference[bins.name], counts, bins.kind == "numeric", known)
            if (counts := found.get(bins.name)) is not None and w.rows
            else None
            for w, found in zip(summaries.windows, by_window, strict=True)
        ]
        for bins in summaries.bins
    }
    reasons = {b.name: _reference_problem(b, reference[b.name]) for b in summaries.bins}
    judged = [
        sum(1 for b in summaries.bins if not reasons[b.name] and _present(stats[b.name][i]))
        for i in range(len(summaries.windows))
    ]
    level = settings.false_alarm_rate
    calibrator = Calibrator(draws_for(level / max([1, *judged])))
    features = []
    for bins in summaries.bins:
        judge = _Judge(bins, reference[bins.name], settings, calibrator)
        verdicts, thresholds = [], []
        for index, found in enumerate(stats[bins.name]):
            tests = judged[index] if settings.multiple_testing == "bonferroni" else 1
            verdict, limits = judge.window(found, reasons[bins.name], level / max(1, tests))
            verdicts.append(verdict)
            thresholds.append(limits)
        features.append(FeatureReport(bins.name, bins.kind, judge.primary, tuple(thresholds),
                                      tuple(stats[bins.name]), tuple(verdicts)))  # fmt: skip
    window_verdicts, alerts = _window_verdicts(summaries, features, judged)
    return DriftReport(
        summaries, settings.threshold_method, tuple(features), window_verdicts, alerts,
        summaries.warnings, _ks_p_values(features), level, settings.multiple_testing,
        calibrator.draws if settings.threshold_method == "reference" else 0,
    )  # fmt: skip


@dataclass
class _Judge:
    """Verdicts of one feature, window by window."""

    bins: FeatureBins
    reference: FeatureCounts
    settings: DriftSettings
    calibrator: Calibrator

    @property
    def primary(self) -> str:
        return primary_of(self.bins.kind, self.settings)

    def window(
        self, stats: Stats | None, problem: str, level: float
    ) -> tuple[Verdict, dict[str, float]]:
        if stats is None:
            return Verdict(NOT_JUDGED, note="no rows in this window"), {}
        if not _present(stats):
            return Verdict(NOT_JUDGED, note="every value is missing in this window"), {}
        if problem:
            return Verdict(NOT_JUDGED, note=problem), {}
        thresholds = self._thresholds(stats, level)
        value = getattr(stats, self.primary)
        limit = thresholds.get(self.primary)
        if value is None or limit is None:
            return Verdict(NOT_JUDGED, note=f"{self.primary} is undefined here"), thresholds
        tail = None
        if self.settings.threshold_method == "reference":
            # strictly above the quantile: a constant null (threshold 0) never flags a 0
            drifted = value > limit
            tail = self._null(stats).tail(self.primary, value)
        else:
            drifted = value >= limit
        status = DRIFTED if drifted else STABLE
        return Verdict(status, value, limit, tail, self._note(stats)), thresholds

    def _thresholds(self, stats: Stats, level: float) -> dict[str, float]:
        if self.settings.threshold_method != "reference":
            return dict(self.settings.thresholds)
        null = self._null(stats)
        names = NUMERIC if self.bins.kind == "numeric" else CATEGORICAL
        return {name: null.quantile(name, level) for name in names}

    def _null(self, stats: Stats) -> NullDistribution:
        numeric = self.bins.kind == "numeric"
        return self.calibrator.null(self.bins.name, self.reference, numeric, _present_count(stats))

    def _note(self, stats: Stats) -> str:
        notes = []
        if stats.outside_share:
            what = "outside the reference's range" if self.bins.kind == "numeric" else (
                "categories never seen in the reference")  # fmt: skip
            notes.append(f"{stats.outside_share:.1%} of values are {what}")
        reference_values = sum(self.reference.counts[:-1])
        if _present_count(stats) > reference_values:
            notes.append(f"the reference ({reference_values} values) is smaller than the window: "
                         "its own noise widens the threshold")  # fmt: skip
        return "; ".join(notes)


def _reference_problem(bins: FeatureBins, reference: FeatureCounts) -> str:
    """Why a feature cannot be judged against this reference at all ("" when it can)."""
    present = reference.counts[:-1]
    total = sum(present)
    if total < MIN_REFERENCE:
        return f"the reference has only {total} present values (at least {MIN_REFERENCE} needed)"
    if sum(1 for c in present if c) == 1:
        label = bins.labels()[next(i for i, c in enumerate(present) if c)]
        return f"every reference value is in one bin ({label}): nothing to compare"
    return ""


def _present(stats: Stats | None) -> bool:
    return stats is not None and stats.js is not None


def _present_count(stats: Stats) -> int:
    missing = stats.missing_share or 0.0
    return round(stats.rows * (1 - missing))


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
        verdicts.append(WindowVerdict(window.key, judged[index], tuple(a.feature for a in found)))
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
