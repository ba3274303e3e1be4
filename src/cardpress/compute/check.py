"""Evaluate a check policy against model versions: pure functions over what readers produced.

Each rule gives one result per version (a fairness rule one per grouping): pass, or the rule's
level (fail or warn) with the figure, the limit and the policy line the rule came from. A rule
that cannot be evaluated (no fairness report, a metric not recorded) is broken, never passed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from cardpress.compute.card import card_data
from cardpress.compute.card_data import final_value
from cardpress.compute.fairness.disparity import spread
from cardpress.compute.fairness.groups import GroupMetrics
from cardpress.compute.fairness.multiclass_types import MulticlassReport
from cardpress.compute.fairness.regression_report import (
    RegressionGrouping,
    SliceReport,
    is_regression_metric,
    spreads_of,
)
from cardpress.compute.fairness.report import FairnessReport, Grouping
from cardpress.compute.limits import above, below
from cardpress.compute.review import review_state
from cardpress.compute.site import ModelEntry, VersionEntry
from cardpress.model import GONE, Rule, SignOff

APPROVING = ("approved", "approved-with-conditions")


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome on one model version."""

    model: str
    version: str
    rule: str
    kind: str
    status: str  # pass | warn | fail | n/a (a rule that does not apply to the model's task)
    figure: str
    limit: str
    source: str

    @property
    def target(self) -> str:
        """``model@version``."""
        return f"{self.model}@{self.version}"


@dataclass(frozen=True)
class Evidence:
    """What the rules look at for one version: the version, and what was read about it."""

    model: ModelEntry
    entry: VersionEntry
    fairness: SliceReport | None
    signoffs: tuple[SignOff, ...]
    min_group_size: int
    current_hashes: dict[
        str, str | None
    ]  # data set id -> sha256 of its file now, None if not a file cardpress reads, GONE if deleted


def check_version(rules: tuple[Rule, ...], evidence: Evidence) -> list[RuleResult]:
    """Every rule's results on one version, in policy order."""
    results = []
    model, version = evidence.model.name, evidence.entry.version
    for rule in rules:
        where = rule.source
        source = f"{where.file}:{where.line}" if where.line else where.file
        models = rule.params.get("models")
        if models is not None and model not in models:
            figure = f"not applicable: the rule applies to {', '.join(models)}"
            results.append(RuleResult(model, version, rule.name, rule.kind, "n/a", figure,
                                      "—", source))  # fmt: skip
            continue
        for rule_name, broken, figure, limit in _EVALUATE[rule.kind](rule, evidence):
            status = "n/a" if broken is None else rule.level if broken else "pass"
            results.append(
                RuleResult(model, version, rule_name, rule.kind, status, figure, limit, source)
            )
    return results


Outcome = tuple[str, bool | None, str, str]  # rule name, broken? (None: n/a), figure, limit


def _sections(rule: Rule, evidence: Evidence) -> list[Outcome]:
    card = card_data(evidence.model, evidence.entry)
    rows = {r["id"]: r for r in card["completeness"]["sections"]}
    required = rule.params["require"]
    missing = [rows[s]["title"] for s in required if not rows[s]["documented_by"]]
    figure = f"{len(required) - len(missing)} of {len(required)} documented"
    if missing:
        figure += f"; not documented: {', '.join(missing)}"
    return [(rule.name, bool(missing), figure, "all documented")]


def _signoff(rule: Rule, evidence: Evidence) -> list[Outcome]:
    statuses = rule.params.get("statuses", ["approved"])
    limit = f"status {' or '.join(statuses)} needs a current approving sign-off"
    status = evidence.entry.status
    if status not in statuses:
        return [(rule.name, False, f"status {status or 'not set'}: no sign-off needed", limit)]
    state = review_state(evidence.signoffs, evidence.entry.run)
    decision = state["decision"]
    if decision is None:
        stale = state["stale"]
        figure = "no current sign-off" + (
            f" ({stale} stale: the record changed since)" if stale else ""
        )
        return [(rule.name, True, figure, limit)]
    figure = f"{decision} by {state['latest']['name']} ({state['latest']['role']})"
    return [(rule.name, decision not in APPROVING, figure, limit)]


def _fairness(rule: Rule, evidence: Evidence) -> list[Outcome]:
    metric, measure = rule.params["metric"], rule.params["measure"]
    min_size = rule.params.get("min_group_size", evidence.min_group_size)
    limit = _limit(rule) + f" over groups of ≥ {min_size} rows"
    report = evidence.fairness
    if report is None:
        return [(rule.name, True, "no fairness report: the run names no sensitive columns", limit)]
    regression = report.task == "regression"
    if regression != is_regression_metric(metric):
        task = "regression" if regression else f"{report.task} classification"
        return [(rule.name, None, f"not applicable to {task}: {metric} is not one of its "
                 "metrics", limit)]  # fmt: skip
    wanted = tuple(rule.params.get("columns", ()))
    if not any(_is_wanted(g.columns, wanted) for g in report.groupings):
        known = ", ".join(g.name for g in report.groupings)
        figure = f"no grouping {' × '.join(wanted)} in the report (it has {known})"
        return [(rule.name, True, figure, limit)]
    if isinstance(report, MulticlassReport):
        return _multiclass_fairness(rule, report, wanted, limit, min_size)
    groupings: list[Grouping | RegressionGrouping] = [
        g for g in report.groupings if _is_wanted(g.columns, wanted)
    ]
    outcomes: list[Outcome] = []
    for grouping in groupings:
        if isinstance(report, FairnessReport) and metric == "auc" and not report.has_scores:
            figure = "undefined: no scores in the predictions (predictions.columns.y_score)"
            outcomes.append((_named(rule, wanted, grouping.name), True, figure, limit))
            continue
        shown = grouping if isinstance(grouping, RegressionGrouping) else grouping.groups
        figure, value = _spread_figure(shown, metric, measure, min_size)
        outcomes.append((_named(rule, wanted, grouping.name), _breaks(rule, value), figure, limit))
    return outcomes


def _is_wanted(columns: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """Whether a grouping is the one a rule's ``columns`` names (all when it names none).

    An intersection is the same set of columns in any order: ``["race", "sex"]`` in the policy
    is the ``["sex", "race"]`` the fairness settings configured.
    """
    return not wanted or sorted(columns) == sorted(wanted)


def _named(rule: Rule, wanted: tuple[str, ...], grouping: str) -> str:
    """The result's name: the rule's, naming the grouping as configured (``sex × race``).

    A rule on every grouping gets one result per grouping, ``by`` it. A rule on one grouping
    keeps its name, with the policy's order of the columns (in the default name) replaced by
    the configured one, so results read the same as the fairness report.
    """
    if not wanted:
        return f"{rule.name} by {grouping}"
    asked = f" by {' × '.join(wanted)}"
    return (
        rule.name.removesuffix(asked) + f" by {grouping}"
        if rule.name.endswith(asked)
        else rule.name
    )


def _multiclass_fairness(
    rule: Rule, report: MulticlassReport, wanted: tuple[str, ...], limit: str, min_size: int
) -> list[Outcome]:
    """A multiclass model: the rule on each class against the rest, one result per class.

    A metric that a class cannot have (AUC without per-class scores) gives "not applicable",
    which, like any rule that cannot be evaluated, does not pass.
    """
    metric, measure = rule.params["metric"], rule.params["measure"]
    outcomes: list[Outcome] = []
    for grouping in report.groupings:
        if not _is_wanted(grouping.columns, wanted):
            continue
        for index, name in enumerate(report.classes):
            label = _named(rule, wanted, grouping.name) + f", class {name}"
            if metric == "auc" and not report.has_scores:
                figure = (
                    "not applicable: no per-class scores (predictions.columns.y_score_by_class)"
                )
                outcomes.append((label, True, figure, limit))
                continue
            groups = [g.ovr[index] for g in grouping.groups]
            figure, value = _spread_figure(groups, metric, measure, min_size)
            outcomes.append((label, _breaks(rule, value), figure, limit))
    return outcomes


def _spread_figure(
    groups: Sequence[GroupMetrics] | RegressionGrouping, metric: str, measure: str, min_size: int
) -> tuple[str, float]:
    if isinstance(groups, RegressionGrouping):
        resized = [replace(g, small=below(g.effective_n, min_size)) for g in groups.groups]
        if resized and metric not in resized[0].metrics:
            return f"not computed: {metric} is not in [fairness] error_quantiles", math.nan
        result = spreads_of(resized, metric)
    else:
        result = spread([replace(g, small=below(g.effective_n, min_size)) for g in groups], metric)
    if result.undefined:
        return f"undefined: {result.undefined}", math.nan
    value = result.ratio if measure == "ratio" else result.difference
    if math.isnan(value):  # min / max with max 0: no ratio, and not a pass
        return f"undefined: every group's {metric} is 0 (a ratio 0 / 0)", value
    extremes = f"{result.lowest} {result.minimum:.4g}, {result.highest} {result.maximum:.4g}"
    return f"{measure} {value:.4g} ({extremes})", value


def _performance(rule: Rule, evidence: Evidence) -> list[Outcome]:
    key, dataset = rule.params["metric"], rule.params["dataset"]
    metrics = evidence.entry.run.metrics
    found = [m for m in metrics if m.key == key and m.dataset == dataset and not m.slice]
    if not found:
        return [(rule.name, True, f"{key} on {dataset} is not recorded", _limit(rule))]
    final = final_value(found)
    detail = f"{key} = {final.value:.6g} on {dataset}"
    if len(found) > 1:  # say which: the gate must not pick one of several values silently
        which = f"step {final.step}, the highest" if final.step is not None else "the last listed"
        detail += f" ({which} of {len(found)} recorded values)"
    return [(rule.name, _breaks(rule, final.value), detail, _limit(rule))]


def _hashes(rule: Rule, evidence: Evidence) -> list[Outcome]:
    changed: list[str] = []
    gone: list[str] = []
    absent: list[str] = []
    unhashed: list[str] = []
    same = 0
    for dataset in evidence.entry.run.datasets:
        current = evidence.current_hashes.get(dataset.id)
        if not dataset.sha256:
            unhashed.append(dataset.id)
        elif current == GONE:  # deleting a file must not turn "changed" into "not checked"
            gone.append(dataset.id)
        elif current is None:
            absent.append(dataset.id)
        elif current != dataset.sha256:
            changed.append(dataset.id)
        else:
            same += 1
    limit = "each file's sha256 equals the recorded one"
    kinds = (("changed since recorded", changed),
             ("file missing (deleted or moved since recorded)", gone),
             ("not in the records folder, not checked", absent),
             ("no sha256 recorded, not checked", unhashed))  # fmt: skip
    notes = [f"{what}: {', '.join(ids)}" for what, ids in kinds if ids]
    broken = bool(changed or gone)
    if not same and not broken:  # nothing compared: a pass would claim a check never made
        notes = notes or ["no data set recorded"]
        return [(rule.name, None, "; ".join(["nothing compared", *notes]), limit)]
    return [(rule.name, broken, "; ".join([f"{same} unchanged", *notes]), limit)]


def _limit(rule: Rule) -> str:
    parts = []
    if "min" in rule.params:
        parts.append(f"≥ {rule.params['min']:g}")
    if "max" in rule.params:
        parts.append(f"≤ {rule.params['max']:g}")
    return " and ".join(parts)


def _breaks(rule: Rule, value: float) -> bool:
    """A limit is broken by a value beyond it, or by no value at all (NaN)."""
    if math.isnan(value):
        return True
    too_low = "min" in rule.params and below(value, rule.params["min"])
    too_high = "max" in rule.params and above(value, rule.params["max"])
    return too_low or too_high


_EVALUATE: dict[str, Callable[[Rule, Evidence], list[Outcome]]] = {
    "sections": _sections,
    "signoff": _signoff,
    "fairness": _fairness,
    "performance": _performance,
    "hashes": _hashes,
}
