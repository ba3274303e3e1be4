"""Drift charts: their rows and lists, filled into templates Altair built once.

Rendered to inline SVG with the site's other charts; each sits beside a table of the same numbers
on its page. Colour is never the only carrier: the heat map's cells with an alert carry a mark,
threshold lines are dashed. The templates and how they are filled:
:mod:`cardpress.render.drift.templates`.
"""

from __future__ import annotations

import math
from typing import Any

from cardpress.render.charts import FONT, SERIES, Spec, colour
from cardpress.render.drift import templates
from cardpress.render.drift.templates import RATIO_CAP, WIDE, fill

__all__ = ["RATIO_CAP", "dataset_drift", "feature_timeline", "heat_map", "histogram",
           "performance_chart"]  # fmt: skip


def heat_map(data: dict[str, Any]) -> Spec:
    """Features × windows, coloured by distance ÷ threshold (capped).

    Colour means "how alarming", comparable across features; a dot marks a drifted window.
    """
    keys = [w["key"] for w in data["windows"]]
    order = [f["name"] for f in data["features"]]  # by severity (drift_data)
    rows = [
        {"feature": f["name"], "window": key, "ratio": min(ratio, RATIO_CAP), "alert": drifted}
        for f in data["features"]
        for key, ratio, drifted in zip(keys, f["ratio"], f["drifted"], strict=True)
        if ratio is not None
    ]
    spec: Spec = fill(templates.heat_template(), [rows], [keys, labelled(keys), order])
    return spec


def dataset_drift(data: dict[str, Any]) -> Spec:
    """Share of features drifted per window, with the model version changes marked."""
    keys = [w["key"] for w in data["windows"]]
    rows = [{"window": w["key"], "share": w["dataset_drift"]} for w in data["windows"]
            if w["dataset_drift"] is not None]  # fmt: skip
    changes = data["version_changes"]
    spec: Spec = fill(templates.dataset_template(), [rows, changes, changes],
                      [keys, labelled(keys)])  # fmt: skip
    return spec


# The lines of the performance chart by task, (metric, its interval): the headline first.
# A regression's errors are in the label's units, so coverage (a share) is left to the table.
SHOWN: dict[str, tuple[tuple[str, str | None], ...]] = {
    "binary": (("accuracy", "accuracy_ci"), ("auc", "auc_ci"), ("coverage", None),
               ("positive_label_share", None)),
    "multiclass": (("accuracy", "accuracy_ci"), ("macro_f1", None), ("coverage", None)),
    "regression": (("mae", "mae_ci"),),
}  # fmt: skip


def performance_chart(data: dict[str, Any]) -> Spec:
    """The task's metrics per window with their 95% intervals (binary: accuracy, AUC, coverage).

    Multiclass: accuracy, macro-F1 and coverage; regression: MAE, on its own scale from 0.
    """
    keys = [w["key"] for w in data["windows"]]
    rows, undefined = [], []
    task = data.get("task", "binary")
    for row in data["performance"] or []:
        for metric, ci in SHOWN[task]:
            value = row.get(metric)
            if value is not None:
                low, high = (row[ci] or (None, None)) if ci else (None, None)
                rows.append({"window": row["window"], "metric": metric, "value": value,
                             "lower": low, "upper": high})  # fmt: skip
            elif reason := (row.get("reasons") or {}).get(metric):
                undefined.append({"window": row["window"], "value": 0,
                                  "why": f"{metric} undefined: {reason}"})  # fmt: skip
    template = templates.performance_template(task == "regression", bool(undefined))
    spec: Spec = fill(template, [rows, undefined], [keys, labelled(keys)])
    return spec


def feature_timeline(data: dict[str, Any]) -> Spec:
    """One panel per statistic over the windows, its threshold per window dashed."""
    keys = [w["window"] for w in data["windows"]]
    names = ["js", "psi", "hellinger"] + (
        ["wasserstein", "ks_d"] if data["feature_kind"] == "numeric" else []
    )
    rows = [
        {"statistic": s, "window": w["window"], "value": w[s],
         "threshold": w["thresholds"].get(s)}
        for s in names for w in data["windows"] if w[s] is not None
    ]  # fmt: skip
    spec: Spec = fill(templates.timeline_template(), [rows], [keys, labelled(keys), names])
    return spec


def histogram(data: dict[str, Any]) -> Spec:
    """Shares per bin: the reference beside the latest and the most drifted window."""
    labels = data["histograms"]["bins"]
    rows = [
        {"bin": label, "series": column["name"] + (f" ({column['window']})" if column["window"]
                                                   else ""), "share": share}
        for column in data["histograms"]["columns"]
        for label, share in zip(labels, column["shares"], strict=True)
        if share is not None
    ]  # fmt: skip
    # The reference in neutral grey, the windows in the series colours, in order. A reference
    # with no values of the feature has no bars, and the windows keep their colours.
    series = list(dict.fromkeys(r["series"] for r in rows))
    windows = iter(SERIES * len(series))
    shades = [colour("ref") if s == "reference" else colour(next(windows)) for s in series]
    angle = 0 if len(labels) * 60 <= WIDE else -45
    spec: Spec = fill(templates.histogram_template(angle), [rows], [labels, series, shades])
    return spec


def labelled(keys: list[str]) -> list[str]:
    """The windows whose labels the time axis shows: every ``step``-th, so they fit level.

    A label is about ``FONT × 0.6`` px a character; every ``step``-th window is labelled so
    the labels fit the plot's width with a gap, and Vega drops any that still overlap.
    """
    longest = max((len(k) for k in keys), default=1)
    step = max(1, math.ceil(len(keys) * (longest * FONT * 0.6 + 2 * FONT) / WIDE))
    return keys[::step]
