"""float_sum: the engine's float sums do not depend on how the rows are grouped or ordered.

A plain SUM rounds at each addition: one file scanned alone (a rebuild after a new day) and the
same file scanned with hundreds of others (a clean build) summed one unit in the last place
apart, so an incremental site differed from a clean one. The compensated sum is checked against
``math.fsum`` (the correctly rounded sum of the exact values), row order and grouping shuffled.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cardpress.readers.drift.engines import connect, float_sum, query_rows


def _values(seed: int) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    n = 200_000
    # magnitudes from 1e-3 to 1e6 and both signs: plain sums lose the small ones differently
    values = rng.normal(size=n) * 10.0 ** rng.integers(-3, 7, n)
    return rng.integers(0, 7, n), values


def _table(folder: Path, name: str, groups: Any, values: Any) -> Any:
    path = folder / f"{name}.parquet"
    pq.write_table(pa.table({"g": groups, "v": values}), path)
    return connect("duckdb", "").read_parquet(path)


def test_the_sum_of_each_group_is_the_correctly_rounded_one_in_any_order(tmp_path: Path) -> None:
    groups, values = _values(3)
    expected = {g: math.fsum(values[groups == g]) for g in range(7)}
    plain_differs = False
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(len(values))
        table = _table(tmp_path, str(seed), groups[order], values[order])
        query = table.group_by("g").aggregate(s=float_sum(table, table.v), plain=table.v.sum())
        found = {row["g"]: row for row in query_rows(query)}
        assert {g: found[g]["s"] for g in expected} == expected
        plain_differs |= any(found[g]["plain"] != expected[g] for g in expected)
    assert plain_differs  # the data is one where the order matters for a plain sum


def test_a_group_alone_sums_as_within_many(tmp_path: Path) -> None:
    groups, values = _values(5)
    table = _table(tmp_path, "rows", groups, values)
    together = {r["g"]: r["s"] for r in query_rows(
        table.group_by("g").aggregate(s=float_sum(table, table.v)))}  # fmt: skip
    for g in range(7):
        alone = table.filter(table.g == g)
        (row,) = query_rows(alone.aggregate(s=float_sum(alone, alone.v)))
        assert row["s"] == together[g]
