"""The verdict of one feature in one window, and its reuse from an earlier build.

A window's statistics, thresholds and verdict depend on nothing but the feature's bins, the
reference's counts, the window's counts, the verdict settings, the window's test level and the
build's number of calibration draws (the simulations are seeded by feature and size). Their
digest (:func:`judged_key`) names the result, so a rebuild that adds a day of monitoring rows
computes the new windows only and takes the others as the last build left them: the same
numbers, so the same pages, as computing them again.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from cardpress.compute.drift.calibration import (
    CATEGORICAL,
    NUMERIC,
    Calibrator,
    NullDistribution,
)
from cardpress.compute.drift.stats import Stats
from cardpress.model_drift import DriftSettings, FeatureBins, FeatureCounts

MIN_REFERENCE = 30  # present values the reference needs before a feature is judged
DRIFTED, STABLE, NOT_JUDGED = "drifted", "no drift", "not judged"
NO_ROWS, ALL_MISSING = "no rows in this window", "every value is missing in this window"
KEY_FORMAT = 1  # bump when what a key stands for changes meaning


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
class Judged:
    """Everything the report holds of one feature in one window."""

    stats: Stats | None  # None: the window has no rows of it
    verdict: Verdict
    thresholds: dict[str, float]


STATS_FIELDS = tuple(f.name for f in fields(Stats))
VERDICT_FIELDS = tuple(f.name for f in fields(Verdict))


def primary_of(kind: str, settings: DriftSettings) -> str:
    """The statistic that decides "drifted" for a feature of ``kind``."""
    return settings.primary_numeric if kind == "numeric" else settings.primary_categorical


def feature_key(
    bins: FeatureBins, reference: FeatureCounts, settings: DriftSettings, draws: int
) -> str:
    """The digest of what every window's result of one feature is computed from."""
    verdict_settings = (settings.threshold_method, settings.thresholds, settings.primary_numeric,
                        settings.primary_categorical)  # fmt: skip
    parts = [KEY_FORMAT, asdict(bins), asdict(reference), verdict_settings, draws]
    return _digest(json.dumps(parts, sort_keys=True, default=str))


def judged_key(feature: str, window: FeatureCounts | None, rows: int, level: float) -> str:
    """The digest of everything one window's :class:`Judged` is computed from (module doc).

    ``feature`` is :func:`feature_key`; the window's numbers by ``repr``, exact for floats.
    """
    counts = (window.counts, window.value_sums) if window is not None else None
    return _digest(repr((feature, counts, rows, level.hex())))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Judge:
    """Verdicts of one feature, window by window."""

    bins: FeatureBins
    reference: FeatureCounts
    settings: DriftSettings
    calibrator: Calibrator

    @property
    def primary(self) -> str:
        """The statistic that decides "drifted" for this feature."""
        return primary_of(self.bins.kind, self.settings)

    def window(
        self, stats: Stats | None, problem: str, level: float
    ) -> tuple[Verdict, dict[str, float]]:
        """The verdict and thresholds of one window's ``stats``, tested at ``level``."""
        if stats is None:
            return Verdict(NOT_JUDGED, note=NO_ROWS), {}
        if not present(stats):
            return Verdict(NOT_JUDGED, note=ALL_MISSING), {}
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
        return self.calibrator.null(self.bins.name, self.reference, numeric, present_count(stats))

    def _note(self, stats: Stats) -> str:
        notes = []
        if stats.outside_share:
            what = "outside the reference's range" if self.bins.kind == "numeric" else (
                "categories never seen in the reference")  # fmt: skip
            notes.append(f"{stats.outside_share:.1%} of values are {what}")
        reference_values = sum(self.reference.counts[:-1])
        if present_count(stats) > reference_values:
            notes.append(f"the reference ({reference_values} values) is smaller than the window: "
                         "its own noise widens the threshold")  # fmt: skip
        return "; ".join(notes)


def reference_problem(bins: FeatureBins, reference: FeatureCounts) -> str:
    """Why a feature cannot be judged against this reference at all ("" when it can)."""
    present_values = reference.counts[:-1]
    total = sum(present_values)
    if total < MIN_REFERENCE:
        return f"the reference has only {total} present values (at least {MIN_REFERENCE} needed)"
    if sum(1 for c in present_values if c) == 1:
        label = bins.labels()[next(i for i, c in enumerate(present_values) if c)]
        return f"every reference value is in one bin ({label}): nothing to compare"
    return ""


def present(stats: Stats | None) -> bool:
    """Whether the window has present values of the feature to compare (and the reference too)."""
    return stats is not None and stats.js is not None


def has_present(reference: FeatureCounts, window: FeatureCounts | None, rows: int) -> bool:
    """:func:`present` of the statistics these counts would give, without computing them."""
    if window is None or not rows:
        return False
    return sum(reference.counts[:-1]) > 0 and sum(window.counts[:-1]) > 0


def present_count(stats: Stats) -> int:
    """The window's present values of the feature (its rows less the missing ones)."""
    missing = stats.missing_share or 0.0
    return round(stats.rows * (1 - missing))


def encode(judged: Judged) -> dict[str, Any]:
    """A result as JSON, to keep for the next build.

    Field by field: ``asdict`` copies deeply, and a timeline of daily windows has thousands of
    results (their fields are numbers and strings, nothing to copy).
    """
    stats = _flat(judged.stats, STATS_FIELDS) if judged.stats is not None else None
    verdict = _flat(judged.verdict, VERDICT_FIELDS)
    return {"stats": stats, "verdict": verdict, "thresholds": judged.thresholds}


def _flat(value: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(value, name) for name in names}


def decode(found: Any) -> Judged | None:
    """A kept result back, or None when it is not one (a damaged cache only costs time).

    Numbers stay as JSON gives them back: an int stays an int, so a page shows it as before.
    """
    try:
        stats = None if found["stats"] is None else Stats(**_numbers(found["stats"], Stats))
        verdict = Verdict(**_numbers(found["verdict"], Verdict, text=("status", "note")))
        thresholds = _numbers(found["thresholds"])
    except (TypeError, KeyError, ValueError):
        return None
    if verdict.status not in (DRIFTED, STABLE, NOT_JUDGED):
        return None
    return Judged(stats, verdict, thresholds)


def _numbers(found: Any, kind: type | None = None, text: tuple[str, ...] = ()) -> dict[str, Any]:
    """``found`` checked: a dict of numbers (or None), strings at ``text``, ``kind``'s fields."""
    if not isinstance(found, dict) or (kind and set(found) != {f.name for f in fields(kind)}):
        raise ValueError("not a kept result")
    for name, value in found.items():
        wanted = str if name in text else (int, float, type(None))
        if not isinstance(name, str) or isinstance(value, bool) or not isinstance(value, wanted):
            raise ValueError(f"{name}: not a kept value")
    return found
