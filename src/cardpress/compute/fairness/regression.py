"""Per-group error metrics of a regression model's evaluation predictions, with 95% intervals.

The error of a row is ``prediction − label`` (positive: the model predicts too high). For every
group at once (``numpy.bincount`` over group codes, no per-group loop over rows):

- MAE = Σw·|e| / Σw; mean error (bias) = Σw·e / Σw; RMSE = √(Σw·e² / Σw);
  R² = 1 − Σw·e² / Σw·(y − ȳ)² (scikit-learn's ``r2_score``; undefined for constant labels);
- chosen quantiles of |e| (default 50% and 90%), the *inverted CDF* definition: the smallest |e|
  whose cumulative weight reaches q·Σw (NumPy's ``method="inverted_cdf"``);
- quantiles of the signed error (5, 25, 50, 75, 95%): the residual distribution drawn per group.

Intervals (95%), all exact formulas, no resampling, so the page is deterministic:

- MAE and bias: Student t interval of a (weighted) mean, x̄ ± t(n−1)·SE with
  SE² = n/(n−1)·Σw²(x − x̄)² / (Σw)² (the linearised variance of a weighted mean; with weights
  of 1 it is s²/n, the textbook t interval);
- RMSE: the t interval of the mean squared error, square-rooted (a monotone map keeps coverage);
- R²: R² ± t(n−1)·SE by the delta method, the influence of a row being
  −(e² − MSE)/V + MSE·((y − ȳ)² − V)/V², V = Σw(y − ȳ)²/Σw;
- quantiles: distribution-free order-statistic interval, the quantiles at q ∓ z·√(q(1−q)/n_eff)
  (normal approximation to the binomial count below the quantile), n_eff = (Σw)²/Σw².

``weights`` None means every row weighs 1. A weight of 2 equals the row written twice for every
metric; intervals treat weights as sampling weights (n_eff), so there the two differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.rates import Z95

Array = NDArray[np.float64]
ERROR_QUANTILES = (0.5, 0.9)
RESIDUAL_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Estimate:
    """A metric's value with its 95% interval, or why it is undefined."""

    value: float
    lower: float
    upper: float
    undefined: str | None = None


@dataclass(frozen=True)
class GroupErrors:
    """Every error metric of one group, in metric-id order, and its residual quantiles."""

    rows: int
    weight: float
    effective_n: float
    metrics: dict[str, Estimate]
    residuals: tuple[float, ...]  # signed-error quantiles at RESIDUAL_QUANTILES


def metric_ids(quantiles: tuple[float, ...] = ERROR_QUANTILES) -> tuple[str, ...]:
    """``mae, rmse, r2, bias`` and one ``ae_p50``-style id per chosen quantile of |error|."""
    return ("mae", "rmse", "r2", "bias", *(quantile_id(q) for q in quantiles))


def quantile_id(q: float) -> str:
    """``ae_p90`` for 0.9, ``ae_p99.5`` for 0.995: the metric id of a quantile of |error|."""
    return f"ae_p{100 * q:g}"


def group_errors(
    codes: NDArray[np.integer],
    groups: int,
    y_true: Array,
    y_pred: Array,
    weights: Array | None = None,
    quantiles: tuple[float, ...] = ERROR_QUANTILES,
) -> list[GroupErrors | None]:
    """The metrics of every group code in ``range(groups)``; None for a group without rows."""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    rows = np.bincount(codes, minlength=groups)
    total = rows.astype(np.float64) if w is None else _sum(codes, w, groups)
    squares = total if w is None else _sum(codes, w * w, groups)
    error = y_pred - y_true
    squared = error * error
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        means = {
            "mae": _mean(codes, np.abs(error), w, total, rows),
            "bias": _mean(codes, error, w, total, rows),
            "mse": _mean(codes, squared, w, total, rows),
        }
        r2 = _r2(codes, y_true, squared, w, total, rows, means["mse"][0])
        del squared
        effective = total * total / squares
        # rows by group (one stable sort of small integers), so each group is one slice
        small = codes.astype(np.int16 if groups < 2**15 else np.int32)  # int16: a radix sort
        by_group = np.argsort(small, kind="stable")
        del small
        segments = np.cumsum(rows) - rows, rows
        absolute = _quantiles(np.abs(error)[by_group], weights, by_group, segments, quantiles,
                              effective)  # fmt: skip
        signed = _quantiles(error[by_group], weights, by_group, segments, RESIDUAL_QUANTILES,
                            None)  # fmt: skip
    results: list[GroupErrors | None] = []
    for code in range(groups):
        if rows[code] == 0:
            results.append(None)
            continue
        if total[code] == 0:  # rows, every one of weight 0: nothing to measure, said so
            results.append(_weightless(int(rows[code]), quantiles))
            continue
        metrics = {
            "mae": _estimate(means["mae"], code),
            "rmse": _rmse(means["mse"], code),
            "r2": _estimate(r2, code, upper=1.0, why="the labels are all equal in this group"),
            "bias": _estimate(means["bias"], code),
        }
        for q, (value, low, high) in zip(quantiles, absolute, strict=True):
            metrics[quantile_id(q)] = Estimate(float(value[code]), float(low[code]),
                                               float(high[code]))  # fmt: skip
        residuals = tuple(float(s[0][code]) for s in signed)
        results.append(GroupErrors(int(rows[code]), float(total[code]), float(effective[code]),
                                   metrics, residuals))  # fmt: skip
    return results


Triple = tuple[Array, Array, Array]  # value, lower, upper per group


def _weightless(rows: int, quantiles: tuple[float, ...]) -> GroupErrors:
    """A group whose rows all weigh 0: every metric undefined (a weighted mean of nothing)."""
    why = "every row of this group has weight 0"
    metrics = {m: Estimate(math.nan, math.nan, math.nan, why) for m in metric_ids(quantiles)}
    return GroupErrors(rows, 0.0, 0.0, metrics, tuple(math.nan for _ in RESIDUAL_QUANTILES))


def _sum(codes: NDArray[np.integer], values: Array, groups: int, w: Array | None = None) -> Array:
    """Σ values (times ``w`` when given) per group."""
    summed: Array = np.bincount(codes, weights=values if w is None else w * values,  # type: ignore[assignment]
                                minlength=groups)  # fmt: skip
    return summed


def _t(rows: NDArray[np.int64]) -> Array:
    """The 97.5% Student t quantile with n − 1 degrees of freedom (NaN below 2 rows)."""
    from scipy.special import stdtrit  # lazily: scipy is heavy to import

    df = np.where(rows >= 2, rows - 1, np.nan).astype(np.float64)
    quantile: Array = stdtrit(df, 0.975)
    return quantile


def t_quantile(rows: int) -> float:
    """The 97.5% Student t quantile with ``rows`` − 1 degrees of freedom (NaN below 2 rows)."""
    return float(_t(np.array([rows], dtype=np.int64))[0])


def _half_width(
    codes: NDArray[np.integer],
    influence: Array,
    w: Array | None,
    total: Array,
    rows: NDArray[np.int64],
) -> Array:
    """t(n−1)·SE of a weighted mean whose rows have ``influence`` (value − group mean).

    ``influence`` is overwritten.
    """
    if w is not None:
        influence *= w
    influence *= influence
    spread = _sum(codes, influence, len(total))
    variance = rows / (rows - 1.0) * spread / (total * total)
    half: Array = _t(rows) * np.sqrt(variance)
    return half


def _mean(
    codes: NDArray[np.integer], x: Array, w: Array | None, total: Array, rows: NDArray[np.int64]
) -> Triple:
    mean = _sum(codes, x, len(total), w) / total
    half = _half_width(codes, x - mean[codes], w, total, rows)
    return mean, mean - half, mean + half


def _r2(
    codes: NDArray[np.integer],
    y: Array,
    squared: Array,
    w: Array | None,
    total: Array,
    rows: NDArray[np.int64],
    mse: Array,
) -> Triple:
    """R² per group and its delta-method interval; NaN where the labels do not vary.

    ``squared`` holds each row's squared error.
    """
    groups = len(total)
    centred = y - (_sum(codes, y, groups, w) / total)[codes]
    centred *= centred
    variance = _sum(codes, centred, groups, w) / total
    # labels all equal: exactly no variance (rounding in ȳ would leave ~1e-27 and a huge R²)
    one = np.zeros(groups)
    one[codes] = y
    variance[_sum(codes, (y != one[codes]).astype(np.float64), groups) == 0] = 0.0
    r2 = 1 - mse / variance
    # the influence of each row on R² (first-order; estimating ȳ adds nothing at first order)
    v, m = variance[codes], mse[codes]
    centred -= v  # from here on: the influence, (m·(d − v) − v·(e² − m)) / v², in place
    centred *= m
    influence = squared - m
    influence *= v
    centred -= influence
    del influence
    v *= v
    centred /= v
    half = _half_width(codes, centred, w, total, rows)
    undefined = ~(variance > 0)
    r2[undefined] = np.nan
    return r2, r2 - half, r2 + half


def _quantiles(
    values: Array,
    weights: Array | None,
    by_group: NDArray[np.int64],
    segments: tuple[NDArray[np.int64], NDArray[np.int64]],
    levels: tuple[float, ...],
    effective: Array | None,
) -> list[Triple]:
    """Inverted-CDF quantiles of ``values`` (rows in group order) per group, with intervals.

    The quantile at level q is the smallest value whose cumulative weight reaches q·Σw. Without
    weights that is the value of rank ⌈q·n⌉ (1-based), found by ``numpy.partition`` in linear
    time; with weights the group is sorted. With ``effective``, the interval's levels are
    q ∓ z·√(q(1−q)/n_eff).
    """
    starts, counts = segments
    groups = len(counts)
    out = [tuple(np.full(groups, np.nan) for _ in range(3)) for _ in levels]
    for code in np.flatnonzero(counts):
        start, n = int(starts[code]), int(counts[code])
        wanted = []  # (level index, 0 value / 1 lower / 2 upper, probability)
        for index, q in enumerate(levels):
            wanted.append((index, 0, q))
            if effective is not None:
                half = Z95 * math.sqrt(q * (1 - q) / float(effective[code]))
                wanted += [(index, 1, max(q - half, 0.0)), (index, 2, min(q + half, 1.0))]
        found = _ranked(values[start : start + n], weights, by_group[start : start + n],
                        [p for _, _, p in wanted])  # fmt: skip
        for (index, part, _), value in zip(wanted, found, strict=True):
            out[index][part][code] = value
    if effective is None:
        return [(v, v, v) for v, _, _ in out]
    return [(v, low, high) for v, low, high in out]


def _ranked(
    values: Array, weights: Array | None, rows: NDArray[np.int64], levels: list[float]
) -> list[float]:
    """The inverted-CDF quantile of one group's ``values`` at each level."""
    n = len(values)
    if weights is None:
        # ranks p = 1..n below the quantile: those with p < q·n; the quantile is the next one
        ranks = [min(max(math.ceil(q * n) - 1, 0), n - 1) for q in levels]
        chosen = np.partition(values, sorted(set(ranks)))
        return [float(chosen[r]) for r in ranks]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[rows][order])
    total = float(cumulative[-1])
    # rows whose cumulative weight is below q·Σw come before the quantile
    below = np.searchsorted(cumulative, [q * total for q in levels], side="left")
    return [float(values[order[min(int(b), n - 1)]]) for b in below]


def _estimate(
    triple: Triple, code: int, upper: float = math.inf, why: str | None = None
) -> Estimate:
    value, low, high = (float(a[code]) for a in triple)
    if math.isnan(value):
        return Estimate(math.nan, math.nan, math.nan, why or "no rows")
    return Estimate(value, low, min(high, upper))


def _rmse(mse: Triple, code: int) -> Estimate:
    value, low, high = (float(a[code]) for a in mse)
    low = math.sqrt(max(low, 0.0)) if not math.isnan(low) else math.nan
    high = math.sqrt(high) if not math.isnan(high) else math.nan
    return Estimate(math.sqrt(value), low, high)
