"""Drift chart specs (Altair → Vega-Lite); rendered to inline SVG with the site's other charts.

Each chart sits beside a table of the same numbers on its page. Colour is never the only
carrier: the heat map's cells with an alert carry a mark, threshold lines are dashed.
"""

from __future__ import annotations

from typing import Any

import altair as alt
from altair.utils.schemapi import debug_mode

from cardpress.render.charts import Spec

WIDE = 640
RATIO_CAP = 2.0  # distance ÷ threshold beyond this is as dark as it gets


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
    base = alt.Chart(_values(rows))
    x = alt.X(
        "window:O",
        title=None,
        sort=keys,
        axis=alt.Axis(labelAngle=-90, labelFontSize=8, labelOverlap="greedy"),
    )
    y = alt.Y("feature:N", title=None, sort=order)
    scale = alt.Scale(scheme="orangered", domain=[0, RATIO_CAP])
    colour = alt.Color("ratio:Q", title="distance ÷ threshold", scale=scale)
    cells = base.mark_rect().encode(x=x, y=y, color=colour)
    dots = (
        base.transform_filter("datum.alert")
        .mark_point(shape="circle", size=12, filled=True, color="black")
        .encode(x=x, y=y)
    )
    chart = alt.layer(cells, dots).properties(width=WIDE, title="Drift by feature and window")
    return _spec(chart)


def dataset_drift(data: dict[str, Any]) -> Spec:
    """Share of features drifted per window, with the model version changes marked."""
    keys = [w["key"] for w in data["windows"]]
    rows = [{"window": w["key"], "share": w["dataset_drift"]} for w in data["windows"]
            if w["dataset_drift"] is not None]  # fmt: skip
    x = alt.X(
        "window:O",
        sort=keys,
        title=None,
        axis=alt.Axis(labelAngle=-90, labelFontSize=8, labelOverlap="greedy"),
    )
    line = (
        alt.Chart(_values(rows))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("share:Q", title="share of features drifted", scale=alt.Scale(domain=[0, 1])),
        )
    )
    changes = (
        alt.Chart(_values(data["version_changes"]))
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(x=x)
    )
    labels = (
        alt.Chart(_values(data["version_changes"]))
        .mark_text(align="left", dx=3, dy=-4, y=0, fontSize=10)
        .encode(x=x, text=alt.Text("version:N", format=""))
    )
    chart = alt.layer(line, changes, labels).properties(
        width=WIDE, height=160, title="Dataset drift (dashed: model version changes)"
    )
    return _spec(chart)


def performance_chart(data: dict[str, Any]) -> Spec:
    """Accuracy and AUC per window with their 95% intervals; label coverage as its own line."""
    keys = [w["key"] for w in data["windows"]]
    rows, undefined = [], []
    shown = (("accuracy", "accuracy_ci"), ("auc", "auc_ci"), ("coverage", None),
             ("positive_label_share", None))  # fmt: skip
    for row in data["performance"] or []:
        for metric, ci in shown:
            value = row.get(metric)
            if value is not None:
                low, high = (row[ci] or (None, None)) if ci else (None, None)
                rows.append({"window": row["window"], "metric": metric, "value": value,
                             "lower": low, "upper": high})  # fmt: skip
            elif reason := (row.get("reasons") or {}).get(metric):
                undefined.append({"window": row["window"], "value": 0,
                                  "why": f"{metric} undefined: {reason}"})  # fmt: skip
    base = alt.Chart(_values(rows))
    x = alt.X(
        "window:O",
        sort=keys,
        title=None,
        axis=alt.Axis(labelAngle=-90, labelFontSize=8, labelOverlap="greedy"),
    )
    colour = alt.Color("metric:N", title=None, legend=alt.Legend(orient="bottom"))
    band = (
        base.transform_filter("datum.lower != null")
        .mark_area(opacity=0.2)
        .encode(x=x, y="lower:Q", y2="upper:Q", color=colour)
    )
    line = base.mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1])), color=colour,
        strokeDash=alt.StrokeDash("metric:N", legend=None),
    )  # fmt: skip
    crosses = (
        alt.Chart(_values(undefined))
        .mark_point(shape="cross", filled=True, size=40)
        .encode(x=x, y="value:Q", shape=alt.Shape("why:N", title=None,
                                                  legend=alt.Legend(orient="bottom")))
    )  # fmt: skip
    # An empty layer with a legend makes Vega size the chart as infinitely wide: crosses only
    # when some metric is undefined.
    layers = (band, line, crosses) if undefined else (band, line)
    chart = alt.layer(*layers).properties(width=WIDE, height=180, title="Performance over time")
    return _spec(chart)


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
    base = alt.Chart()
    x = alt.X(
        "window:O",
        sort=keys,
        title=None,
        axis=alt.Axis(labelAngle=-90, labelFontSize=8, labelOverlap="greedy"),
    )
    line = base.mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=x, y=alt.Y("value:Q", title=None)
    )
    limit = (
        base.transform_filter("datum.threshold != null")
        .mark_line(strokeDash=[4, 3], color="#b35806")
        .encode(x=x, y="threshold:Q")
    )
    chart = (
        alt.layer(line, limit, data=_values(rows))
        .properties(width=WIDE, height=90)
        .facet(row=alt.Row("statistic:N", title=None, sort=names), title="")
        .resolve_scale(y="independent")
    )
    return _spec(chart)


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
    chart = alt.Chart(_values(rows)).mark_bar().encode(
        x=alt.X("bin:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-45)),
        xOffset=alt.XOffset("series:N"),
        y=alt.Y("share:Q", title="share of rows"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
    ).properties(width=WIDE, height=200, title="Reference and window, bin by bin")  # fmt: skip
    return _spec(chart)


def _windows(keys: list[str]) -> Any:
    """The time axis: windows in order, labels thinned where they would overlap."""
    axis = alt.Axis(labelAngle=-90, labelFontSize=8, labelOverlap="greedy")
    return alt.X("window:O", sort=keys, title=None, axis=axis)


def _values(rows: list[dict[str, Any]]) -> Any:
    # Altair validates a schema object as it is made: for inline rows that walked every row
    # against the JSON schema, seconds a build. The tests validate the whole specs instead.
    with debug_mode(False):
        return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _spec(chart: Any) -> Spec:
    # Altair's per-chart JSON-schema validation cost more than building the charts; the tests
    # validate every spec the example produces against the Vega-Lite schema instead.
    spec: Spec = chart.to_dict(validate=False)
    return spec
