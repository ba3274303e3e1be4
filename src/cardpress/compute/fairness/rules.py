"""The rules reviewers apply to selection rates: the four-fifths rule and NYC Local Law 144.

Both divide each group's selection rate by the *highest* rate among the groups that count, and
differ in which groups count and in the verdict:

- Four-fifths rule (EEOC, 29 CFR 1607.4(D)): groups of at least ``min_group_size`` rows count; a
  ratio below the threshold (default 0.8) is flagged when the shortfall is also statistically
  significant. The test is ``ratio < threshold``, so a ratio of exactly 0.8 passes. Observed
  rates of equal true rates fall below 4/5 of the highest by chance all the time (five groups of
  100 rows at a 30% rate: in 83% of samples), and the guidelines themselves say a difference
  "based on small numbers" that is "not statistically significant" may not be adverse impact.
  So each group below the threshold is compared by Fisher's exact test (two-sided, on the 2 × 2
  table of selected and not selected) with every judged group it is below four-fifths of, and
  flagged when the smallest p-value is below ``ALPHA`` divided by the number of pairs of judged
  groups (Bonferroni over every pair: the groups compared are chosen by the data). Not only the
  highest group: a small group that edges ahead would clear a shortfall that is clear against a
  large one.
  Measured (bench/four_fifths.py): with equal true rates, a flag in at most 5% of samples; the
  others are ``below-not-significant``. With weights the table holds effective counts, (Σw)²/Σw²
  rows and the selection rate times that, rounded.
- NYC Local Law 144 (6 RCNY §5-301): every category is reported with its counts; categories under
  2% of the rows may be left out of the calculation, so they do not set the highest rate (their
  ratio is still shown, marked). The law sets no pass mark: the ratio is disclosed, not judged.

Rows whose sensitive value is missing are an unknown category: counted and reported, never a
group that sets or fails a rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.fairness.groups import GroupMetrics
from cardpress.compute.limits import below

LL144_MIN_SHARE = 0.02
ALPHA = 0.05  # the four-fifths flag's false-alarm rate over a grouping, when rates are equal


@dataclass(frozen=True)
class ImpactRow:
    """One group's selection rate and impact ratio under a rule."""

    label: str
    count: float  # rows, or the sum of their weights
    selected: float
    share: float
    rate: float
    ratio: float
    # pass | flagged | below-not-significant | disclosed | small | under-2% | unknown | undefined
    status: str
    # four-fifths, below the threshold: the smallest p of Fisher's test against each judged group
    # it is below four-fifths of, that group, the level (ALPHA over the pairs judged), and the
    # (selected, size) counts tested (effective counts with weights), this group's then that's
    p_value: float | None = None
    compared_with: str | None = None
    alpha: float | None = None
    tested: tuple[tuple[int, int], tuple[int, int]] | None = None


@dataclass(frozen=True)
class ImpactTable:
    """A rule's table for one grouping, and the group that set the highest rate."""

    rows: tuple[ImpactRow, ...]
    highest: str | None
    unknown: float  # rows (or their weight) with a missing sensitive value: counted, left out


def four_fifths(
    groups: Sequence[GroupMetrics], min_size: int, threshold: float, tables: int = 1
) -> ImpactTable:
    """Each judged group's selection rate ÷ the highest, flagged when significantly below.

    Below ``threshold`` but not significantly is ``below-not-significant`` (see the module doc).
    ``tables``: how many such tables the grouping's verdict spans (a multiclass model's classes):
    the level is shared among them too, so that a grouping with equal rates is flagged in at
    most 5% of samples whatever the number of classes.
    """

    def judged(group: GroupMetrics) -> bool:
        return not below(group.effective_n, min_size)  # the row count, or (Σw)²/Σw²

    def status(group: GroupMetrics, ratio: float) -> str:
        if not judged(group):
            return "small"
        return "flagged" if below(ratio, threshold) else "pass"

    table = _impact(groups, judged, status)
    judged_groups = [g for g in groups if None not in g.values and judged(g)]
    count = len(judged_groups)
    alpha = ALPHA / max(1, count * (count - 1) // 2) / max(1, tables)
    rows = tuple(
        _tested(row, judged_groups, str(table.highest), threshold, alpha)
        if row.status == "flagged"
        else row
        for row in table.rows
    )
    return ImpactTable(rows, table.highest, table.unknown)


def _tested(
    row: ImpactRow, judged: list[GroupMetrics], highest: str, threshold: float, alpha: float
) -> ImpactRow:
    """A row below the threshold, flagged only if Fisher's test says it is not chance.

    The group is tested against every judged group it is below four-fifths of, not only the
    highest: a small group that edges ahead must not clear a shortfall that is clear against a
    large one. The level already counts every pair, so testing several keeps the false-alarm
    rate; the smallest p decides, and the page names the group it came from.
    """
    group = next(g for g in judged if g.label == row.label)
    rate = group.rates["selection_rate"].value
    above = [
        g
        for g in judged
        if g.label == highest or below(rate, threshold * g.rates["selection_rate"].value)
    ]
    mine = _table(group)
    p_value, _, other, theirs = min((fisher_p_value(mine, table), index, other.label, table)
                                    for index, other in enumerate(above)
                                    for table in [_table(other)])  # fmt: skip
    verdict = "flagged" if p_value < alpha else "below-not-significant"
    return replace(row, status=verdict, p_value=p_value, compared_with=other, alpha=alpha,
                   tested=(mine, theirs))  # fmt: skip


def _table(group: GroupMetrics) -> tuple[int, int]:
    """(selected, not selected): rows, or effective counts with weights."""
    rate = group.rates["selection_rate"].value
    size = round(group.effective_n) if group.weighted else group.rows
    selected = round(rate * group.effective_n) if group.weighted else round(group.tp + group.fp)
    return selected, size - selected


def fisher_p_value(first: tuple[int, int], second: tuple[int, int]) -> float:
    """Two-sided p-value of Fisher's exact test on the 2 × 2 table of two (yes, no) counts.

    The chance, with the table's margins fixed (hypergeometric), of every table no likelier than
    the observed one; tables within a relative 1e-7 of it count as equally likely, as R's
    ``fisher.test`` (scipy's ``fisher_exact`` uses 1e-14: the two differ only on such near-ties).

    Each table's chance is taken relative to the likeliest table's, by the ratio of neighbouring
    tables' chances summed outward from it, and normalised by their sum: no log-factorials of
    millions (``gammaln`` lost ~1e-8 of the p-value on a million rows) and no scipy. Tables
    further from the mean than the observed one by 40 standard deviations (at least 40 counts)
    more are left out: each is below 1e-50 of the observed one's chance (Poisson-like tails of
    a small mean are the heaviest; normal-like ones give e^-800), so ten million rows sum some
    10^5 terms instead of 5·10^6.
    """
    (yes, no), (other_yes, other_no) = first, second
    row, column = yes + no, yes + other_yes
    total = row + other_yes + other_no
    low, high = max(0, row + column - total), min(row, column)
    if total > 1:
        mean = row * column / total
        variance = row * column * (total - row) * (total - column) / (total**2 * (total - 1))
        reach = abs(yes - mean) + 40 * max(math.sqrt(variance), 1.0)
        low, high = max(low, math.floor(mean - reach)), min(high, math.ceil(mean + reach))
    chance = _relative_chances(low, high, row, column, total)
    observed = chance[yes - low]
    return float(min(1.0, chance[chance <= observed * (1 + 1e-7)].sum() / chance.sum()))


def _relative_chances(
    low: int, high: int, row: int, column: int, total: int
) -> NDArray[np.float64]:
    """The chance of each table with ``low``…``high`` yes in the first row, over the likeliest's.

    Neighbouring tables' log-ratio falls as the count rises (the hypergeometric is
    log-concave), so the likeliest comes after the rises; sums run outward from it, where
    each partial sum is small and adds little rounding.
    """
    x = np.arange(low, high, dtype=np.float64)  # table x to table x + 1
    rises = (
        np.log(column - x) + np.log(row - x) - np.log(x + 1) - np.log(total - column - row + x + 1)
    )
    top = int(np.count_nonzero(rises > 0))
    before = -np.cumsum(rises[:top][::-1])[::-1]
    after = np.cumsum(rises[top:])
    chances: NDArray[np.float64] = np.exp(np.concatenate([before, [0.0], after]))
    return chances


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
        if top is None:  # no group counts (all small): each is shown as the rule left it out
            ratio, verdict = math.nan, status(group, math.nan)
        elif highest == 0:  # groups count, but none selected anyone: a ratio 0 / 0
            ratio, verdict = math.nan, "undefined"
        else:
            ratio = rate.value / highest
            verdict = status(group, ratio)
        rows.append(
            ImpactRow(group.label, group.count, rate.successes, group.share, rate.value, ratio,
                      verdict)
        )  # fmt: skip
    return ImpactTable(tuple(rows), top.label if top else None, unknown)
