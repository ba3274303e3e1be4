"""The fairness page's data for a multiclass model (also its ``.json``), its CSV and its charts.

Shaped like the binary page's data where the two agree (``kind``, ``predictions``, ``settings``,
``groupings`` with ``id``, ``name`` and ``groups``), with ``"task": "multiclass"``; NaN never
reaches the page or the JSON: an undefined number is ``null`` beside its reason.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from cardpress.compute.fairness.disparity import METRICS
from cardpress.compute.fairness.groups import GroupMetrics, Rate
from cardpress.compute.fairness.multiclass import row_normalised
from cardpress.compute.fairness.multiclass_types import (
    ClassDisparity,
    ClassGroup,
    ClassGrouping,
    MulticlassReport,
)
from cardpress.model import FairnessSettings, Predictions
from cardpress.render.charts import Chart, group_dots
from cardpress.render.fairness.data import (
    METRIC_NAMES,
    _clean,
    _impact,
    _number,
    distinct_ids,
    grouping_head,
    judged,
)
from cardpress.render.fairness.multiclass_scored import (
    calibration_chart_specs,
    calibration_method,
    class_ece_spread,
    group_calibration,
    worst_ece,
)
from cardpress.render.fairness.tables import csv_cell

AVERAGE_NAMES: dict[str, str] = {
    f"{how}_{metric}": f"{how.capitalize()} {name}"
    for how in ("macro", "micro", "weighted")
    for metric, name in (("precision", "precision"), ("recall", "recall"), ("f1", "F1"))
}


def multiclass_data(
    report: MulticlassReport, predictions: Predictions, settings: FairnessSettings
) -> dict[str, Any]:
    """Everything the multiclass fairness page shows, JSON-able."""
    suppress = settings.suppress_small_groups
    metrics = [m for m in METRICS if m != "auc" or report.has_scores]
    classes = list(report.classes)
    data = {
        "kind": "fairness-report",
        "task": "multiclass",
        "predictions": {
            "uri": predictions.uri,
            "sha256": predictions.file_sha256,
            "dataset": predictions.dataset,
            "rows": report.rows,
            "y_true": predictions.y_true,
            "y_pred": predictions.y_pred,
            "y_score_by_class": dict(predictions.y_score_by_class),
            "sensitive": list(predictions.sensitive),
            "weighted": report.weighted,
        },
        "settings": {
            "min_group_size": settings.min_group_size,
            "suppress_small_groups": suppress,
            "four_fifths_threshold": settings.four_fifths_threshold,
        },
        "classes": classes,
        "warnings": list(report.warnings),
        "metrics": [
            {"id": m, "name": METRIC_NAMES[m][0], "formula": METRIC_NAMES[m][1]} for m in metrics
        ],
        "averages": [{"id": key, "name": name} for key, name in AVERAGE_NAMES.items()],
        "overall": _group(report.overall, classes, metrics, suppress=False),
        "groupings": distinct_ids(
            [_grouping(g, classes, metrics, suppress) for g in report.groupings]
        ),
        "skipped_intersections": [
            {"columns": list(columns), "why": why} for columns, why in report.skipped_intersections
        ],
    }
    if report.has_scores:  # calibration of each class within groups
        data["calibration_method"] = calibration_method()
    return data


def multiclass_headline(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's headline rows: per grouping, the worst class of each disparity.

    ``flagged`` lists every (group, class) the four-fifths rule flags, as ``group (class)``;
    ``not_significant`` those below its threshold whose shortfall could be chance.
    """
    rows = []
    for grouping in data["groupings"]:
        auc = [s["difference"] for c in grouping["classes"] for s in c["spreads"]
               if s["metric"] == "auc" and s["difference"] is not None]  # fmt: skip
        worst = grouping["worst"]
        rows.append({
            "grouping": grouping["name"], "anchor": grouping["id"],
            "groups": len(grouping["groups"]),
            "parity": {k: worst[k] for k in ("demographic_parity_difference",
                       "demographic_parity_ratio", "equalized_odds_difference",
                       "equalized_odds_ratio")},
            "auc_difference": max(auc) if auc else None, "flagged": grouping["flagged"],
            "not_significant": grouping["not_significant"],
            "judged": sum(judged(c["four_fifths"]["rows"]) for c in grouping["classes"]),
        })  # fmt: skip
    return rows


def _grouping(
    grouping: ClassGrouping, classes: list[str], metrics: list[str], suppress: bool
) -> dict[str, Any]:
    hidden = {g.label for g in grouping.groups if suppress and g.small}
    groups = []
    for group in grouping.groups:
        row = _group(group, classes, metrics, suppress and group.small)
        row["reference"] = group.label == grouping.reference
        groups.append(row)
    scored = any(g.calibration for g in grouping.groups)
    per_class = [_class(c, metrics, hidden, scored) for c in grouping.classes]
    flagged, not_significant = (
        [f"{r['label']} ({c['class']})" for c in per_class for r in c["four_fifths"]["rows"]
         if r["status"] == status]
        for status in ("flagged", "below-not-significant")
    )  # fmt: skip
    worst = _clean(vars(grouping.worst))
    worst["classes"] = dict(grouping.worst_class)
    if scored:
        worst["ece"] = worst_ece(grouping)
    return {
        **grouping_head(grouping, grouping.reference, groups),
        "summary": [_spread(s) for s in grouping.summary.values()],
        "classes": per_class, "worst": worst, "flagged": flagged,
        "not_significant": not_significant,
    }  # fmt: skip


def _class(
    disparity: ClassDisparity, metrics: list[str], hidden: set[str], scored: bool
) -> dict[str, Any]:
    found = {
        "class": disparity.name,
        "spreads": [_spread(disparity.spreads[m]) for m in metrics],
        "parity": _clean(vars(disparity.parity)),
        "vs_reference": {
            label: {m: _clean(vars(c)) for m, c in by_metric.items() if m in metrics}
            for label, by_metric in disparity.comparisons.items() if label not in hidden
        },
        "four_fifths": _impact(disparity.four_fifths, hidden),
        "ll144": _impact(disparity.ll144, hidden),
    }  # fmt: skip
    if scored:
        found["ece_spread"] = class_ece_spread(disparity)
    return found


def _spread(spread: Any) -> dict[str, Any]:
    data = _clean(vars(spread))
    data["left_out"] = [{"group": label, "why": why} for label, why in spread.left_out]
    return data


def _group(
    group: ClassGroup, classes: list[str], metrics: list[str], suppress: bool
) -> dict[str, Any]:
    row: dict[str, Any] = {"label": group.label, "values": list(group.values), "small": group.small}
    if suppress:
        return {**row, "suppressed": True, "count": None, "share": None, "per_class": {}}
    counts = group.confusion.tolist()
    shares = [[_number(v) for v in line] for line in row_normalised(group.confusion).tolist()]
    per_class = {
        name: _one_class(ovr, group.f1[index], metrics)
        for index, (name, ovr) in enumerate(zip(classes, group.ovr, strict=True))
    }
    if group.calibration:
        row |= group_calibration(group, classes)
    return {
        **row, "suppressed": False, "count": group.count, "weight": group.weight,
        "share": _number(group.share), "accuracy": _rate(group.accuracy),
        "averages": {k: _number(v) for k, v in group.averages.items()},
        "macro_auc": _number(group.macro_auc),
        "confusion": {"counts": [[_count(v) for v in line] for line in counts],
                      "row_normalised": shares},
        "per_class": per_class,
    }  # fmt: skip


def _one_class(ovr: GroupMetrics, f1: float, metrics: list[str]) -> dict[str, Any]:
    values = {name: _rate(rate) for name, rate in ovr.rates.items() if name in metrics}
    if "auc" in metrics:
        values["auc"] = _clean({"value": ovr.auc, "lower": ovr.auc_lower, "upper": ovr.auc_upper,
                                "undefined": ovr.auc_undefined})  # fmt: skip
    confusion = {"tp": ovr.tp, "fp": ovr.fp, "tn": ovr.tn, "fn": ovr.fn}
    return {"metrics": values, "f1": _number(f1), "confusion": confusion}


def _rate(rate: Rate) -> dict[str, Any]:
    """A rate's data; its effective size only with weights (without, it is the row count)."""
    data = _clean(vars(rate))
    if rate.effective_trials is None:
        data.pop("effective_trials", None)
    return data


def _count(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


CSV_COLUMNS = (
    "grouping", "group", "count", "share", "reference", "small", "suppressed", "class", "metric",
    "value", "lower", "upper", "successes", "trials", "undefined", "difference_vs_reference",
    "ratio_vs_reference",
)  # fmt: skip


def multiclass_csv(data: dict[str, Any]) -> bytes:
    """Every figure of the page as CSV: a row per grouping, group, class and metric.

    ``class`` is empty for whole-model figures (accuracy, averages, macro AUC) and for the
    confusion-matrix cells, whose metric is ``confusion:<true class>→<predicted class>``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    overall = {"name": "all rows", "groups": [{**data["overall"], "reference": None}],
               "classes": []}  # fmt: skip
    for grouping in [overall, *data["groupings"]]:
        versus = {c["class"]: c["vs_reference"] for c in grouping["classes"]}
        for group in grouping["groups"]:
            head = [grouping["name"], group["label"], group["count"], group["share"],
                    group.get("reference"), group["small"], group["suppressed"]]  # fmt: skip
            for row in _group_rows(group, data, versus):
                writer.writerow([csv_cell(cell) for cell in head + row])
    return buffer.getvalue().encode("utf-8")


def _group_rows(
    group: dict[str, Any], data: dict[str, Any], versus: dict[str, dict[str, Any]]
) -> list[list[Any]]:
    if group["suppressed"]:
        return []
    accuracy = group["accuracy"]
    rows = [
        ["", "accuracy"]
        + [accuracy[k] for k in ("value", "lower", "upper", "successes", "trials", "undefined")]
        + [None, None]
    ]
    rows += [["", key, group["averages"][key], *[None] * 7] for key in AVERAGE_NAMES]
    if any(m["id"] == "auc" for m in data["metrics"]):
        rows.append(["", "macro_auc", group["macro_auc"], *[None] * 7])
    if group.get("brier"):
        brier = group["brier"]
        rows.append(["", "multiclass_brier", brier["value"], brier["lower"], brier["upper"],
                     *[None] * 5])  # fmt: skip
    for name, one in group["per_class"].items():
        compared = versus.get(name, {}).get(group["label"], {})
        for metric in [m["id"] for m in data["metrics"]]:
            value = one["metrics"][metric]
            against = compared.get(metric) or {}
            rows.append([name, metric, value["value"], value["lower"], value["upper"],
                         value.get("successes"), value.get("trials"), value["undefined"],
                         against.get("difference"), against.get("ratio")])  # fmt: skip
        rows.append([name, "f1", one["f1"], *[None] * 7])
        found = group.get("calibration", {}).get(name)
        for measure in ("ece", "brier") if found else ():
            figure = found[measure]
            rows.append([name, measure, figure["value"], figure["lower"], figure["upper"],
                         *[None] * 5])  # fmt: skip
    classes = data["classes"]
    for true, line in zip(classes, group["confusion"]["counts"], strict=True):
        for predicted, value in zip(classes, line, strict=True):
            rows.append(["", f"confusion:{true}→{predicted}", value, *[None] * 7])
    return rows


def multiclass_chart_specs(data: dict[str, Any]) -> dict[str, Chart]:
    """Per grouping: selection rate and recall of each class, a row per group; reliability."""
    specs: dict[str, Chart] = {}
    for grouping in data["groupings"]:
        shown = [g for g in grouping["groups"] if not g["suppressed"]]
        rows = []
        for order, (name, metric) in enumerate(
            (c, m) for c in data["classes"] for m in ("selection_rate", "recall")
        ):
            for group in shown:
                value = group["per_class"][name]["metrics"][metric]
                if value["value"] is None:
                    continue
                role = "reference" if group["reference"] else "small" if group["small"] else "other"
                rows.append({
                    "metric": f"{METRIC_NAMES[metric][0]}: {name}", "order": order,
                    "group": group["label"], "value": value["value"], "lower": value["lower"],
                    "upper": value["upper"], "role": role,
                })  # fmt: skip
        if rows:
            specs[grouping["id"]] = group_dots(rows, groups=[g["label"] for g in shown])
    return specs | calibration_chart_specs(data)
