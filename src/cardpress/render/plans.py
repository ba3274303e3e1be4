"""What the site's pages are planned as, before rendering: the types every planner shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cardpress.compute.check import RuleResult
from cardpress.compute.fairness.regression_report import SliceReport
from cardpress.model import SignOff
from cardpress.render.charts import Chart


@dataclass(frozen=True)
class RenderedFile:
    """A file of the site: its path inside the site (forward slashes) and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True)
class Extras:
    """What pages beyond the card are made from: fairness reports, sign-offs, check results."""

    fairness: dict[tuple[str, str], SliceReport] = field(default_factory=dict)
    signoffs: tuple[SignOff, ...] = ()
    checks: dict[tuple[str, str], list[RuleResult]] = field(default_factory=dict)
    monitored: frozenset[str] = frozenset()  # models with monitoring rows (a drift timeline)
    cards: dict[tuple[str, str], VersionCard] = field(default_factory=dict)  # planned already


@dataclass(frozen=True)
class PagePlan:
    """A page before rendering: where it goes, its template, its data and its chart specs."""

    path: str
    template: str
    data: dict[str, Any]
    charts: Mapping[str, Chart] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    files: tuple[RenderedFile, ...] = ()  # written beside the page, e.g. a table as CSV


# A version's card data, its fairness page (if it has a report) and the card's charts.
VersionCard = tuple[dict[str, Any], PagePlan | None, dict[str, Chart]]
