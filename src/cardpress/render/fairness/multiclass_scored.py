"""The multiclass fairness page's calibration, as data, charts and CSV (with per-class scores).

Each class's calibration is the binary page's (:mod:`.scored`) for that class against the rest,
shown the same way; the page adds the whole model's multiclass Brier score. Charts stay few:
one for all rows (a panel per class) and one per grouping (a panel per class, a line per group).
"""

from __future__ import annotations

import math
from typing import Any

from cardpress.compute.fairness.multiclass_calibration import Brier
from cardpress.compute.fairness.multiclass_types import ClassDisparity, ClassGroup, ClassGrouping
from cardpress.render.charts import Spec
from cardpress.render.fairness.charts import reliability_chart, reliability_groups_chart
from cardpress.render.fairness.scored import (
    METHOD,
    calibration_data,
    calibration_rows,
    csv_bytes,
    reliability_points,
)

MULTICLASS_BRIER = (
    "Σw · Σ over classes c of (score of c − [label is c])² ÷ Σw: the sum of the classes' "
    "one-vs-rest Brier scores, from 0 (perfect) to 2 (scikit-learn's brier_score_loss with "
    "labels, not halved)"
)


def calibration_method() -> dict[str, str]:
    """The conventions the page states: the binary ones per class, and the multiclass Brier."""
    method = {key: text for key, text in METHOD.items() if key != "thresholds"}
    return {**method, "multiclass_brier": MULTICLASS_BRIER}


def group_calibration(group: ClassGroup, classes: list[str]) -> dict[str, Any]:
    """A group's calibration per class and its multiclass Brier score (page data)."""
    per_class = dict(zip(classes, group.calibration, strict=True))
    return {
        "calibration": {name: calibration_data(found) for name, found in per_class.items()},
        "brier": _brier(group.brier),
    }


def class_ece_spread(disparity: ClassDisparity) -> dict[str, Any]:
    """The class's ECE spread between the groups large enough to judge."""
    highest, lowest, difference = disparity.ece_spread
    return {"highest": highest, "lowest": lowest, "difference": _number(difference)}


def worst_ece(grouping: ClassGrouping) -> dict[str, Any]:
    """The largest ECE spread over the classes, and its class."""
    difference, name = grouping.worst_ece
    return {"difference": _number(difference), "class": name}


def _brier(found: Brier | None) -> dict[str, float | None] | None:
    if found is None:
        return None
    return {"value": _number(found.value), "lower": _number(found.lower),
            "upper": _number(found.upper)}  # fmt: skip


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def calibration_chart_specs(data: dict[str, Any]) -> dict[str, Spec]:
    """All rows' reliability (a panel per class), then each grouping's (a line per group)."""
    if "calibration_method" not in data:
        return {}
    classes = data["classes"]
    specs: dict[str, Spec] = {}
    overall = data["overall"]["calibration"]
    rows = [point for name in classes if overall[name]
            for point in reliability_points(f"class {name}", overall[name])]  # fmt: skip
    if rows:
        specs["overall-calibration"] = reliability_chart(
            rows, groups=[f"class {name}" for name in classes], title="Reliability, all rows"
        )
    for grouping in data["groupings"]:
        shown = [g for g in grouping["groups"] if not g["suppressed"]]
        rows = [{**point, "panel": f"class {name}"}
                for name in classes for g in shown if g["calibration"][name]
                for point in reliability_points(g["label"], g["calibration"][name])]  # fmt: skip
        if rows:
            specs[grouping["id"] + "-calibration"] = reliability_groups_chart(
                rows, panels=[f"class {name}" for name in classes],
                groups=[g["label"] for g in shown], title=f"Reliability by {grouping['name']}",
            )  # fmt: skip
    return specs


CALIBRATION_COLUMNS = (
    "grouping", "group", "class", "measure", "bin_lower", "bin_upper", "count", "rows",
    "mean_score", "value", "lower", "upper",
)  # fmt: skip


def multiclass_calibration_csv(data: dict[str, Any]) -> bytes:
    """Every group's multiclass Brier score, then per class its ECE, Brier score and bins.

    ``measure`` is ``multiclass_brier`` (``class`` empty), ``ece``, ``brier`` or ``bin`` (value =
    observed share of the class in the bin, lower/upper its Wilson interval); suppressed groups
    are left out, as on the page.
    """
    rows: list[list[Any]] = []
    overall = {"name": "all rows", "groups": [data["overall"]]}
    for grouping in [overall, *data["groupings"]]:
        for group in grouping["groups"]:
            if group["suppressed"]:
                continue
            head = [grouping["name"], group["label"]]
            brier = group["brier"]
            rows.append([*head, "", "multiclass_brier", *[None] * 5, brier["value"],
                         brier["lower"], brier["upper"]])  # fmt: skip
            for name in data["classes"]:
                found = group["calibration"][name]
                if found:
                    rows += [[*head, name, *row] for row in calibration_rows(found)]
    return csv_bytes(CALIBRATION_COLUMNS, rows)
