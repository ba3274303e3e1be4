"""One-vs-rest AUC with its DeLong interval, every class × every group, without an index sort.

The numbers are :func:`cardpress.compute.rates.auc_by_group`'s, to the last bit (a test checks
it); only the way there is faster, which the multiclass report needs with one AUC per class:

- the rows are partitioned by group once per grouping (a radix sort of 16-bit codes: linear);
- per class, a non-negative float64's bits, read as an unsigned integer, order as the number
  does and take at most 63 bits, so shifted left by one they leave the lowest bit free for "is
  this class". Sorting each group's integer keys in place (no row indices carried along) is
  several times faster than ``argsort``; ties stay exact (−0.0 loses its sign bit in the shift,
  so it ties with 0.0), and a positive and a negative with the same score fall in one tie run;
- DeLong's placement values are taken over the tie runs that hold positives (V10) and those that
  hold negatives (V01) separately, from integer counts: exact, and half the passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.rates import Z95

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Partition:
    """Rows grouped by group code (stable), shared by every class of one grouping."""

    groups: int
    order: NDArray[np.integer]  # row indices, group by group
    code: NDArray[np.integer]  # each of those rows' group
    truth: NDArray[np.integer]  # and its true class
    first: NDArray[np.int64]  # each group's first position in ``order`` (groups,)
    last: NDArray[np.int64]  # one past its last


def partition(codes: NDArray[np.integer], groups: int, truth: NDArray[np.integer]) -> Partition:
    """The rows of each group together, in code order."""
    small = codes.astype(np.int16 if groups <= 32767 else np.int32)
    order = np.argsort(small, kind="stable").astype(np.int32)  # radix sort on 16 bits: linear
    counts = np.bincount(small, minlength=groups)
    last = np.cumsum(counts)
    code: NDArray[np.integer] = small[order]  # type: ignore[assignment]
    return Partition(groups, order, code, truth[order], last - counts, last)


def sortable(score: FloatArray) -> bool:
    """The scores can be sorted as integer keys: none negative and none NaN."""
    return bool((score >= 0).all())  # NaN fails the comparison


def class_auc(
    parts: Partition, index: int, score: FloatArray, z: float = Z95
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """AUC of class ``index`` against the rest in every group, with its DeLong interval.

    ``score`` must be :func:`sortable`. NaN where a group lacks positives or negatives (the
    interval also where it has fewer than two of either).
    """
    key = score[parts.order].view(np.uint64)
    key <<= np.uint64(1)
    key |= parts.truth == index
    for start, end in zip(parts.first.tolist(), parts.last.tolist(), strict=True):
        if end - start > 1:
            key[start:end].sort()
    # Memory matters at 10M rows: 32-bit positions, and every row-length array freed once used
    rows = len(parts.order)
    low = key.view(np.uint8)[::8] if np.little_endian else key.view(np.uint8)[7::8]
    positives_before = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(low & 1, dtype=np.int32, out=positives_before[1:])
    key >>= np.uint64(1)  # the score's bits again: a new run where they change
    change = key[1:] != key[:-1]
    del key, low
    inner = parts.first[(parts.first > 0) & (parts.first < rows)]
    change[inner - 1] = True  # and where a group begins
    found = np.flatnonzero(change)
    del change
    bounds = np.empty(len(found) + 2, dtype=np.int32)
    bounds[0], bounds[-1] = 0, rows
    np.add(found, 1, out=bounds[1:-1], casting="unsafe")
    del found
    return _delong(parts, bounds, positives_before, z)


def _delong(
    parts: Partition, bounds: NDArray[np.int32], positives_before: NDArray[np.int32], z: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """AUC and DeLong interval from the tie runs ``bounds`` and the running count of positives.

    The same operations as :func:`cardpress.compute.rates.auc_from_runs`, over the runs that
    hold positives (for V10) and those that hold negatives (for V01); runs that hold none add 0.
    """
    starts = bounds[:-1]
    run_pos = np.diff(positives_before[bounds])
    run_neg = np.diff(bounds)
    run_neg -= run_pos
    group_pos = positives_before[parts.first].astype(np.int64)  # positives before each group
    m = (positives_before[parts.last] - group_pos).astype(np.float64)
    n = (parts.last - parts.first).astype(np.float64) - m
    with np.errstate(invalid="ignore", divide="ignore"):
        # a positive's V10: share of its group's negatives below it, plus half of those tied
        held = np.flatnonzero(run_pos)
        code = parts.code[starts[held]]
        at = starts[held]
        below = (at - positives_before[at]) - (parts.first - group_pos)[code]
        weight = run_pos[held]
        v10 = (below + run_neg[held] / 2) / n[code]
        auc = np.bincount(code, weights=weight * v10, minlength=parts.groups) / m
        s10 = _variance(code, weight, v10, auc, m)
        # a negative's V01: share of its group's positives above it, plus half of those tied
        held = np.flatnonzero(run_neg)
        code = parts.code[starts[held]]
        at = starts[held]
        weight = run_neg[held]
        v01 = 1 - ((positives_before[at] - group_pos[code]) + run_pos[held] / 2) / m[code]
        v01_mean = np.bincount(code, weights=weight * v01, minlength=parts.groups) / n
        s01 = _variance(code, weight, v01, v01_mean, n)
        half = z * np.sqrt(s10 * m / (m * m) + s01 * n / (n * n))
    auc = np.where((m > 0) & (n > 0), auc, np.nan)
    interval = (m >= 2) & (n >= 2)
    lower = np.where(interval, np.maximum(0.0, auc - half), np.nan)
    upper = np.where(interval, np.minimum(1.0, auc + half), np.nan)
    return auc, lower, upper


def _variance(
    code: NDArray[np.integer],
    weight: NDArray[np.integer],
    values: FloatArray,
    means: FloatArray,
    totals: FloatArray,
) -> FloatArray:
    """Sample variance (ddof=1) of values given per run with a row count, by group."""
    squares = values - means[code]
    squares **= 2
    squares *= weight
    sums: FloatArray = np.bincount(code, weights=squares, minlength=len(totals))  # type: ignore[assignment]
    return sums / (totals - totals / totals)
