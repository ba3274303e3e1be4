"""Bin expressions written once in Ibis: edges frozen from the reference, a bin index per row.

The same expressions run on every backend Ibis supports; the bin layout is the one documented
in :mod:`cardpress.model_drift` (below range, interior bins, above range, missing; or the
reference categories, unseen, missing).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.model_drift import FeatureBins, Kind
from cardpress.readers.drift.engines import query_rows

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
    """Quantile edges (numeric) or sorted categories (categorical) of the reference.

    Quantiles interpolate linearly between order statistics (DuckDB's ``quantile_cont``, numpy's
    default) and ignore missing values; equal edges are merged. Exact quantiles hold a column's
    values in memory, so each numeric feature is its own query (all its quantiles at once):
    memory stays at one column of the reference, however many features there are.
    """
    categorical = [name for name, kind in kinds if kind == "categorical"]
    seen: dict[str, Any] = {}
    if categorical:
        query = reference.aggregate(
            **{f"c{j}": _text(reference[name]).collect(distinct=True)
               for j, name in enumerate(categorical)}
        )  # fmt: skip
        row = query_rows(query)[0]
        seen = {name: row[f"c{j}"] for j, name in enumerate(categorical)}
    found = []
    for name, kind in kinds:
        if kind == "categorical":
            categories = sorted(str(v) for v in seen[name] or [] if v is not None)
            found.append(FeatureBins(name, kind, categories=tuple(categories)))
            continue
        found.append(FeatureBins(name, kind, edges=tuple(_edges(reference, name, bins))))
    return found


def _edges(reference: ir.Table, name: str, bins: int) -> list[float]:
    """A numeric feature's frozen edges: its quantiles, or one bin per value when few.

    Quantile edges of a column with few distinct values merge, and the last bin is closed, so
    a 0/1 flag would be one bin [0, 1] and never judged, and {0, 1, 2} two. A reference with at
    most ``bins`` distinct values gets one bin per value instead: edges at the midpoints
    between them, its minimum and its maximum.
    """
    levels = [i / bins for i in range(bins + 1)]
    number = _number(reference[name])
    found = query_rows(reference.aggregate(q=number.quantile(levels), n=number.nunique()))[0]
    edges = sorted({float(v) for v in found["q"] or [] if v is not None})
    if 2 <= int(found["n"] or 0) <= bins and len(edges) < bins + 1:
        query = reference.aggregate(v=number.collect(distinct=True))
        values = sorted(float(v) for v in query_rows(query)[0]["v"] or [] if v is not None)
        middles = [(a + b) / 2 for a, b in pairwise(values)]
        return [values[0], *middles, values[-1]]
    if len(edges) == 1:  # a constant reference: one bin of width 1 around its value
        return [edges[0] - 0.5, edges[0] + 0.5]
    if not edges:
        return [0.0, 1.0]  # no present value at all: every window value is out of range
    return edges


def bin_index(table: ir.Table, bins: FeatureBins) -> Any:
    """The bin of every row of ``table`` for the feature ``bins`` describes.

    Written for speed on a column store: a category is found by its position in the list of
    reference categories (one lookup, not a comparison per category); a number goes through one
    comparison per edge, in order, and NaN, which every backend sorts above all numbers, is
    told apart from the overflow only at the end.
    """
    if bins.kind == "categorical":
        value = _text(table[bins.name])
        unseen, missing = len(bins.categories), len(bins.categories) + 1
        if not bins.categories:
            return ibis.ifelse(value.isnull(), missing, unseen)
        position = ibis.literal(list(bins.categories)).index(value)  # -1 when not there
        # -1 -> unseen by arithmetic, so the lookup is written (and run) once; null -> missing
        return ((position + missing) % missing).fill_null(missing)
    value = bin_value(table, bins)
    edges = bins.edges
    interior = len(edges) - 1
    below = [(value < edge, i) for i, edge in enumerate(edges[:-1])]
    return ibis.cases(
        *below,
        (value <= edges[-1], interior),
        (value.isnan(), interior + 2),
        (value.notnull(), interior + 1),
        else_=interior + 2,
    )


def bin_value(table: ir.Table, bins: FeatureBins) -> Any:
    """The column as float64, the number a numeric bin sums (NaN and null fall in "missing")."""
    column = table[bins.name]
    if column.type().is_float64():
        return column
    return column.cast("float64")


def _number(column: Any) -> Any:
    """As float64, with NaN as missing."""
    value = column.cast("float64")
    return ibis.ifelse(value.isnan().fill_null(False), ibis.null("float64"), value)


def _text(column: Any) -> Any:
    return column.cast("string")
