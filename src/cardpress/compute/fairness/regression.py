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


@dataclass(frozen=True)
class Orders:
    """Rows sorted by |error| and by error, computed once and shared by every grouping."""

    absolute: NDArray[np.int64]
    signed: NDArray[np.int64]


def orders(y_true: Array, y_pred: Array) -> Orders:
    """The sort orders a grouping's quantiles start from."""
    error = y_pred - y_true
    return Orders(np.argsort(np.abs(error)), np.argsort(error))


def group_errors(
    codes: NDArray[np.integer],
    groups: int,
    y_true: Array,
    y_pred: Array,
    weights: Array | None = None,
    quantiles: tuple[float, ...] = ERROR_QUANTILES,
    order: Orders | None = None,
) -> list[GroupErrors | None]:
    """The metrics of every group code in ``range(groups)``; None for a group without rows."""
    order = order or orders(y_true, y_pred)
    w = np.ones(len(y_true)) if weights is None else np.asarray(weights, dtype=np.float64)
    rows = np.bincount(codes, minlength=groups)
    total = _sum(codes, w, groups)
    squares = _sum(codes, w * w, groups)
    error = y_pred - y_true
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        means = {
            "mae": _mean(codes, np.abs(error), w, total, rows),
            "bias": _mean(codes, error, w, total, rows),
            "mse": _mean(codes, error * error, w, total, rows),
        }
        r2 = _r2(codes, y_true, error, w, total, rows, means["mse"][0])
        effective = total * total / squares
        absolute = _quantiles(codes, groups, np.abs(error), w, order.absolute, quantiles, effective)
        signed = _quantiles(codes, groups, error, w, order.signed, RESIDUAL_QUANTILES, None)
    results: list[GroupErrors | None] = []
    for code in range(groups):
        if rows[code] == 0:
            results.append(None)
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


def _sum(codes: NDArray[np.integer], values: Array, groups: int) -> Array:
    summed: Array = np.bincount(codes, weights=values, minlength=groups)  # type: ignore[assignment]
    return summed


def _t(rows: NDArray[np.int64]) -> Array:
    """The 97.5% Student t quantile with n − 1 degrees of freedom (NaN below 2 rows)."""
    from scipy.special import stdtrit  # lazily: scipy is heavy to import

    df = np.where(rows >= 2, rows - 1, np.nan).astype(np.float64)
    quantile: Array = stdtrit(df, 0.975)
    return quantile


def _half_width(
    codes: NDArray[np.integer], influence: Array, w: Array, total: Array, rows: NDArray[np.int64]
) -> Array:
    """t(n−1)·SE of a weighted mean whose rows have ``influence`` (value − group mean)."""
    spread = _sum(codes, (w * influence) ** 2, len(total))
    variance = rows / (rows - 1.0) * spread / (total * total)
    half: Array = _t(rows) * np.sqrt(variance)
    return half


def _mean(
    codes: NDArray[np.integer], x: Array, w: Array, total: Array, rows: NDArray[np.int64]
) -> Triple:
    mean = _sum(codes, w * x, len(total)) / total
    half = _half_width(codes, x - mean[codes], w, total, rows)
    return mean, mean - half, mean + half


def _r2(
    codes: NDArray[np.integer],
    y: Array,
    error: Array,
    w: Array,
    total: Array,
    rows: NDArray[np.int64],
    mse: Array,
) -> Triple:
    """R² per group and its delta-method interval; NaN where the labels do not vary."""
    groups = len(total)
    centred = y - (_sum(codes, w * y, groups) / total)[codes]
    centred *= centred
    variance = _sum(codes, w * centred, groups) / total
    # labels all equal: exactly no variance (rounding in ȳ would leave ~1e-27 and a huge R²)
    one = np.zeros(groups)
    one[codes] = y
    variance[_sum(codes, (y != one[codes]).astype(np.float64), groups) == 0] = 0.0
    r2 = 1 - mse / variance
    # the influence of each row on R² (first-order; estimating ȳ adds nothing at first order)
    v, m = variance[codes], mse[codes]
    influence = -(error * error - m) / v + m * (centred - v) / (v * v)
    half = _half_width(codes, influence, w, total, rows)
    undefined = ~(variance > 0)
    r2[undefined] = np.nan
    return r2, r2 - half, r2 + half


def _quantiles(
    codes: NDArray[np.integer],
    groups: int,
    x: Array,
    w: Array,
    order: NDArray[np.int64],
    levels: tuple[float, ...],
    effective: Array | None,
) -> list[Triple]:
    """Inverted-CDF quantiles of ``x`` per group; with ``effective``, their intervals too."""
    # rows by value (shared order), then stably by group: each group a run sorted by value
    by_group = order[np.argsort(codes[order], kind="stable")]
    code = codes[by_group]
    value = x[by_group]
    weight = w[by_group]
    total = _sum(code, weight, groups)
    before = np.cumsum(weight) - weight  # weight before each row, within its group below
    before -= (np.cumsum(total) - total)[code]
    start = np.cumsum(np.bincount(code, minlength=groups)) - np.bincount(code, minlength=groups)
    last = start + np.bincount(code, minlength=groups) - 1
    out = []
    for q in levels:
        found = _at(code, value, weight, before, start, last, total, np.full(groups, q))
        if effective is None:
            out.append((found, found, found))
            continue
        half = Z95 * np.sqrt(q * (1 - q) / effective)
        low = _at(code, value, weight, before, start, last, total, np.clip(q - half, 0, 1))
        high = _at(code, value, weight, before, start, last, total, np.clip(q + half, 0, 1))
        out.append((found, low, high))
    return out


def _at(
    code: NDArray[np.integer],
    value: Array,
    weight: Array,
    before: Array,
    start: NDArray[np.int64],
    last: NDArray[np.int64],
    total: Array,
    q: Array,
) -> Array:
    """The smallest value per group whose cumulative weight reaches q·Σw (inverted CDF)."""
    reached = before + weight  # cumulative weight up to and including each row
    short = reached < (q * total)[code]  # rows before the quantile: a prefix of each group
    index = start + np.bincount(code, weights=short, minlength=len(total)).astype(np.int64)
    index = np.minimum(index, np.maximum(last, 0))
    found: Array = np.where(last >= start, value[index] if len(value) else np.nan, np.nan)
    return found


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
