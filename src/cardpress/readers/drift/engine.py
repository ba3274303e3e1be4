"""Monitoring rows reduced to per-file, per-window summaries, written once as Ibis expressions.

One grouped aggregation for every feature's bins (file × window × feature × bin: count and sum),
one for the model versions and one for the labelled outcomes; the backend (DuckDB embedded, or
Spark) does the scanning, Python only assembles the small results. Windows: readers.drift.windows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.model_drift import (
    DELAY_BUCKETS,
    FeatureBins,
    FeatureCounts,
    Performance,
)
from cardpress.readers.drift.bins import bin_index, bin_value
from cardpress.readers.drift.engines import float_sum, query_rows
from cardpress.readers.drift.windows import WINDOW, day_number
from cardpress.readers.monitoring import SOURCE, TIME

CHUNK = "cardpress_chunk"
FEATURE, BIN, VALUE = "cardpress_feature", "cardpress_bin", "cardpress_value"
SHARED = "cardpress_binned"  # the view of every row's bins
# rows are summarised per file and window, so a file's summaries can be kept and reused
UNIT = [SOURCE, WINDOW]
REFERENCE_CHUNKS = 10
Counts = dict[str, FeatureCounts]


@dataclass(frozen=True)
class Outcome:
    """Which columns hold the outcome: prediction, label (and its time), score, positive label."""

    prediction: str | None
    label: str | None
    label_time: str | None
    score: str | None
    positive: str
    task: str = "binary"  # multiclass and regression: readers.drift.outcomes


def counts_by(
    table: ir.Table, group: str | list[str] | None, bins: list[FeatureBins]
) -> dict[Any, Counts]:
    """Binned counts (and sums) of every feature, per value of ``group`` (None: one group).

    A list of columns groups by all of them; the keys are then tuples of their values.

    Every row's bins are computed once, then the rows are turned long (one per row and
    feature: its bin and value) and grouped by (group, feature, bin): one count and one sum
    per group, where a wide query needs a conditional count and sum per bin of every feature
    (1.5 times slower on DuckDB). The shared projection is a named view, so on DuckDB it stays
    one common table expression instead of being inlined (and recomputed) into every branch of
    the union. Spark inlines it anyway: each branch reads the few columns it needs (caching the
    binned rows was no faster, and would hold every row in memory).
    """
    keys = [] if group is None else [group] if isinstance(group, str) else list(group)
    if not bins:
        return {}
    binned = table.select(
        *keys,
        **{f"b{i}": bin_index(table, f).cast("int64") for i, f in enumerate(bins)},
        **{f"v{i}": bin_value(table, f) for i, f in enumerate(bins) if f.kind == "numeric"},
    ).alias(SHARED)
    rows = _long_counts(binned, keys, bins)
    found: dict[Any, list[tuple[list[int], list[float]]]] = {}
    if group is None:
        found[None] = _zeros(bins)
    for row in rows:
        key = _key(row, group)
        vectors = found.get(key) or found.setdefault(key, _zeros(bins))
        numbers, sums = vectors[row[FEATURE]]
        numbers[row[BIN]] = int(row["n"])
        if row[BIN] < len(numbers) - 1:  # the missing bin sums nothing (its values may be NaN)
            sums[row[BIN]] = float(row["s"] or 0.0)
    return {key: _frozen(bins, vectors) for key, vectors in found.items()}


def _long_counts(shared: ir.Table, keys: list[str], bins: list[FeatureBins]) -> list[Any]:
    """Count and sum per (keys, feature, bin), the rows turned long: one per row and feature."""
    parts = [
        shared.select(*keys, **{FEATURE: ibis.literal(i, "int64"), BIN: shared[f"b{i}"],
                                VALUE: shared[f"v{i}"] if f.kind == "numeric"
                                else ibis.null("float64")})
        for i, f in enumerate(bins)
    ]  # fmt: skip
    long = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    query = long.group_by([*keys, FEATURE, BIN]).aggregate(
        n=long.count(), s=float_sum(long, long[VALUE])
    )
    rows: list[Any] = query_rows(query)
    return rows


def zero_counts(bins: list[FeatureBins]) -> Counts:
    """Counts of no rows at all, for every feature."""
    return _frozen(bins, _zeros(bins))


def _zeros(bins: list[FeatureBins]) -> list[tuple[list[int], list[float]]]:
    return [([0] * f.size, [0.0] * f.size) for f in bins]


def _frozen(bins: list[FeatureBins], vectors: list[tuple[list[int], list[float]]]) -> Counts:
    """Counting vectors as FeatureCounts (sums for numeric features only)."""
    return {f.name: FeatureCounts(tuple(n), tuple(s) if f.kind == "numeric" else ())
            for f, (n, s) in zip(bins, vectors, strict=True)}  # fmt: skip


def unit(row: dict[str, Any]) -> tuple[str, Any]:
    """The (file, window) a grouped result row is about."""
    return row[SOURCE], row[WINDOW]


def _key(row: dict[str, Any], group: str | list[str] | None) -> Any:
    if group is None:
        return None
    return row[group] if isinstance(group, str) else tuple(row[g] for g in group)


def reference_chunks(reference: ir.Table, bins: list[FeatureBins]) -> list[Counts]:
    """The reference in chunks, to measure how much it varies by itself.

    A reference taken from the monitoring rows is chunked by day (like the windows most
    compare with); a reference file is cut into ``REFERENCE_CHUNKS`` chunks by a hash of each
    row's feature values, so every chunk is a random-like sample of the whole (cutting it in
    sorted order would give chunks that differ by construction).
    """
    chunk = day_number(reference) if TIME in reference.columns else _row_hash(reference, bins)
    found = counts_by(reference.mutate(**{CHUNK: chunk}), CHUNK, bins)
    return [found[key] for key in sorted(found)]


def _row_hash(table: ir.Table, bins: list[FeatureBins]) -> Any:
    """A chunk number 0..9 from a row's own values, the same on every backend.

    Backends' hash functions differ, so the hash is arithmetic both compute alike: each
    feature's bin and, for a numeric one, its value scaled to the reference range in steps of
    10⁻⁶, mixed in by a multiplicative (Park–Miller) step modulo the prime 2³¹ − 1, with two
    more steps at the end so every feature reaches the last digit. The numbers are whole and
    below 2⁴⁸, so float64 holds them exactly (DuckDB narrows integer types by their range and
    would overflow). The chunk is independent of any one feature as long as the others vary
    (tested); equal rows share a chunk. (An earlier float sum's last digit followed one
    numeric feature closely.)
    """
    h: Any = ibis.literal(0.0)
    for feature in bins:
        code = (bin_index(table, feature) + 1).cast("float64")
        if feature.kind == "numeric":
            low, high = feature.edges[0], feature.edges[-1]
            scaled = ((bin_value(table, feature) - low) / (high - low)).clip(-1.0, 2.0)
            step = ((scaled + 1.0) * 1e6).floor().cast("float64").fill_null(0.0)
            code = code * 4_000_003.0 + step  # below 1,004 × 4,000,003 < 2³³
        h = (h * _MIX + code) % _PRIME  # below 2³¹ · 2¹⁶ + 2³³ < 2⁵³: exact
    for _ in range(2):
        h = (h * _MIX) % _PRIME
    return (h % REFERENCE_CHUNKS).cast("int64")


_PRIME = 2_147_483_647.0  # 2³¹ − 1
_MIX = 48_271.0  # Park and Miller's multiplier


def versions_by_window(table: ir.Table, version: str | None) -> dict[Any, list[tuple[str, int]]]:
    """Rows per model version per window."""
    if version is None:
        rows = query_rows(table.group_by(UNIT).aggregate(n=table.count()))
        return {unit(row): [("unknown", row["n"])] for row in rows}
    grouped = table.group_by([*UNIT, table[version].cast("string").name("v")])
    found: dict[Any, list[tuple[str, int]]] = defaultdict(list)
    for row in query_rows(grouped.aggregate(n=ibis._.count())):
        found[unit(row)].append((row["v"] if row["v"] is not None else "unknown", row["n"]))
    return {key: sorted(value) for key, value in found.items()}


def performance_by_window(
    table: ir.Table, outcome: Outcome, decimals: int
) -> dict[Any, Performance]:
    """Confusion counts, rounded-score counts and label delays of labelled rows, per window."""
    if outcome.label is None or outcome.prediction is None:
        return {}
    if outcome.task != "binary":  # a module of its own; imported here, as it imports this one
        from cardpress.readers.drift.outcomes import outcomes_by_window

        return outcomes_by_window(table, outcome)
    label = outcome_text(table[outcome.label])
    positive = outcome_text(ibis.literal(outcome.positive))
    truth = label == positive
    said = outcome_text(table[outcome.prediction]) == positive
    labelled = label.notnull()
    sums = {
        "rows": table.count(),
        "labelled": labelled.sum(),
        "tp": (labelled & truth & said).sum(),
        "fp": (labelled & ~truth & said).sum(),
        "tn": (labelled & ~truth & ~said).sum(),
        "fn": (labelled & truth & ~said).sum(),
    }
    sums |= delay_sums(table, outcome.label_time, labelled)
    rows = query_rows(table.group_by(UNIT).aggregate(**sums))
    scores = _score_counts(table, outcome, truth, labelled, decimals)
    return {unit(row): _performance(row, scores.get(unit(row), ())) for row in rows}


# 2⁵³: above it a float64 no longer holds every whole number, so such values keep their own text
EXACT = 9007199254740992


def outcome_text(column: Any) -> Any:
    """A label or prediction as text in which numbers compare as numbers.

    Labels often arrive as floats or as text (a late-label CSV, a column with a missing value)
    while predictions are integers: 1, 1.0, "1.0" and "1" are all "1", "0.50" and 0.5 the
    engine's text of 0.5; anything that is not a finite number (``"yes"``, ``">50K"``, true) is
    its own text. The same rule as the fairness report's class names (whole numbers without a
    decimal point), so a monitoring label matches the prediction it was meant to.
    """
    kind = column.type()
    if kind.is_integer() or not (kind.is_numeric() or kind.is_string()):
        return column.cast("string")
    number = column.try_cast("float64") if kind.is_string() else column.cast("float64")
    finite = number.notnull() & ~(number.isnan() | number.isinf()).fill_null(True)
    exact = finite & (number.abs() < EXACT)
    return ibis.cases(
        (exact & (number % 1 == 0), number.cast("int64").cast("string")),
        (exact, number.cast("string")),
        else_=column.cast("string"),
    )


def delay_sums(table: ir.Table, label_time: str | None, labelled: Any) -> dict[str, Any]:
    """Per window: summed label delay and the count per delay bucket (none without label times)."""
    delays = _delays(table, label_time, labelled)
    if delays is None:
        return {}
    seconds, bucket = delays
    sums = {"delay_sum": float_sum(table, seconds)}
    return sums | {f"d{i}": (bucket == i).sum() for i in range(len(DELAY_BUCKETS) + 1)}


def _delays(table: ir.Table, label_time: str | None, labelled: Any) -> tuple[Any, Any] | None:
    if label_time is None:
        return None
    arrived = table[label_time]
    arrived = arrived.try_cast("timestamp('UTC')") if arrived.type().is_string() else arrived
    # whole seconds on every backend (Spark's epoch has no fraction, DuckDB's has)
    seconds = (arrived.epoch_seconds().floor() - table[TIME].epoch_seconds().floor()).cast(
        "float64"
    )
    seconds = ibis.ifelse(labelled, seconds, ibis.null("float64"))
    bucket = ibis.cases(
        *((seconds <= bound, i) for i, bound in enumerate(DELAY_BUCKETS)),
        else_=len(DELAY_BUCKETS),
    )
    return seconds, ibis.ifelse(seconds.isnull(), -1, bucket)


def _score_counts(
    table: ir.Table, outcome: Outcome, truth: Any, labelled: Any, decimals: int
) -> dict[Any, tuple[tuple[float, int, int], ...]]:
    if outcome.score is None:
        return {}
    scored = table.filter(labelled & table[outcome.score].notnull()).mutate(
        s=_rounded(table[outcome.score].cast("float64"), decimals), y=truth
    )
    grouped = scored.group_by([*UNIT, "s"]).aggregate(
        pos=scored.y.cast("int64").sum(), n=scored.count()
    )
    found: dict[Any, list[tuple[float, int, int]]] = defaultdict(list)
    for row in query_rows(grouped):
        found[unit(row)].append((float(row["s"]), row["pos"], row["n"] - row["pos"]))
    return {key: tuple(sorted(value)) for key, value in found.items()}


def _rounded(value: Any, decimals: int) -> Any:
    """Half up by plain float arithmetic: backends' own ``round`` differ at the halfway points."""
    scale = 10.0**decimals
    return (value * scale + 0.5).floor() / scale


def _performance(row: dict[str, Any], scores: tuple[tuple[float, int, int], ...]) -> Performance:
    delays = tuple(int(row.get(f"d{i}") or 0) for i in range(len(DELAY_BUCKETS) + 1))
    return Performance(
        rows=int(row["rows"]),
        labelled=int(row["labelled"] or 0),
        tp=int(row["tp"] or 0),
        fp=int(row["fp"] or 0),
        tn=int(row["tn"] or 0),
        fn=int(row["fn"] or 0),
        score_counts=scores,
        delay_counts=delays if "d0" in row else (),
        delay_sum=float(row.get("delay_sum") or 0.0),
    )
