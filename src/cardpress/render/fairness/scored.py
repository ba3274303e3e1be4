"""The fairness page's score sections — calibration within groups and threshold curves — as data.

Only for predictions with scores. A suppressed small group's calibration and curves are left
out like its other numbers; NaN is ``null`` (the rate has no denominator at that threshold).
"""

from __future__ import annotations

import math
from typing import Any

from cardpress.compute.fairness.calibration import (
    BINS,
    DRAWS,
    Calibration,
    ece_spread,
)
from cardpress.compute.fairness.report import FairnessReport, Grouping
from cardpress.compute.fairness.thresholds import CURVES, THRESHOLDS, Curves
from cardpress.render.charts import Spec
from cardpress.render.fairness.charts import reliability_chart, threshold_chart

CURVE_NAMES = {"selection_rate": "Selection rate", "recall": "TPR (recall)", "fpr": "FPR"}
METHOD = {
    "bins": f"{BINS} equal-width score bins, (k/{BINS}, (k+1)/{BINS}], the first also holding 0 "
    "(scikit-learn's calibration_curve, strategy='uniform'); empty bins are not shown",
    "ece": "Σ over bins of (bin weight ÷ group weight) × |observed share positive − mean score|",
    "ece_interval": f"percentile bootstrap, {DRAWS:,} resamples with a fixed seed, of the "
    "group's rows (its effective size with weights), each row at its bin-and-label cell's mean "
    "score",
    "brier": "Σw·(score − label)² ÷ Σw (scikit-learn's brier_score_loss)",
    "brier_interval": "normal: Brier ± 1.96 × s ÷ √(effective n), s the standard deviation of "
    "the per-row squared errors",
    "thresholds": "score ≥ t is predicted positive; t = 0.05, 0.10, … 0.95",
}


def scored_data(report: FairnessReport) -> dict[str, Any]:
    """The page-level part: thresholds, the deployed one, methods, the overall calibration."""
    deployed = None if report.deployed is None else vars(report.deployed)
    return {
        "thresholds": [float(t) for t in THRESHOLDS],
        "deployed_threshold": deployed,
        "calibration_method": METHOD,
        "overall_calibration": calibration_data(report.overall_calibration),
        "overall_curves": _curves(report.overall_curves),
    }


def grouping_scored(grouping: Grouping, hidden: set[str]) -> dict[str, Any]:
    """A grouping's calibration rows, ECE spread and threshold curves (suppressed groups out)."""
    reference = grouping.reference.label if grouping.reference else None
    rows = []
    for group in grouping.groups:
        if group.label in hidden:
            rows.append({"label": group.label, "suppressed": True, "small": True,
                         "reference": False})  # fmt: skip
            continue
        row = {"label": group.label, "small": group.small, "suppressed": False,
               "reference": group.label == reference}  # fmt: skip
        row["calibration"] = calibration_data(grouping.calibration.get(group.label))
        row["curves"] = _curves(grouping.curves.get(group.label))
        rows.append(row)
    shown = [g for g in grouping.groups if g.label not in hidden]
    highest, lowest, difference = ece_spread(shown, grouping.calibration)
    spread = {"highest": highest, "lowest": lowest, "difference": _number(difference)}
    return {"groups": rows, "ece_spread": spread}


def calibration_data(found: Calibration | None) -> dict[str, Any] | None:
    """One calibration as the page's data: ECE and Brier with intervals, the shown bins."""
    if found is None:
        return None
    bins = [{key: _number(value) for key, value in vars(b).items()} for b in found.bins]
    return {
        "ece": _interval(found.ece, found.ece_lower, found.ece_upper),
        "brier": _interval(found.brier, found.brier_lower, found.brier_upper),
        "mean_score": found.mean_score,
        "observed_rate": found.observed_rate,
        "bins": bins,
    }


def _curves(found: Curves | None) -> dict[str, list[float | None]] | None:
    if found is None:
        return None
    return {name: [_number(v) for v in getattr(found, name)] for name in CURVES}


def _interval(value: float, lower: float, upper: float) -> dict[str, float | None]:
    return {"value": _number(value), "lower": _number(lower), "upper": _number(upper)}


def _number(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def scored_chart_specs(data: dict[str, Any]) -> dict[str, Spec]:
    """A reliability diagram and a threshold chart per grouping (when the report has scores)."""
    if "thresholds" not in data:
        return {}
    specs: dict[str, Spec] = {}
    deployed = data["deployed_threshold"]
    mark = deployed["value"] if deployed else None
    for grouping in data["groupings"]:
        shown = [g for g in grouping["scored"]["groups"] if not g["suppressed"]]
        labels = [g["label"] for g in shown]
        reliability = [point for g in shown if g["calibration"]
                       for point in reliability_points(g["label"], g["calibration"])]  # fmt: skip
        if reliability:
            title = f"Reliability by {grouping['name']}"
            specs[grouping["id"] + "-calibration"] = reliability_chart(
                reliability, groups=labels, title=title
            )
        curves = [
            {"metric": CURVE_NAMES[name], "order": order, "group": g["label"],
             "threshold": t, "value": value}
            for order, name in enumerate(CURVES)
            for g in shown if g["curves"]
            for t, value in zip(data["thresholds"], g["curves"][name], strict=True)
            if value is not None
        ]  # fmt: skip
        if curves:
            title = f"Rates across thresholds by {grouping['name']}"
            specs[grouping["id"] + "-thresholds"] = threshold_chart(
                curves, groups=labels, deployed=mark, title=title
            )
    return specs


def reliability_points(group: str, found: dict[str, Any]) -> list[dict[str, Any]]:
    """A calibration's bins as rows of :func:`.charts.reliability_chart`."""
    return [
        {"group": group, "mean_score": b["mean_score"], "observed": b["observed"],
         "lower": b["observed_lower"], "upper": b["observed_upper"]}
        for b in found["bins"]
    ]  # fmt: skip


CALIBRATION_COLUMNS = (
    "grouping", "group", "measure", "bin_lower", "bin_upper", "count", "rows", "mean_score",
    "value", "lower", "upper",
)  # fmt: skip
THRESHOLD_COLUMNS = ("grouping", "group", "threshold", "selection_rate", "tpr", "fpr")


def calibration_csv(data: dict[str, Any]) -> bytes:
    """Every group's ECE and Brier score, then its reliability bins, at full precision.

    ``measure`` is ``ece``, ``brier`` or ``bin`` (value = observed share positive in the bin,
    lower/upper its Wilson interval); suppressed groups are left out, as on the page.
    """
    rows: list[list[Any]] = []
    for grouping, group in _scored_groups(data):
        if group["calibration"]:
            rows += [[grouping, group["label"], *row]
                     for row in calibration_rows(group["calibration"])]  # fmt: skip
    return csv_bytes(CALIBRATION_COLUMNS, rows)


def calibration_rows(found: dict[str, Any]) -> list[list[Any]]:
    """A calibration's CSV cells from ``measure`` on: its ECE, its Brier score, then its bins."""
    rows: list[list[Any]] = []
    for measure in ("ece", "brier"):
        figure = found[measure]
        rows.append([measure, None, None, None, None, None, figure["value"], figure["lower"],
                     figure["upper"]])  # fmt: skip
    for b in found["bins"]:
        rows.append(["bin", b["lower"], b["upper"], b["count"], b["rows"], b["mean_score"],
                     b["observed"], b["observed_lower"], b["observed_upper"]])  # fmt: skip
    return rows


def thresholds_csv(data: dict[str, Any]) -> bytes:
    """Every group's selection rate, TPR and FPR at each threshold, at full precision."""
    rows: list[list[Any]] = []
    for grouping, group in _scored_groups(data):
        curves = group["curves"]
        if not curves:
            continue
        for index, threshold in enumerate(data["thresholds"]):
            rows.append([grouping, group["label"], threshold, curves["selection_rate"][index],
                         curves["recall"][index], curves["fpr"][index]])  # fmt: skip
    return csv_bytes(THRESHOLD_COLUMNS, rows)


def _scored_groups(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    overall = {"label": "all rows", "calibration": data["overall_calibration"],
               "curves": data["overall_curves"]}  # fmt: skip
    found = [("all rows", overall)]
    for grouping in data["groupings"]:
        found += [(grouping["name"], g) for g in grouping["scored"]["groups"]
                  if not g["suppressed"]]  # fmt: skip
    return found


def csv_bytes(columns: tuple[str, ...], rows: list[list[Any]]) -> bytes:
    """A header and rows as CSV (full-precision numbers, formula-safe text)."""
    import csv
    import io

    from cardpress.render.fairness.tables import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")
