"""Disparities between groups: against a reference group, between groups, and fairlearn's measures.

Conventions (each is also written on the fairness page):
- Groups smaller than ``min_group_size`` are *small*: shown, never judged; they take no part in
  the reference choice, the between-groups spread, demographic parity, equalized odds or the
  four-fifths rule.
- A metric that is undefined for a group (no denominator) is left out of every aggregate with the
  reason, never replaced by 0. fairlearn instead reports recall = FNR = 0 for a group without
  actual positives; on groups where both are defined the numbers agree.
- Between groups: difference = max − min, ratio = min / max (fairlearn's ``between_groups``).
- To the reference: difference = group − reference, ratio = group / reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from cardpress.compute.fairness.groups import RATES, GroupMetrics

METRICS: tuple[str, ...] = (*RATES, "auc")


class Group(Protocol):
    """What the reference choice needs of a group (binary or regression metrics alike)."""

    @property
    def columns(self) -> tuple[str, ...]: ...  # noqa: D102
    @property
    def values(self) -> tuple[str | None, ...]: ...  # noqa: D102
    @property
    def small(self) -> bool: ...  # noqa: D102
    @property
    def label(self) -> str: ...  # noqa: D102


G = TypeVar("G", bound=Group)
# a group's value of a metric and, when it has none, why (metric_value for binary groups)
ValueOf = Callable[[Any, str], tuple[float, str | None]]


@dataclass(frozen=True)
class Comparison:
    """A group's metric next to the reference group's."""

    difference: float
    ratio: float
    undefined: str | None = None
    ratio_undefined: str | None = None


@dataclass(frozen=True)
class Spread:
    """The spread of one metric over the judged groups (fairlearn ``between_groups``)."""

    metric: str
    highest: str | None
    lowest: str | None
    maximum: float
    minimum: float
    difference: float
    ratio: float
    groups: int
    left_out: tuple[tuple[str, str], ...]  # (group label, why) for judged groups left out
    undefined: str | None = None


def metric_value(group: GroupMetrics, metric: str) -> tuple[float, str | None]:
    """A group's value of ``metric`` and, when it has none, why."""
    if metric == "auc":
        return group.auc, group.auc_undefined
    rate = group.rates[metric]
    return rate.value, rate.undefined


def judged(groups: Sequence[G]) -> list[G]:
    """The groups large enough to take part in disparity rules."""
    return [g for g in groups if not g.small]


def choose_reference(groups: Sequence[G], configured: dict[str, str]) -> tuple[G | None, str]:
    """The reference group and how it was chosen.

    A group named in the config (one value per column of the grouping) wins; otherwise the
    largest judged group that is not "missing" (ties broken by label, as the groups are sorted).
    """
    columns = groups[0].columns if groups else ()
    if columns and all(c in configured for c in columns):
        wanted = tuple(configured[c] for c in columns)
        for group in groups:
            if group.values == wanted:
                return group, "set in cardpress.toml ([fairness] reference)"
    candidates = [g for g in judged(groups) if None not in g.values]
    if not candidates:
        return None, "no group is large enough to be the reference"
    return candidates[0], "the largest group (default)"


def compare(group: G, reference: G, metric: str, value_of: ValueOf = metric_value) -> Comparison:
    """Difference and ratio of ``group`` against ``reference`` for one metric."""
    value, why = value_of(group, metric)
    base, base_why = value_of(reference, metric)
    if why or base_why:
        reason = why or f"undefined for the reference group: {base_why}"
        return Comparison(math.nan, math.nan, reason, reason)
    if base == 0:
        return Comparison(value - base, math.nan, None, "the reference group's value is 0")
    return Comparison(value - base, value / base)


def spread(groups: Sequence[G], metric: str, value_of: ValueOf = metric_value) -> Spread:
    """Max − min and min / max of ``metric`` over the judged groups where it is defined."""
    defined: list[tuple[float, str]] = []
    left_out: list[tuple[str, str]] = []
    for group in judged(groups):
        value, why = value_of(group, metric)
        if why:
            left_out.append((group.label, why))
        else:
            defined.append((value, group.label))
    if len(defined) < 2:
        why = "fewer than two groups large enough and with the metric defined"
        nan = math.nan
        return Spread(metric, None, None, nan, nan, nan, nan, len(defined), tuple(left_out), why)
    # the first group in size order wins ties, so the labels do not depend on float noise
    highest = max(defined, key=lambda d: d[0])
    # another group than the highest: when every value is the same, both ends are named
    lowest = min((d for d in defined if d is not highest), key=lambda d: d[0])
    ratio = lowest[0] / highest[0] if highest[0] != 0 else math.nan
    return Spread(
        metric, highest[1], lowest[1], highest[0], lowest[0], highest[0] - lowest[0], ratio,
        len(defined), tuple(left_out),
    )  # fmt: skip


@dataclass(frozen=True)
class Parity:
    """fairlearn's demographic parity and equalized odds (worst case) for one grouping."""

    demographic_parity_difference: float
    demographic_parity_ratio: float
    equalized_odds_difference: float
    equalized_odds_ratio: float


def parity(spreads: dict[str, Spread]) -> Parity:
    """DP = selection-rate spread; EO = the worse of the recall (TPR) and FPR spreads.

    As fairlearn's ``equalized_odds_difference(agg="worst_case")``: max of the two differences,
    min of the two ratios. NaN when a part is undefined: a missing part is not a pass.
    """
    selection, tpr, fpr = spreads["selection_rate"], spreads["recall"], spreads["fpr"]
    eo_difference = max(tpr.difference, fpr.difference)
    eo_ratio = min(tpr.ratio, fpr.ratio)
    if math.isnan(tpr.difference) or math.isnan(fpr.difference):
        eo_difference = math.nan
    if math.isnan(tpr.ratio) or math.isnan(fpr.ratio):
        eo_ratio = math.nan
    return Parity(selection.difference, selection.ratio, eo_difference, eo_ratio)
