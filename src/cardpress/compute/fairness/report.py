"""The slice fairness report of one model version, from its evaluation predictions.

Pure: takes the predictions as a checked table (labels and predictions already mapped to 0/1 by
the reader) and the ``[fairness]`` settings, returns typed results. One grouping per sensitive
column, then one per configured intersection whose columns this run has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.fairness.calibration import Calibration, calibration_by_group, score_bins
from cardpress.compute.fairness.disparity import (
    METRICS,
    Comparison,
    Parity,
    Spread,
    choose_reference,
    compare,
    parity,
    spread,
)
from cardpress.compute.fairness.groups import GroupMetrics, group_codes, group_label, group_metrics
from cardpress.compute.fairness.rules import ImpactTable, four_fifths, local_law_144
from cardpress.compute.fairness.thresholds import (
    Curves,
    Deployed,
    curves_by_group,
    deployed_threshold,
    threshold_positions,
)
from cardpress.model import WEIGHT, Y_PRED, Y_SCORE, Y_TRUE, FairnessSettings

if TYPE_CHECKING:  # pandas loads with the predictions: a build that reads none never needs it
    import pandas as pd


@dataclass(frozen=True)
class Grouping:
    """Every group of one sensitive column (or intersection) with its disparities and rules."""

    columns: tuple[str, ...]
    groups: tuple[GroupMetrics, ...]
    reference: GroupMetrics | None
    reference_rule: str
    comparisons: dict[str, dict[str, Comparison]]  # group label -> metric -> vs reference
    spreads: dict[str, Spread]
    parity: Parity
    four_fifths: ImpactTable
    ll144: ImpactTable
    # with scores: each group's calibration and threshold curves, by group label
    calibration: dict[str, Calibration] = field(default_factory=dict)
    curves: dict[str, Curves] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``sex`` or ``sex × race``."""
        return " × ".join(self.columns)


@dataclass(frozen=True)
class FairnessReport:
    """The fairness report of one model version."""

    rows: int
    has_scores: bool
    overall: GroupMetrics
    groupings: tuple[Grouping, ...]
    skipped_intersections: tuple[tuple[tuple[str, ...], str], ...]  # (columns, why)
    weighted: bool = False  # a weight column weighted every count
    overall_calibration: Calibration | None = None
    overall_curves: Curves | None = None
    deployed: Deployed | None = None  # the deployed threshold (with scores)
    task: str = "binary"


def fairness_report(
    frame: pd.DataFrame,
    sensitive: tuple[str, ...],
    settings: FairnessSettings,
    threshold: float | None = None,
    calibration: bool = True,
) -> FairnessReport:
    """The report of a checked table (columns :data:`cardpress.model.Y_TRUE` and the like).

    ``threshold`` is the declared decision threshold (``predictions.threshold``), if any.
    ``calibration`` False leaves calibration and the threshold curves out (a policy's checks
    read neither: they cost most of the report's time).
    """
    score = Y_SCORE if Y_SCORE in frame.columns else None
    weights = frame[WEIGHT].to_numpy(dtype=np.float64) if WEIGHT in frame.columns else None
    # one sort by score serves the AUC of every grouping
    order = np.argsort(frame[score].to_numpy(dtype=np.float64)) if score else None
    overall = group_metrics(frame, [], y_true=Y_TRUE, y_pred=Y_PRED, y_score=score,
                            min_group_size=0, score_order=order, weights=weights)[0]  # fmt: skip
    # the score's bin and threshold position do not depend on the grouping: computed once
    rows = _ScoredRows.of(frame, weights) if score and calibration else None
    scored = _scored(group_codes(frame, ()), rows) if rows else ({}, {})
    wanted, skipped = groupings_of(sensitive, settings)
    groupings = tuple(
        _grouping(frame, columns, score, order, settings, weights, rows) for columns in wanted
    )
    deployed = None
    if score:
        predicted = frame[Y_PRED].to_numpy(dtype=np.int8)
        deployed = deployed_threshold(frame[score].to_numpy(dtype=np.float64), predicted, threshold)
    return FairnessReport(
        len(frame), score is not None, overall, groupings, tuple(skipped), weights is not None,
        scored[0].get("all rows"), scored[1].get("all rows"), deployed,
    )  # fmt: skip


def groupings_of(
    sensitive: tuple[str, ...], settings: FairnessSettings
) -> tuple[list[tuple[str, ...]], list[tuple[tuple[str, ...], str]]]:
    """Each sensitive column, then each configured intersection this run has; and those skipped.

    Returns (groupings, skipped), each skipped intersection with why.
    """
    wanted: list[tuple[str, ...]] = [(column,) for column in sensitive]
    skipped = []
    for columns in settings.intersections:
        absent = [c for c in columns if c not in sensitive]
        if absent:
            why = f"not among this run's sensitive columns: {', '.join(absent)}"
            skipped.append((tuple(columns), why))
        else:
            wanted.append(tuple(columns))
    return wanted, skipped


@dataclass(frozen=True)
class _ScoredRows:
    """What calibration and the threshold curves read of every row, shared by the groupings."""

    truth: NDArray[np.int8]
    score: NDArray[np.float64]
    weights: NDArray[np.float64] | None
    bins: NDArray[np.int8]
    positions: NDArray[np.int8]

    @classmethod
    def of(cls, frame: pd.DataFrame, weights: NDArray[np.float64] | None) -> _ScoredRows:
        score = frame[Y_SCORE].to_numpy(dtype=np.float64)
        truth = frame[Y_TRUE].to_numpy(dtype=np.int8)
        return cls(truth, score, weights, score_bins(score), threshold_positions(score))


def _scored(
    coded: tuple[NDArray[np.integer], list[tuple[str | None, ...]]], rows: _ScoredRows
) -> tuple[dict[str, Calibration], dict[str, Curves]]:
    """Each group's calibration and threshold curves, by label."""
    codes, values = coded
    labels = [group_label(v) for v in values]
    found = calibration_by_group(codes, rows.truth, rows.score, len(values), rows.weights,
                                 labels, rows.bins)  # fmt: skip
    curves = curves_by_group(codes, rows.truth, rows.score, len(values), rows.weights,
                             rows.positions)  # fmt: skip
    calibration = {label: c for label, c in zip(labels, found, strict=True) if c is not None}
    return calibration, {label: c for label, c in zip(labels, curves, strict=True) if c}


def _grouping(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    score: str | None,
    order: NDArray[np.int64] | None,
    settings: FairnessSettings,
    weights: NDArray[np.float64] | None = None,
    rows: _ScoredRows | None = None,
) -> Grouping:
    coded = group_codes(frame, columns)
    groups = group_metrics(
        frame, columns, y_true=Y_TRUE, y_pred=Y_PRED, y_score=score,
        min_group_size=settings.min_group_size, score_order=order, weights=weights, coded=coded,
    )  # fmt: skip
    calibration, curves = _scored(coded, rows) if rows else ({}, {})
    reference, rule = choose_reference(groups, dict(settings.reference))
    comparisons = {}
    if reference is not None:
        comparisons = {g.label: {m: compare(g, reference, m) for m in METRICS} for g in groups}
    spreads = {metric: spread(groups, metric) for metric in METRICS}
    return Grouping(
        columns,
        tuple(groups),
        reference,
        rule,
        comparisons,
        spreads,
        parity(spreads),
        four_fifths(groups, settings.min_group_size, settings.four_fifths_threshold),
        local_law_144(groups),
        calibration,
        curves,
    )
