"""Performance over time of a regression or a multiclass model, from each window's sums.

Regression (e = prediction − label, over the labelled rows, n of them): MAE = Σ|e|/n, mean
error (bias) = Σe/n, RMSE = √(Σe²/n), each with the Student t interval (95%) of a mean that the
fairness report uses (compute.fairness.regression): x̄ ± t(n−1)·√(Σ(x − x̄)²/(n(n−1))), where
Σ(x − x̄)² = Σx² − (Σx)²/n comes from the window's sums (for |e| and e, Σx² = Σe²; for e², Σe⁴);
RMSE's interval is the mean squared error's, square-rooted. One labelled row: no interval.

Multiclass: accuracy = correct / labelled with a Wilson interval (95%); macro-F1 = the mean over
the classes seen in the window's labels or predictions of 2·TP / (2·TP + FP + FN)
(scikit-learn's ``f1_score(average="macro")``); each class's share of the labelled rows'
predictions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cardpress.compute.drift.performance import Interval, _rate
from cardpress.model_drift import Performance


@dataclass(frozen=True)
class RegressionWindow:
    """One window's error metrics; None where undefined (fewer than two labelled rows)."""

    rows: int
    labelled: int
    coverage: float | None
    mae: float | None
    mae_ci: Interval
    rmse: float | None
    rmse_ci: Interval
    bias: float | None
    bias_ci: Interval
    mean_delay_hours: float | None
    delay_shares: tuple[float, ...]
    reasons: dict[str, str] = field(default_factory=dict)  # why a metric is None


@dataclass(frozen=True)
class MulticlassWindow:
    """One window's accuracy, macro-F1 and predicted share of each class."""

    rows: int
    labelled: int
    coverage: float | None
    accuracy: float | None
    accuracy_ci: Interval
    macro_f1: float | None
    predicted_shares: dict[str, float]  # class -> share of the labelled rows' predictions
    mean_delay_hours: float | None
    delay_shares: tuple[float, ...]
    reasons: dict[str, str] = field(default_factory=dict)


def regression_window(counts: Performance) -> RegressionWindow:
    """MAE, RMSE and bias of one window's sums, with t intervals."""
    n = counts.labelled
    mae = _t_mean(counts.abs_sum, counts.square_sum, n)
    bias = _t_mean(counts.error_sum, counts.square_sum, n)
    mse = _t_mean(counts.square_sum, counts.fourth_sum, n)
    rmse: tuple[float | None, Interval] = (None, None)
    if mse[0] is not None:  # the interval square-rooted too (a monotone map keeps coverage)
        ci = mse[1] and (math.sqrt(max(mse[1][0], 0.0)), math.sqrt(mse[1][1]))
        rmse = math.sqrt(mse[0]), ci
    why = _why(counts)
    delay, shares = _delays(counts)
    return RegressionWindow(
        rows=counts.rows, labelled=n, coverage=counts.labelled / counts.rows if counts.rows
        else None, mae=mae[0], mae_ci=mae[1], rmse=rmse[0], rmse_ci=rmse[1],
        bias=bias[0], bias_ci=bias[1], mean_delay_hours=delay, delay_shares=shares,
        reasons=dict.fromkeys(("mae", "rmse", "bias"), why) if why else {},
    )  # fmt: skip


def multiclass_window(counts: Performance) -> MulticlassWindow:
    """Accuracy (Wilson interval), macro-F1 and predicted shares of one window's confusion."""
    correct = sum(n for label, predicted, n in counts.confusion if label == predicted)
    accuracy = _rate(correct, counts.labelled)
    why = _why(counts)
    delay, shares = _delays(counts)
    return MulticlassWindow(
        rows=counts.rows, labelled=counts.labelled,
        coverage=counts.labelled / counts.rows if counts.rows else None,
        accuracy=accuracy[0], accuracy_ci=accuracy[1], macro_f1=macro_f1(counts.confusion),
        predicted_shares=predicted_shares(counts.confusion), mean_delay_hours=delay,
        delay_shares=shares,
        reasons=dict.fromkeys(("accuracy", "macro_f1"), why) if why else {},
    )  # fmt: skip


def macro_f1(confusion: tuple[tuple[str, str, int], ...]) -> float | None:
    """Mean F1 over the classes in the labels or predictions; None without labelled rows."""
    classes = sorted({c for label, predicted, _ in confusion for c in (label, predicted)})
    if not classes:
        return None
    f1 = []
    for name in classes:
        tp = sum(n for y, p, n in confusion if y == name and p == name)
        wrong = sum(n for y, p, n in confusion if (y == name) != (p == name))  # FP + FN
        f1.append(2 * tp / (2 * tp + wrong))  # > 0: the class occurs in a label or prediction
    return math.fsum(f1) / len(f1)


def predicted_shares(confusion: tuple[tuple[str, str, int], ...]) -> dict[str, float]:
    """Each predicted class's share of the labelled rows, classes sorted."""
    total = sum(n for _, _, n in confusion)
    shares: dict[str, int] = {}
    for _, predicted, n in confusion:
        shares[predicted] = shares.get(predicted, 0) + n
    return {name: shares[name] / total for name in sorted(shares)} if total else {}


def _t_mean(total: float, squares: float, n: int) -> tuple[float | None, Interval]:
    """Mean of x from Σx and Σx² over n rows, with its Student t interval (95%)."""
    if n < 2:
        return (total / n if n else None), None
    from cardpress.compute.fairness.regression import t_quantile  # lazily: scipy

    mean = total / n
    spread = max(squares - total * total / n, 0.0)  # Σ(x − x̄)², never below 0 by rounding
    half = t_quantile(n) * math.sqrt(spread / (n * (n - 1)))
    return mean, (mean - half, mean + half)


def _why(counts: Performance) -> str:
    """Why every metric of a window is undefined ("" when they are defined)."""
    if counts.labelled == 0:
        return "no labels yet" if counts.rows else "no rows"
    return ""


def _delays(counts: Performance) -> tuple[float | None, tuple[float, ...]]:
    """Mean label delay in hours, and the share of labels in each delay bucket."""
    delays = sum(counts.delay_counts)
    if not delays:
        return None, ()
    return counts.delay_sum / delays / 3600, tuple(c / delays for c in counts.delay_counts)
