"""The slice fairness report of one model version, from its evaluation predictions.

Pure: takes the predictions as a checked table (labels and predictions already mapped to 0/1 by
the reader) and the ``[fairness]`` settings, returns typed results. One grouping per sensitive
column, then one per configured intersection whose columns this run has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

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
from cardpress.compute.fairness.groups import GroupMetrics, group_metrics
from cardpress.compute.fairness.rules import ImpactTable, four_fifths, local_law_144
from cardpress.model import Y_PRED, Y_SCORE, Y_TRUE, FairnessSettings


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
    task: str = "binary"


def fairness_report(
    frame: pd.DataFrame, sensitive: tuple[str, ...], settings: FairnessSettings
) -> FairnessReport:
    """The report of a checked table (columns :data:`cardpress.model.Y_TRUE` and the like)."""
    score = Y_SCORE if Y_SCORE in frame.columns else None
    # one sort by score serves the AUC of every grouping
    order = np.argsort(frame[score].to_numpy(dtype=np.float64)) if score else None
    overall = group_metrics(frame, [], y_true=Y_TRUE, y_pred=Y_PRED, y_score=score,
                            min_group_size=0, score_order=order)[0]  # fmt: skip
    wanted, skipped = groupings_of(sensitive, settings)
    groupings = tuple(_grouping(frame, columns, score, order, settings) for columns in wanted)
    return FairnessReport(len(frame), score is not None, overall, groupings, tuple(skipped))


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


def _grouping(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    score: str | None,
    order: NDArray[np.int64] | None,
    settings: FairnessSettings,
) -> Grouping:
    groups = group_metrics(
        frame, columns, y_true=Y_TRUE, y_pred=Y_PRED, y_score=score,
        min_group_size=settings.min_group_size, score_order=order,
    )  # fmt: skip
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
    )
