"""Typed drift objects: the contract between the drift engine and the drift statistics.

The pipeline for drift pages is::

    readers.monitoring (files -> Ibis table, checked)      -- touches files
    engine (Ibis on DuckDB or Spark -> DriftSummaries)     -- aggregation, once per window
    compute.drift.* (DriftSummaries -> statistics, alerts)  -- pure numpy/scipy on small arrays
    render.drift.* (statistics -> pages, charts, .json)     -- strings

Rows are never carried past the engine: everything after it works on the per-window counts here.
Counts of two disjoint row sets add up bin for bin (``merge``), so a week is the sum of its days,
a cluster's partial results combine exactly, and yesterday's summaries are reused by today's build.

Bin layout (fixed, so every window is comparable with the reference):

* numeric feature with frozen edges ``e0 < e1 < ... < ek`` (quantiles of the reference, ``e0`` its
  minimum and ``ek`` its maximum): index 0 counts values ``< e0`` (below the reference range),
  index ``i`` for ``1 <= i <= k`` counts values in ``[e(i-1), e(i))`` -- the last interior bin is
  closed, ``[e(k-1), ek]`` -- index ``k+1`` counts values ``> ek`` (above the range) and index
  ``k+2`` counts missing values (null or NaN). Length ``k + 3``.
* categorical feature with reference categories ``c0 ... c(m-1)`` (sorted as strings): index ``j``
  counts ``cj``, index ``m`` counts values never seen in the reference ("unseen") and index
  ``m+1`` counts missing values. Length ``m + 2``. Values are compared as strings.

``value_sums`` (numeric only) holds the sum of the values falling in each bin (0 for the missing
bin), so bin centroids -- and from them Wasserstein and the mean -- are exact, and mergeable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["numeric", "categorical"]
Engine = Literal["duckdb", "spark"]
WindowSpec = Literal["daily", "weekly", "monthly", "rows"]


@dataclass(frozen=True)
class FeatureBins:
    """How one column is binned: frozen from the reference, shared by every window."""

    name: str
    kind: Kind
    edges: tuple[float, ...] = ()  # numeric: e0 .. ek, strictly increasing (k >= 1)
    categories: tuple[str, ...] = ()  # categorical: reference categories, sorted

    @property
    def size(self) -> int:
        """Length of every count vector for this feature (see the module docstring)."""
        if self.kind == "numeric":
            return len(self.edges) - 1 + 3
        return len(self.categories) + 2

    def labels(self) -> tuple[str, ...]:
        """One human label per bin, in count order (for tables and charts)."""
        if self.kind == "categorical":
            return (*self.categories, "(unseen)", "(missing)")
        interior = tuple(
            f"[{lo:g}, {hi:g}{']' if i == len(self.edges) - 2 else ')'}"
            for i, (lo, hi) in enumerate(zip(self.edges, self.edges[1:], strict=False))
        )
        return (f"< {self.edges[0]:g}", *interior, f"> {self.edges[-1]:g}", "(missing)")


@dataclass(frozen=True)
class FeatureCounts:
    """One feature's binned counts over one row set (a window, or the reference)."""

    counts: tuple[int, ...]
    value_sums: tuple[float, ...] = ()  # numeric only, same length as counts

    @property
    def total(self) -> int:
        """Rows in the row set (missing values included)."""
        return sum(self.counts)


@dataclass(frozen=True)
class Performance:
    """Labelled-outcome counts over one row set, for the model's task.

    Binary (positive label known): the confusion counts ``tp``..``fn`` and ``score_counts``.
    Regression: sums over labelled rows of the error e = prediction − label: Σ|e|, Σe, Σe² and
    Σe⁴ (the last for the interval of the mean squared error). Multiclass: ``confusion``, the
    labelled rows per (label, prediction) pair, sorted.

    ``score_counts`` maps a score rounded to ``score_decimals`` decimals to (positives,
    negatives) among labelled rows; AUC is exact on the rounded scores (ties count one half).
    ``delay_seconds`` are the label delays bucketed by the upper bounds in ``DELAY_BUCKETS``
    (last bucket: longer than the last bound); ``delay_sum`` is their exact sum in seconds.
    """

    rows: int  # predictions in the row set
    labelled: int  # of which have a label
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    score_counts: tuple[tuple[float, int, int], ...] = ()  # (score, positives, negatives), sorted
    delay_counts: tuple[int, ...] = ()  # len(DELAY_BUCKETS) + 1
    delay_sum: float = 0.0
    task: str = "binary"
    abs_sum: float = 0.0  # regression: Σ|e|
    error_sum: float = 0.0  # Σe
    square_sum: float = 0.0  # Σe²
    fourth_sum: float = 0.0  # Σe⁴
    confusion: tuple[tuple[str, str, int], ...] = ()  # multiclass: (label, prediction, rows)
    unreadable: int = 0  # regression: rows with a label, but it or the prediction not a number


# Label-delay bucket upper bounds in seconds: 1 hour, 1 day, 7 days, 30 days (then longer).
DELAY_BUCKETS: tuple[int, ...] = (3600, 86400, 7 * 86400, 30 * 86400)


@dataclass(frozen=True)
class WindowSummary:
    """Everything the statistics need about one window; mergeable with a disjoint one."""

    key: str  # stable id: "2026-03-01" (daily), "2026-W09" (weekly), "2026-03" (monthly), "rows-3"
    start: str  # ISO 8601 UTC, inclusive: first instant of the window (rows: first timestamp)
    end: str  # ISO 8601 UTC, exclusive (rows: last timestamp, inclusive)
    rows: int
    versions: tuple[tuple[str, int], ...]  # (model version, rows), sorted by version
    features: tuple[tuple[str, FeatureCounts], ...]  # (feature or "prediction", counts), sorted
    performance: Performance | None = None  # None when no label column exists at all


@dataclass(frozen=True)
class DriftSummaries:
    """The engine's whole output for one model: bins, the reference and every window."""

    model: str
    engine: Engine
    window: WindowSpec
    window_rows: int | None  # for window == "rows"
    reference_name: str  # e.g. "training data adult-train (data/train.csv)" or "window 2026-01"
    bins: tuple[FeatureBins, ...]  # sorted by name; "prediction" included when present
    reference: tuple[tuple[str, FeatureCounts], ...]  # sorted by name, same names as bins
    # Reference split into chunks (by day, or 10 chunks by a hash of each row's values). No
    # longer used for thresholds (compute.drift.calibration simulates samples of each window's
    # size from the reference's bins instead); kept in the summaries and their cache format.
    reference_chunks: tuple[tuple[tuple[str, FeatureCounts], ...], ...]
    windows: tuple[WindowSummary, ...]  # in time order
    sources: tuple[str, ...]  # monitoring files read, relative to the records folder, sorted
    warnings: tuple[str, ...] = field(default=())  # shown on the page and printed by the build
    task: str = "binary"  # binary, multiclass or regression: what performance over time measures


def merge_counts(a: FeatureCounts, b: FeatureCounts) -> FeatureCounts:
    """The counts of two disjoint row sets, bin for bin."""
    if len(a.counts) != len(b.counts):
        raise ValueError("count vectors of different bin layouts cannot be merged")
    sums = (
        tuple(x + y for x, y in zip(a.value_sums, b.value_sums, strict=True))
        if a.value_sums and b.value_sums
        else ()
    )
    return FeatureCounts(tuple(x + y for x, y in zip(a.counts, b.counts, strict=True)), sums)


def merge_performance(a: Performance, b: Performance) -> Performance:
    """The labelled outcomes of two disjoint row sets."""
    scores: dict[float, list[int]] = {}
    for score, positives, negatives in (*a.score_counts, *b.score_counts):
        pair = scores.setdefault(score, [0, 0])
        pair[0] += positives
        pair[1] += negatives
    delays = (
        tuple(x + y for x, y in zip(a.delay_counts, b.delay_counts, strict=True))
        if a.delay_counts and b.delay_counts
        else a.delay_counts or b.delay_counts
    )
    pairs: dict[tuple[str, str], int] = {}
    for label, predicted, rows in (*a.confusion, *b.confusion):
        pairs[(label, predicted)] = pairs.get((label, predicted), 0) + rows
    return Performance(
        rows=a.rows + b.rows, labelled=a.labelled + b.labelled,
        tp=a.tp + b.tp, fp=a.fp + b.fp, tn=a.tn + b.tn, fn=a.fn + b.fn,
        score_counts=tuple((s, p, n) for s, (p, n) in sorted(scores.items())),
        delay_counts=delays, delay_sum=a.delay_sum + b.delay_sum, task=a.task,
        abs_sum=a.abs_sum + b.abs_sum, error_sum=a.error_sum + b.error_sum,
        square_sum=a.square_sum + b.square_sum, fourth_sum=a.fourth_sum + b.fourth_sum,
        confusion=tuple((y, p, n) for (y, p), n in sorted(pairs.items())),
        unreadable=a.unreadable + b.unreadable,
    )  # fmt: skip


# Fixed alert thresholds (used when threshold_method = "fixed").
# Distances alert at or above the value; p-values alert below it.
DEFAULT_THRESHOLDS: tuple[tuple[str, float], ...] = (
    ("chi2_p", 0.05),
    ("hellinger", 0.1),
    ("js", 0.1),
    ("ks_d", 0.1),
    ("ks_p", 0.05),
    ("psi", 0.2),
    ("wasserstein", 0.1),
)


@dataclass(frozen=True)
class DriftSettings:
    """``[drift]`` in cardpress.toml, merged with ``[drift.models.<model>]`` for one model.

    ``data`` is the monitoring file or folder, relative to the records folder (default
    ``monitoring/<model>``; a ``labels`` sub-folder there holds late labels keyed by ``id``).
    ``reference`` is a data set role of the run record (``"train"``, ``"evaluation"``, ...: the data
    set of that role in the run
    record of the newest version seen in the monitoring rows) or a time range
    ``"2026-01-01/2026-01-31"`` of the monitoring rows themselves.
    """

    data: str | None = None
    window: WindowSpec = "daily"
    window_rows: int = 10_000
    bins: int = 10
    reference: str = "train"
    engine: Engine = "duckdb"
    timestamp: str = "timestamp"
    version: str = "model_version"
    prediction: str = "prediction"
    score: str = "score"
    label: str = "label"
    label_timestamp: str = "label_timestamp"
    id: str = "prediction_id"
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    score_decimals: int = 4
    threshold_method: Literal["fixed", "reference"] = "reference"
    thresholds: tuple[tuple[str, float], ...] = DEFAULT_THRESHOLDS
    false_alarm_rate: float = 0.01  # calibrated thresholds: P(flag) for a window with no drift
    multiple_testing: Literal["bonferroni", "none"] = "bonferroni"
    primary_numeric: str = "ks_d"  # the statistic that decides "drifted" (see compute.drift.report)
    primary_categorical: str = "js"
    spark_master: str = "local[2]"
    cache: str | None = None  # folder for kept summaries, relative to the records (default: temp)
