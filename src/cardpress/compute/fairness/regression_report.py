"""The slice report of a regression model: error metrics by group, their gaps, the worst group.

Pure, like :mod:`cardpress.compute.fairness.report`: a checked table (numeric labels and
predictions in :data:`cardpress.model.Y_TRUE` / :data:`~cardpress.model.Y_PRED`) in, typed results
out. Groups, the reference group, small groups and the between-groups spread follow the binary
report's conventions (:mod:`cardpress.compute.fairness.disparity`). Two regression-specific views:

- ratios are given only for metrics that cannot be negative (MAE, RMSE, error quantiles): the
  mean error and R² can be below 0, where a ratio says nothing;
- the *worst group's loss* (fairlearn's bounded-group-loss view, ``MetricFrame.group_max()``):
  the judged group with the highest MAE and RMSE, beside the overall figure.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.fairness.disparity import Comparison, Spread, choose_reference, compare
from cardpress.compute.fairness.disparity import spread as between
from cardpress.compute.fairness.groups import group_codes, shown
from cardpress.compute.fairness.multiclass_types import MulticlassReport
from cardpress.compute.fairness.regression import (
    Estimate,
    group_errors,
    metric_ids,
)
from cardpress.compute.fairness.report import FairnessReport, groupings_of
from cardpress.compute.limits import below
from cardpress.model import Y_PRED, Y_TRUE, FairnessSettings

if TYPE_CHECKING:  # pandas loads with the predictions: a build that reads none never needs it
    import pandas as pd

SIGNED = frozenset({"bias", "r2"})  # metrics that can be negative: no ratio
NO_RATIO = "not a ratio scale: the metric can be negative"
LOSSES = ("mae", "rmse")  # the worst group's loss is shown for these
_QUANTILE = re.compile(r"ae_p\d+(\.\d+)?")


def is_regression_metric(metric: str) -> bool:
    """``mae``, ``rmse``, ``r2``, ``bias`` or a quantile of |error| such as ``ae_p90``."""
    return metric in ("mae", "rmse", "r2", "bias") or bool(_QUANTILE.fullmatch(metric))


@dataclass(frozen=True)
class RegressionGroup:
    """One group's (or all rows') error metrics."""

    columns: tuple[str, ...]
    values: tuple[str | None, ...]
    count: int
    share: float
    weight: float
    effective_n: float
    metrics: dict[str, Estimate]
    residuals: tuple[float, ...]
    small: bool

    @property
    def label(self) -> str:
        """``Female`` for one attribute, ``Female × Black`` for an intersection."""
        return " × ".join(shown(v) for v in self.values) if self.values else "all rows"


@dataclass(frozen=True)
class WorstGroup:
    """The judged group with the highest loss, against all rows (bounded group loss)."""

    metric: str
    group: str | None
    value: float
    overall: float
    ratio_to_overall: float
    undefined: str | None = None


@dataclass(frozen=True)
class RegressionGrouping:
    """Every group of one sensitive column (or intersection) with its gaps."""

    columns: tuple[str, ...]
    groups: tuple[RegressionGroup, ...]
    reference: RegressionGroup | None
    reference_rule: str
    comparisons: dict[str, dict[str, Comparison]]
    spreads: dict[str, Spread]
    worst: dict[str, WorstGroup]

    @property
    def name(self) -> str:
        """``sex`` or ``sex × race``."""
        return " × ".join(self.columns)


@dataclass(frozen=True)
class RegressionReport:
    """The slice report of one regression model version."""

    rows: int
    weighted: bool
    quantiles: tuple[float, ...]
    metrics: tuple[str, ...]
    overall: RegressionGroup
    groupings: tuple[RegressionGrouping, ...]
    skipped_intersections: tuple[tuple[tuple[str, ...], str], ...]
    task: str = "regression"


# the report of any task, as the pages and the policy rules take it
SliceReport = FairnessReport | RegressionReport | MulticlassReport


def value_of(group: RegressionGroup, metric: str) -> tuple[float, str | None]:
    """A group's value of ``metric`` and, when it has none, why."""
    estimate = group.metrics[metric]
    return estimate.value, estimate.undefined


def regression_report(
    frame: pd.DataFrame,
    sensitive: tuple[str, ...],
    settings: FairnessSettings,
    weights: NDArray[np.float64] | None = None,
) -> RegressionReport:
    """The report of a checked table; ``weights`` None weighs every row 1."""
    y_true = frame[Y_TRUE].to_numpy(dtype=np.float64)
    y_pred = frame[Y_PRED].to_numpy(dtype=np.float64)
    quantiles = settings.error_quantiles
    args = (frame, y_true, y_pred, weights, quantiles)
    [overall] = _groups(*args, (), 0)
    wanted, skipped = groupings_of(sensitive, settings)
    groupings = tuple(
        _grouping(_groups(*args, columns, settings.min_group_size), overall, settings)
        for columns in wanted
    )
    return RegressionReport(
        len(frame), weights is not None, quantiles, metric_ids(quantiles), overall, groupings,
        tuple(skipped),
    )  # fmt: skip


def _groups(
    frame: pd.DataFrame,
    y_true: NDArray[np.float64],
    y_pred: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    quantiles: tuple[float, ...],
    columns: tuple[str, ...],
    min_group_size: int,
) -> list[RegressionGroup]:
    codes, labels = group_codes(frame, columns)
    found = group_errors(codes, len(labels), y_true, y_pred, weights, quantiles)
    # shares and the size order by Σw (rows without weights), as the binary report's
    total = float(weights.sum()) if weights is not None else len(frame)
    groups = [
        RegressionGroup(
            columns,
            values,
            errors.rows,
            errors.weight / total if total else math.nan,
            errors.weight,
            errors.effective_n,
            errors.metrics,
            errors.residuals,
            below(errors.effective_n, min_group_size),  # as the binary report: (Σw)²/Σw², not rows
        )
        for values, errors in zip(labels, found, strict=True)
        if errors is not None  # an empty intersection: no rows, no metrics
    ]
    return sorted(groups, key=lambda g: (-g.weight, g.label))


def _grouping(
    groups: list[RegressionGroup], overall: RegressionGroup, settings: FairnessSettings
) -> RegressionGrouping:
    reference, rule = choose_reference(groups, dict(settings.reference))
    metrics = list(overall.metrics)
    comparisons = {}
    if reference is not None:
        comparisons = {
            g.label: {m: _ratio_scale(compare(g, reference, m, value_of), m) for m in metrics}
            for g in groups
        }
    spreads = {m: spreads_of(groups, m) for m in metrics}
    worst = {m: _worst(spreads[m], overall, m) for m in LOSSES}
    return RegressionGrouping(
        groups[0].columns if groups else (), tuple(groups), reference, rule, comparisons,
        spreads, worst,
    )  # fmt: skip


def spreads_of(groups: list[RegressionGroup], metric: str) -> Spread:
    """Max − min (and min ÷ max for losses) of ``metric`` over the judged groups."""
    found = between(groups, metric, value_of)
    if metric in SIGNED and found.undefined is None:
        return replace(found, ratio=math.nan)
    return found


def _ratio_scale(comparison: Comparison, metric: str) -> Comparison:
    if metric in SIGNED and comparison.undefined is None:
        return replace(comparison, ratio=math.nan, ratio_undefined=NO_RATIO)
    return comparison


def _worst(found: Spread, overall: RegressionGroup, metric: str) -> WorstGroup:
    base = overall.metrics[metric].value
    if found.highest is None:
        why = found.undefined or "no group large enough"
        return WorstGroup(metric, None, math.nan, base, math.nan, why)
    ratio = found.maximum / base if base else math.nan
    return WorstGroup(metric, found.highest, found.maximum, base, ratio)
