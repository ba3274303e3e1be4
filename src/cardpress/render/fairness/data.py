"""The fairness page's data (also written as its ``.json``), from a computed report.

NaN never reaches the page or the JSON: an undefined number is ``null`` beside its reason.
With ``suppress_small_groups``, a small group's counts and metrics are left out everywhere.
"""

from __future__ import annotations

import math
import re
from typing import Any

from cardpress.compute.fairness.disparity import METRICS
from cardpress.compute.fairness.groups import GroupMetrics
from cardpress.compute.fairness.report import FairnessReport, Grouping
from cardpress.compute.fairness.rules import ImpactTable
from cardpress.model import FairnessSettings, Predictions
from cardpress.render.charts import Chart, group_dots
from cardpress.render.fairness.scored import grouping_scored, scored_chart_specs, scored_data

# metric id -> (name, formula); the page explains the conventions around them
METRIC_NAMES: dict[str, tuple[str, str]] = {
    "base_rate": ("Base rate", "(TP + FN) / n: share whose true label is positive"),
    "selection_rate": ("Selection rate", "(TP + FP) / n: share predicted positive"),
    "accuracy": ("Accuracy", "(TP + TN) / n"),
    "precision": ("Precision", "TP / (TP + FP)"),
    "recall": ("Recall (TPR)", "TP / (TP + FN): true positive rate"),
    "fpr": ("False positive rate", "FP / (FP + TN)"),
    "fnr": ("False negative rate", "FN / (TP + FN)"),
    "auc": ("AUC", "P(score of a random positive > score of a random negative), ties count ½"),
}


def fairness_data(
    report: FairnessReport, predictions: Predictions, settings: FairnessSettings
) -> dict[str, Any]:
    """Everything the fairness page shows, JSON-able."""
    suppress = settings.suppress_small_groups
    metrics = [m for m in METRICS if m != "auc" or report.has_scores]
    data: dict[str, Any] = {
        "kind": "fairness-report",
        "task": report.task,
        "predictions": {
            "uri": predictions.uri,
            "sha256": predictions.file_sha256,
            "dataset": predictions.dataset,
            "rows": report.rows,
            "positive_label": predictions.positive_label,
            "y_true": predictions.y_true,
            "y_pred": predictions.y_pred,
            "y_score": predictions.y_score,
            "sensitive": list(predictions.sensitive),
            "weight": predictions.weight,
            "threshold": predictions.threshold,
        },
        "weighted": report.weighted,
        "settings": {
            "min_group_size": settings.min_group_size,
            "suppress_small_groups": suppress,
            "four_fifths_threshold": settings.four_fifths_threshold,
        },
        "metrics": [
            {"id": m, "name": METRIC_NAMES[m][0], "formula": METRIC_NAMES[m][1]} for m in metrics
        ],
        "overall": _group(report.overall, metrics, suppress=False),
        "groupings": distinct_ids([_grouping(g, metrics, suppress) for g in report.groupings]),
        "skipped_intersections": [
            {"columns": list(columns), "why": why} for columns, why in report.skipped_intersections
        ],
    }
    if report.has_scores:  # calibration within groups and threshold curves
        data.update(scored_data(report))
        for grouping, shown in zip(report.groupings, data["groupings"], strict=True):
            hidden = {g.label for g in grouping.groups if suppress and g.small}
            shown["scored"] = grouping_scored(grouping, hidden)
    return data


def headline(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The disparities a model card shows for each grouping, from the page's data."""
    rows = []
    for grouping in data["groupings"]:
        spreads = {s["metric"]: s for s in grouping["spreads"]}
        rows.append(
            {
                "grouping": grouping["name"],
                "anchor": grouping["id"],
                "groups": len(grouping["groups"]),
                "parity": grouping["parity"],
                "auc_difference": spreads["auc"]["difference"] if "auc" in spreads else None,
                "flagged": _with_status(grouping["four_fifths"]["rows"], "flagged"),
                "not_significant": _with_status(
                    grouping["four_fifths"]["rows"], "below-not-significant"
                ),
                "judged": judged(grouping["four_fifths"]["rows"]),
            }
        )
    return rows


def judged(rows: list[dict[str, Any]]) -> int:
    """How many groups the four-fifths rule judged (0: all too small, or none selected).

    The card must not show 0 as "no group below four-fifths".
    """
    return sum(r["status"] in ("pass", "flagged", "below-not-significant") for r in rows)


def _with_status(rows: list[dict[str, Any]], status: str) -> list[str]:
    return [r["label"] for r in rows if r["status"] == status]


def grouping_head(grouping: Any, reference: str | None, groups: list[Any]) -> dict[str, Any]:
    """What every task's page data says first of a grouping: its anchor, name, reference, rows."""
    return {
        "id": "by-" + _slug(grouping.name),
        "name": grouping.name,
        "columns": list(grouping.columns),
        "reference": reference,
        "reference_rule": grouping.reference_rule,
        "groups": groups,
    }


def _grouping(grouping: Grouping, metrics: list[str], suppress: bool) -> dict[str, Any]:
    hidden = {g.label for g in grouping.groups if suppress and g.small}
    reference = grouping.reference.label if grouping.reference else None
    groups = []
    for group in grouping.groups:
        row = _group(group, metrics, suppress and group.small)
        row["reference"] = group.label == reference
        comparisons = grouping.comparisons.get(group.label, {})
        row["vs_reference"] = (
            {} if group.label in hidden
            else {m: _clean(vars(comparisons[m])) for m in metrics if m in comparisons}
        )  # fmt: skip
        groups.append(row)
    return {
        **grouping_head(grouping, reference, groups),
        "spreads": [_spread(grouping, m) for m in metrics],
        "parity": _clean(vars(grouping.parity)),
        "four_fifths": _impact(grouping.four_fifths, hidden),
        "ll144": _impact(grouping.ll144, hidden),
    }


def _group(group: GroupMetrics, metrics: list[str], suppress: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"label": group.label, "values": list(group.values), "small": group.small}
    if suppress:
        return {**row, "suppressed": True, "count": None, "share": None, "metrics": {}}
    values = {name: _clean(vars(rate)) for name, rate in group.rates.items() if name in metrics}
    if not group.weighted:  # the effective size is the row count: said once, not per rate
        for value in values.values():
            value.pop("effective_trials", None)
    if "auc" in metrics:
        auc = {"value": group.auc, "lower": group.auc_lower, "upper": group.auc_upper,
               "undefined": group.auc_undefined}  # fmt: skip
        values["auc"] = _clean(auc)
    confusion = {"tp": group.tp, "fp": group.fp, "tn": group.tn, "fn": group.fn}
    if group.weighted:  # the count is Σw: the rows and the effective size beside it
        row |= {"rows": group.rows, "effective_n": group.effective_n}
    return {**row, "suppressed": False, "count": group.count, "share": _number(group.share),
            "confusion": confusion, "metrics": values}  # fmt: skip


def _spread(grouping: Grouping, metric: str) -> dict[str, Any]:
    spread = grouping.spreads[metric]
    data = _clean(vars(spread))
    data["left_out"] = [{"group": label, "why": why} for label, why in spread.left_out]
    return data


def _impact(table: ImpactTable, hidden: set[str]) -> dict[str, Any]:
    rows = []
    for row in table.rows:
        if row.label in hidden:
            rows.append({"label": row.label, "status": "suppressed"})
        else:
            rows.append(_clean(vars(row)))
    return {"highest": table.highest, "unknown": table.unknown, "rows": rows}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _number(value) for key, value in values.items()}


def _number(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def distinct_ids(groupings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each grouping its own anchor id: a later one that repeats an id gets "-2", "-3"….

    Ids are slugs of the names, so ``sex_race`` and the intersection ``sex × race`` (or ``Sex``
    and ``sex``) would share one; charts are looked up by id, so one grouping showed the other's.
    """
    seen: set[str] = set()
    for grouping in groupings:
        base, number = grouping["id"], 2
        while grouping["id"] in seen:
            grouping["id"], number = f"{base}-{number}", number + 1
        seen.add(grouping["id"])
    return groupings


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "group"


def fairness_chart_specs(data: dict[str, Any]) -> dict[str, Chart]:
    """One chart per grouping: a panel per metric, groups in size order, undefined left out."""
    names = {m["id"]: (order, m["name"]) for order, m in enumerate(data["metrics"])}
    specs: dict[str, Chart] = {}
    for grouping in data["groupings"]:
        shown = [g for g in grouping["groups"] if not g["suppressed"]]
        rows = [
            {
                "metric": names[metric][1],
                "order": names[metric][0],
                "group": group["label"],
                "value": value["value"],
                "lower": value["lower"],
                "upper": value["upper"],
                "role": "reference"
                if group["reference"]
                else "small"
                if group["small"]
                else "other",
            }
            for metric in names
            for group in shown
            if (value := group["metrics"][metric])["value"] is not None
        ]
        if rows:
            specs[grouping["id"]] = group_dots(rows, groups=[g["label"] for g in shown])
    specs |= scored_chart_specs(data)
    return specs


def _role(group: dict[str, Any]) -> str:
    """How the chart marks a group: by shape, so it reads without colour."""
    if group["reference"]:
        return "reference"
    return "small" if group["small"] else "other"
