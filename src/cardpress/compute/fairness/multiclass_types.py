"""The typed result of a multiclass fairness report: groups, per-class disparities, groupings.

Built by :func:`cardpress.compute.fairness.multiclass_report.multiclass_report`; read by the
pages, the checks and the exports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cardpress.compute.fairness.calibration import Calibration
from cardpress.compute.fairness.disparity import Comparison, Parity, Spread
from cardpress.compute.fairness.groups import GroupMetrics, Rate, shown
from cardpress.compute.fairness.multiclass import FloatArray
from cardpress.compute.fairness.multiclass_calibration import Brier
from cardpress.compute.fairness.rules import ImpactTable


@dataclass(frozen=True)
class ClassGroup:
    """One group (or all rows) of a multiclass report."""

    columns: tuple[str, ...]
    values: tuple[str | None, ...]
    count: int  # rows
    weight: float  # sum of the rows' weights (= rows without weights)
    share: float  # of the total weight
    small: bool
    confusion: FloatArray  # [true class, predicted class], weighted counts
    accuracy: Rate
    averages: dict[str, float]  # macro_/micro_/weighted_ precision, recall, f1
    f1: tuple[float, ...]  # per class, NaN where undefined
    ovr: tuple[GroupMetrics, ...]  # each class against the rest
    macro_auc: float
    # with per-class scores: each class's calibration (None: no weight), the multiclass Brier
    calibration: tuple[Calibration | None, ...] = ()
    brier: Brier | None = None

    @property
    def label(self) -> str:
        """``Female``, ``Female × Black``, or ``all rows``."""
        return " × ".join(shown(v) for v in self.values) if self.values else "all rows"


@dataclass(frozen=True)
class ClassDisparity:
    """One class of one grouping: the binary (one-vs-rest) comparisons between its groups."""

    name: str
    comparisons: dict[str, dict[str, Comparison]]  # group label -> metric -> vs reference
    spreads: dict[str, Spread]
    parity: Parity
    four_fifths: ImpactTable
    ll144: ImpactTable
    # with scores: (highest, lowest, max − min) of the class's ECE over the groups large enough
    ece_spread: tuple[str | None, str | None, float] = (None, None, math.nan)


@dataclass(frozen=True)
class ClassGrouping:
    """Every group of one sensitive column (or intersection), per class and overall."""

    columns: tuple[str, ...]
    groups: tuple[ClassGroup, ...]
    reference: str | None
    reference_rule: str
    summary: dict[str, Spread]  # accuracy, macro F1 between groups
    classes: tuple[ClassDisparity, ...]
    worst: Parity  # the worst class of each parity measure
    worst_class: dict[str, str | None]  # measure -> the class that sets it
    worst_ece: tuple[float, str | None] = (math.nan, None)  # the largest ECE spread, its class

    @property
    def name(self) -> str:
        """``sex`` or ``sex × race``."""
        return " × ".join(self.columns)


@dataclass(frozen=True)
class MulticlassReport:
    """The fairness report of one multiclass model version."""

    rows: int
    classes: tuple[str, ...]
    has_scores: bool
    weighted: bool
    overall: ClassGroup
    groupings: tuple[ClassGrouping, ...]
    skipped_intersections: tuple[tuple[tuple[str, ...], str], ...]
    warnings: tuple[str, ...]
    task: str = "multiclass"
