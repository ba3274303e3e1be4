"""Per-group confusion counts and rates for a binary classifier's evaluation predictions.

One pass per grouping: group codes are combined with the label and the prediction into one
integer and counted with ``numpy.bincount``; no per-group loop touches the rows except for AUC.
A metric that a group cannot have (no actual positives for recall, one class for AUC) is NaN
with a reason, never 0.

With sample weights every count is a sum of weights (fairlearn's ``sample_weight``): a rate is
Σw over its numerator ÷ Σw over its denominator, and its Wilson interval uses the effective
number of rows in the denominator, (Σw)²/Σw² (Kish), which is the row count when every weight
is 1. A group is *small* when its effective size is below ``min_group_size``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.limits import below
from cardpress.compute.rates import auc_by_group, wilson_interval

if TYPE_CHECKING:  # pandas loads with the predictions: a build that reads none never needs it
    import pandas as pd

# A missing (null/NaN) sensitive value is the value None, shown as MISSING; a real value that
# reads "(missing)" is shown in quotes, so the two never share a group or a label.
MISSING = "(missing)"
# metric -> (numerator, denominator) over the confusion counts, and why the denominator can be 0
# a group has rows (empty intersections are left out), so n is 0 only when every weight is 0
RATES: dict[str, tuple[str, str, str]] = {
    "base_rate": ("tp+fn", "n", "every row of this group has weight 0"),
    "selection_rate": ("tp+fp", "n", "every row of this group has weight 0"),
    "accuracy": ("tp+tn", "n", "every row of this group has weight 0"),
    "precision": ("tp", "tp+fp", "no predicted positives in this group"),
    "recall": ("tp", "tp+fn", "no actual positives in this group"),
    "fpr": ("fp", "fp+tn", "no actual negatives in this group"),
    "fnr": ("fn", "tp+fn", "no actual positives in this group"),
}


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson 95% interval, or why it is undefined.

    ``successes`` and ``trials`` are row counts, or sums of weights with sample weights;
    ``effective_trials`` is the denominator's effective size, (Σw)²/Σw² (= ``trials`` unweighted).
    """

    value: float
    lower: float
    upper: float
    successes: float
    trials: float
    undefined: str | None = None
    effective_trials: float | None = None


@dataclass(frozen=True)
class GroupMetrics:
    """Every metric of one group (or of all rows, for the overall row)."""

    columns: tuple[str, ...]
    values: tuple[str | None, ...]  # None: the value is missing
    count: float  # rows, or the sum of their weights
    share: float
    tp: float
    fp: float
    tn: float
    fn: float
    rates: dict[str, Rate]
    auc: float
    auc_lower: float
    auc_upper: float
    auc_undefined: str | None
    small: bool
    rows: int = 0  # rows in the group, whatever their weights
    effective_n: float = 0.0  # (Σw)²/Σw²: the row count when unweighted
    weighted: bool = False

    @property
    def label(self) -> str:
        """``Female`` for one attribute, ``Female × Black`` for an intersection."""
        return group_label(self.values)


def shown(value: str | None) -> str:
    """A group value as the page shows it: missing as ``(missing)``, never confused with text."""
    if value is None:
        return MISSING
    return f'"{value}"' if value == MISSING else value


def group_metrics(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    y_true: str,
    y_pred: str,
    y_score: str | None,
    min_group_size: int,
    score_order: NDArray[np.int64] | None = None,
    weights: NDArray[np.float64] | None = None,
    coded: tuple[NDArray[np.integer], list[tuple[str | None, ...]]] | None = None,
) -> list[GroupMetrics]:
    """Metrics of every non-empty group of ``columns`` (all rows when ``columns`` is empty).

    ``y_true`` and ``y_pred`` hold 0/1; null/NaN in a sensitive column is its own group,
    value None (shown "(missing)"), apart from any real value (even the text "missing").
    ``score_order`` (the rows' order by score, stable) may be shared between calls on one table.
    ``weights`` (finite, >= 0) weight every count; None: every row weighs 1. ``coded`` is
    :func:`group_codes` of the same columns when the caller has them already.
    Groups are ordered by size (weighted), largest first, then by label.
    """
    codes, labels = coded if coded is not None else group_codes(frame, columns)
    truth = frame[y_true].to_numpy(dtype=np.int8)
    key = codes.astype(np.int64) * 4  # one key per (group, label, prediction), built in place
    key += truth * np.int8(2)
    key += frame[y_pred].to_numpy(dtype=np.int8)
    cells = len(labels) * 4
    rows = np.bincount(key, minlength=cells).reshape(len(labels), 4)  # tn fp fn tp
    counts: NDArray[np.int64] | NDArray[np.float64] = rows
    squares: NDArray[np.int64] | NDArray[np.float64] = rows  # unweighted: Σw² = the count
    if weights is not None:
        counts = np.bincount(key, weights=weights, minlength=cells).reshape(len(labels), 4)
        squares = np.bincount(key, weights=weights * weights, minlength=cells)
        squares = squares.reshape(len(labels), 4)
    del key
    auc = None
    if y_score:
        scores = frame[y_score].to_numpy(dtype=np.float64)
        auc = auc_by_group(codes, truth, scores, len(labels), score_order, weights=weights)
    total = float(counts.sum()) if weights is not None else len(frame)
    groups = []
    for code, values in enumerate(labels):
        if rows[code].sum() == 0:
            continue  # an empty intersection: no rows, no metrics (shown as absent, not 0)
        scored = (float(auc[0][code]), float(auc[1][code]), float(auc[2][code])) if auc else None
        cell = _Cells(counts[code], squares[code], int(rows[code].sum()), weights is not None)
        groups.append(_metrics(tuple(columns), values, cell, total, min_group_size, scored))
    return sorted(groups, key=lambda g: (-g.count, g.label))


@dataclass(frozen=True)
class _Cells:
    """One group's confusion cells (tn fp fn tp): counts or Σw, and Σw² (= counts unweighted)."""

    counts: NDArray[np.int64] | NDArray[np.float64]
    squares: NDArray[np.int64] | NDArray[np.float64]
    rows: int
    weighted: bool

    def named(self, values: NDArray[np.int64] | NDArray[np.float64]) -> dict[str, float]:
        cast = float if self.weighted else int
        tn, fp, fn, tp = (cast(v) for v in values)
        return {"tp": tp, "fp": fp, "tn": tn, "fn": fn, "n": tp + fp + tn + fn}


def _metrics(
    columns: tuple[str, ...],
    values: tuple[str | None, ...],
    cells: _Cells,
    total: float,
    min_group_size: int,
    scored: tuple[float, float, float] | None,
) -> GroupMetrics:
    named, squares = cells.named(cells.counts), cells.named(cells.squares)
    rates = {name: _rate(named, squares, *spec) for name, spec in RATES.items()}
    n = named["n"]
    effective = _effective(n, squares["n"])
    auc, low, high = scored if scored is not None else (math.nan, math.nan, math.nan)
    why: str | None = "no scores in the predictions"
    if scored is not None:
        why = None if not math.isnan(auc) else "only one class in this group"
    return GroupMetrics(
        columns, values, n, n / total if total else math.nan, named["tp"], named["fp"],
        named["tn"], named["fn"], rates, auc, low, high, why, below(effective, min_group_size),
        cells.rows, effective, cells.weighted,
    )  # fmt: skip


def _rate(
    named: dict[str, float], squares: dict[str, float], numerator: str, denominator: str, why: str
) -> Rate:
    top = sum(named[k] for k in numerator.split("+"))
    bottom = sum(named[k] for k in denominator.split("+"))
    effective = _effective(bottom, sum(squares[k] for k in denominator.split("+")))
    if bottom == 0:
        return Rate(math.nan, math.nan, math.nan, top, bottom, why, effective)
    # Wilson on the effective size: the weighted share p with n = (Σw)²/Σw² rows
    value = top / bottom
    if effective == bottom:  # unweighted (or every weight equal to 1): the row counts
        low, high = wilson_interval(top, bottom)
    else:
        low, high = wilson_interval(value * effective, effective)
    return Rate(value, low, high, top, bottom, None, effective)


def _effective(total: float, squares: float) -> float:
    """Kish's effective sample size (Σw)²/Σw²; the count itself when unweighted (total = Σw²)."""
    if squares == 0:
        return 0
    return total if total == squares else total * total / squares


def group_label(values: tuple[str | None, ...]) -> str:
    """The label of a group's values, as :attr:`GroupMetrics.label` shows it."""
    return " × ".join(shown(v) for v in values) if values else "all rows"


def group_codes(
    frame: pd.DataFrame, columns: Sequence[str]
) -> tuple[NDArray[np.int64], list[tuple[str | None, ...]]]:
    """One integer per row for its group, and each code's values (mixed-radix combination).

    Codes are 32-bit when the combinations fit (they almost always do): at 10M rows every
    row-length array costs 40 MB instead of 80.
    """
    factorized = [_factorize(frame[column]) for column in columns]
    combinations = math.prod(len(names) for _, names in factorized)
    dtype = np.int32 if combinations < 2**31 else np.int64
    codes: NDArray[np.integer] = np.zeros(len(frame), dtype=dtype)
    for column_codes, names in factorized:
        codes *= len(names)
        codes += column_codes
    labels: list[tuple[str | None, ...]] = [()]
    for _, values in factorized:
        labels = [(*prefix, value) for prefix in labels for value in values]
    return codes, labels  # type: ignore[return-value]


def _factorize(series: pd.Series) -> tuple[NDArray[np.int32], list[str | None]]:
    """Codes of a column's values as text, sorted, with null/NaN as None (last)."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)  # fast on any dtype
    text: list[str | None] = [str(u) for u in uniques]
    if (codes < 0).any():
        text.append(None)
    # values equal as text (1 and "1") are one group, as on the page; None sorts last
    names = sorted(set(text), key=lambda t: (t is None, t or ""))
    position = {name: index for index, name in enumerate(names)}
    # index -1 (NaN) picks the last entry, which is None when there are NaNs
    remap = np.array([position[t] for t in text] or [0], dtype=np.int32)
    result: NDArray[np.int32] = remap[codes]
    return result, names
