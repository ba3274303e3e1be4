"""The rules reviewers apply to selection rates: the four-fifths rule and NYC Local Law 144.

Both divide each group's selection rate by the *highest* rate among the groups that count, and
differ in which groups count and in the verdict:

- Four-fifths rule (EEOC, 29 CFR 1607.4(D)): groups of at least ``min_group_size`` rows count; a
  ratio below the threshold (default 0.8) is flagged. The test is ``ratio < threshold``, so a
  ratio of exactly 0.8 passes.
- NYC Local Law 144 (6 RCNY §5-301): every category is reported with its counts; categories under
  2% of the rows may be left out of the calculation, so they do not set the highest rate (their
  ratio is still shown, marked). The law sets no pass mark: the ratio is disclosed, not judged.

Rows whose sensitive value is missing are an unknown category: counted and reported, never a
group that sets or fails a rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cardpress.compute.fairness.groups import GroupMetrics
from cardpress.compute.limits import below

LL144_MIN_SHARE = 0.02


@dataclass(frozen=True)
class ImpactRow:
    """One group's selection rate and impact ratio under a rule."""

    label: str
    count: float  # rows, or the sum of their weights
    selected: float
    share: float
    rate: float
    ratio: float
    status: str  # pass | flagged | disclosed | small | under-2% | unknown | undefined


@dataclass(frozen=True)
class ImpactTable:
    """A rule's table for one grouping, and the group that set the highest rate."""

    rows: tuple[ImpactRow, ...]
    highest: str | None
    unknown: float  # rows (or their weight) with a missing sensitive value: counted, left out


def four_fifths(groups: Sequence[GroupMetrics], min_size: int, threshold: float) -> ImpactTable:
    """Each judged group's selection rate ÷ the highest; flagged when below ``threshold``."""

    def status(group: GroupMetrics, ratio: float) -> str:
        if below(group.effective_n, min_size):  # the row count, or (Σw)²/Σw² with weights
            return "small"
        return "flagged" if below(ratio, threshold) else "pass"

    return _impact(groups, lambda g: not below(g.effective_n, min_size), status)


def local_law_144(groups: Sequence[GroupMetrics]) -> ImpactTable:
    """Impact ratios as LL144 summaries show them: every category, under-2% ones marked."""

    def status(group: GroupMetrics, ratio: float) -> str:
        return "under-2%" if group.share < LL144_MIN_SHARE else "disclosed"

    return _impact(groups, lambda g: g.share >= LL144_MIN_SHARE, status)


def _impact(
    groups: Sequence[GroupMetrics],
    counts: Callable[[GroupMetrics], bool],
    status: Callable[[GroupMetrics, float], str],
) -> ImpactTable:
    known = [g for g in groups if None not in g.values]
    unknown = sum(g.count for g in groups if None in g.values)
    eligible = [g for g in known if counts(g)]
    top = max(eligible, key=lambda g: g.rates["selection_rate"].value, default=None)
    highest = top.rates["selection_rate"].value if top else math.nan
    rows = []
    for group in known:
        rate = group.rates["selection_rate"]
        if top is None or highest == 0:
            ratio, verdict = math.nan, "undefined"
        else:
            ratio = rate.value / highest
            verdict = status(group, ratio)
        rows.append(
            ImpactRow(group.label, group.count, rate.successes, group.share, rate.value, ratio,
                      verdict)
        )  # fmt: skip
    return ImpactTable(tuple(rows), top.label if top else None, unknown)
