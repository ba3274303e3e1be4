"""Bin expressions written once in Ibis: edges frozen from the reference, a bin index per row.

The same expressions run on every backend Ibis supports; the bin layout is the one documented
in :mod:`cardpress.model_drift` (below range, interior bins, above range, missing; or the
reference categories, unseen, missing).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.model_drift import FeatureBins, Kind

MAX_CATEGORIES = 1000


def feature_kinds(
    table: ir.Table, features: list[str], numeric: tuple[str, ...], categorical: tuple[str, ...]
) -> list[tuple[str, Kind]]:
    """Numeric vs categorical from the column types, overridden by the settings' lists."""
    schema = table.schema()
    kinds: list[tuple[str, Kind]] = []
    for name in features:
        kind = schema[name]
        is_number = kind.is_numeric() and not kind.is_boolean()
        if name in numeric or (is_number and name not in categorical):
            kinds.append((name, "numeric"))
        else:
            kinds.append((name, "categorical"))
    return kinds


def frozen_bins(reference: ir.Table, kinds: list[tuple[str, Kind]], bins: int) -> list[FeatureBins]:
    """Quantile edges (numeric) or sorted categories (categorical) of the reference, in one scan.

    Quantiles interpolate linearly between order statistics (DuckDB's ``quantile_cont``, numpy's
    default) and ignore missing values; equal edges are merged.
    """
    metrics: dict[str, Any] = {}
    for j, (name, kind) in enumerate(kinds):
        if kind == "categorical":
            metrics[f"c{j}"] = _text(reference[name]).collect(distinct=True)
        else:
            for i in range(bins + 1):
                metrics[f"q{j}_{i}"] = _number(reference[name]).quantile(i / bins)
    row = reference.aggregate(**metrics).to_pyarrow().to_pylist()[0] if metrics else {}
    found = []
    for j, (name, kind) in enumerate(kinds):
        if kind == "categorical":
            categories = sorted(str(v) for v in row[f"c{j}"] or [] if v is not None)
            found.append(FeatureBins(name, kind, categories=tuple(categories)))
            continue
        values = [row[f"q{j}_{i}"] for i in range(bins + 1)]
        edges = sorted({float(v) for v in values if v is not None})
        if len(edges) == 1:  # a constant reference: one bin of width 1 around its value
            edges = [edges[0] - 0.5, edges[0] + 0.5]
        if not edges:
            edges = [0.0, 1.0]  # no present value at all: every window value is out of range
        found.append(FeatureBins(name, kind, edges=tuple(edges)))
    return found


def bin_index(table: ir.Table, bins: FeatureBins) -> Any:
    """The bin of every row of ``table`` for the feature ``bins`` describes."""
    if bins.kind == "categorical":
        value = _text(table[bins.name])
        unseen, missing = len(bins.categories), len(bins.categories) + 1
        if not bins.categories:
            return ibis.ifelse(value.isnull(), missing, unseen)
        known = ibis.cases(*((value == c, i) for i, c in enumerate(bins.categories)), else_=unseen)
        return ibis.ifelse(value.isnull(), missing, known)
    value = _number(table[bins.name])
    interior = len(bins.edges) - 1
    bucket = value.bucket(
        list(bins.edges), closed="left", close_extreme=True, include_under=True, include_over=True
    )
    return bucket.fill_null(interior + 2)


def bin_value(table: ir.Table, bins: FeatureBins) -> Any:
    """The number a numeric bin sums (0 for missing values), so bin centroids are exact."""
    return _number(table[bins.name]).fill_null(0.0)


def _number(column: Any) -> Any:
    """As float64, with NaN as missing."""
    value = column.cast("float64")
    return ibis.ifelse(value.isnan().fill_null(False), ibis.null("float64"), value)


def _text(column: Any) -> Any:
    return column.cast("string")
