"""The slice report page's data for a regression model (also its ``.json``), and its charts.

The same shape as the binary report's data where the two share a meaning (groups with
``metrics`` of ``value``/``lower``/``upper``/``undefined``, ``vs_reference``, ``spreads``), so
the CSV beside the page and the card's headline read both. NaN never reaches the page: an
undefined number is ``null`` beside its reason.
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.fairness.regression import RESIDUAL_QUANTILES
from cardpress.compute.fairness.regression_report import (
    RegressionGroup,
    RegressionGrouping,
    RegressionReport,
)
from cardpress.model import FairnessSettings, Predictions
from cardpress.render.charts import Chart
from cardpress.render.fairness.data import _clean, _number, distinct_ids, grouping_head
from cardpress.render.fairness.regression_charts import error_dots, residual_boxes

T = "Student t interval of the mean"
METRIC_NAMES: dict[str, tuple[str, str, str]] = {
    "mae": ("MAE", "Σw·|e| / Σw: mean absolute error", T),
    "rmse": ("RMSE", "√(Σw·e² / Σw): root mean squared error", T + " squared error, square-rooted"),
    "r2": ("R²", "1 − Σw·e² / Σw·(y − ȳ)²", "delta method"),
    "bias": ("Mean error (bias)", "Σw·e / Σw; above 0: predicts too high", T),
}
QUANTILE_INTERVAL = "order statistics (distribution-free)"
PARITY_NONE = {
    "demographic_parity_difference": None, "demographic_parity_ratio": None,
    "equalized_odds_difference": None, "equalized_odds_ratio": None,
}  # fmt: skip


def metric_name(metric: str) -> tuple[str, str, str]:
    """(name, formula, interval method) of a metric id, quantiles of |error| included."""
    if metric in METRIC_NAMES:
        return METRIC_NAMES[metric]
    percent = metric.removeprefix("ae_p")
    formula = f"the {percent}% quantile of |e| (inverted CDF: smallest |e| with weight ≥ q·Σw)"
    return f"|error| {percent}% quantile", formula, QUANTILE_INTERVAL


def regression_data(
    report: RegressionReport, predictions: Predictions, settings: FairnessSettings
) -> dict[str, Any]:
    """Everything the regression report page shows, JSON-able."""
    suppress = settings.suppress_small_groups
    return {
        "kind": "fairness-report",
        "task": "regression",
        "predictions": {
            "uri": predictions.uri,
            "sha256": predictions.file_sha256,
            "dataset": predictions.dataset,
            "rows": report.rows,
            "positive_label": None,
            "y_true": predictions.y_true,
            "y_pred": predictions.y_pred,
            "y_score": None,
            "sensitive": list(predictions.sensitive),
        },
        "settings": {
            "min_group_size": settings.min_group_size,
            "suppress_small_groups": suppress,
            "error_quantiles": list(report.quantiles),
        },
        "weighted": report.weighted,
        "residual_quantiles": list(RESIDUAL_QUANTILES),
        "metrics": [
            dict(zip(("id", "name", "formula", "interval"), (m, *metric_name(m)), strict=True))
            for m in report.metrics
        ],
        "overall": _group(report.overall, suppress=False),
        "groupings": distinct_ids([_grouping(g, suppress) for g in report.groupings]),
        "skipped_intersections": [
            {"columns": list(columns), "why": why} for columns, why in report.skipped_intersections
        ],
    }


def regression_headline(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's headline rows: per grouping, the worst group's MAE and the MAE gap."""
    rows = []
    for grouping in data["groupings"]:
        spreads = {s["metric"]: s for s in grouping["spreads"]}
        worst = next(w for w in grouping["worst"] if w["metric"] == "mae")
        rows.append(
            {
                "grouping": grouping["name"], "anchor": grouping["id"],
                "groups": len(grouping["groups"]), "parity": dict(PARITY_NONE),
                "auc_difference": None, "flagged": [],
                "regression": {
                    "worst_group": worst["group"], "worst_mae": worst["value"],
                    "overall_mae": worst["overall"],
                    "mae_difference": spreads["mae"]["difference"],
                    "mae_ratio": spreads["mae"]["ratio"],
                    "bias_difference": spreads["bias"]["difference"],
                },
            }
        )  # fmt: skip
    return rows


def overall_results(data: dict[str, Any]) -> list[dict[str, Any]]:
    """MAE, RMSE, R² and bias on all rows, as the card's overall results are shaped."""
    dataset = data["predictions"]["dataset"]
    found = []
    for metric in ("mae", "rmse", "r2", "bias"):
        value = data["overall"]["metrics"][metric]
        if value["value"] is None:
            continue
        method = next(m["interval"] for m in data["metrics"] if m["id"] == metric)
        ci = {"lower": value["lower"], "upper": value["upper"], "level": 0.95, "method": method}
        found.append({"key": metric, "dataset": dataset, "value": value["value"],
                      "ci": ci if value["lower"] is not None else None})  # fmt: skip
    return found


def _grouping(grouping: RegressionGrouping, suppress: bool) -> dict[str, Any]:
    hidden = {g.label for g in grouping.groups if suppress and g.small}
    reference = grouping.reference.label if grouping.reference else None
    groups = []
    for group in grouping.groups:
        row = _group(group, suppress and group.small)
        row["reference"] = group.label == reference
        versus = grouping.comparisons.get(group.label, {})
        row["vs_reference"] = (
            {} if group.label in hidden else {m: _clean(vars(c)) for m, c in versus.items()}
        )
        groups.append(row)
    spreads = []
    for spread in grouping.spreads.values():
        found = _clean(vars(spread))
        found["left_out"] = [{"group": label, "why": why} for label, why in spread.left_out]
        spreads.append(found)
    return {
        **grouping_head(grouping, reference, groups),
        "spreads": spreads,
        "worst": [_clean(vars(w)) for w in grouping.worst.values()],
    }


def _group(group: RegressionGroup, suppress: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"label": group.label, "values": list(group.values), "small": group.small}
    if suppress:
        return {**row, "suppressed": True, "count": None, "share": None, "metrics": {}}
    return {
        **row, "suppressed": False, "count": group.count, "share": _number(group.share),
        "weight": _number(group.weight), "effective_n": _number(group.effective_n),
        "metrics": {m: _clean(vars(e)) for m, e in group.metrics.items()},
        "residuals": [_number(r) for r in group.residuals],
    }  # fmt: skip


def regression_chart_specs(data: dict[str, Any]) -> dict[str, Chart]:
    """Two charts per grouping: error metrics with intervals, and the residual distribution."""
    order = {m["id"]: (index, m["name"]) for index, m in enumerate(data["metrics"])}
    specs: dict[str, Chart] = {}
    for grouping in data["groupings"]:
        shown = [g for g in grouping["groups"] if not g["suppressed"]]
        labels = [g["label"] for g in shown]
        dots = [
            {"metric": order[m][1], "order": order[m][0], "group": g["label"], "role": _role(g),
             "value": v["value"], "lower": v["lower"], "upper": v["upper"]}
            for m in order for g in shown if (v := g["metrics"][m])["value"] is not None
        ]  # fmt: skip
        if dots:
            title = f"Error metrics by {grouping['name']} with 95% intervals"
            specs[grouping["id"]] = error_dots(dots, groups=labels, title=title)
        boxes = [
            {"group": g["label"], "role": _role(g),
             **{f"p{100 * q:g}": r for q, r in zip(data["residual_quantiles"], g["residuals"],
                                                    strict=True)}}
            for g in shown
        ]  # fmt: skip
        if boxes:
            title = f"Error (prediction − label) by {grouping['name']}: 5–25–50–75–95% quantiles"
            specs[grouping["id"] + "-residuals"] = residual_boxes(boxes, groups=labels, title=title)
    return specs


def _role(group: dict[str, Any]) -> str:
    if group["reference"]:
        return "reference"
    return "small" if group["small"] else "other"
