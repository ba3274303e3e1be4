"""Drift chart specs (Altair → Vega-Lite); rendered to inline SVG with the site's other charts.

Each chart sits beside a table of the same numbers on its page. Colour is never the only
carrier: the heat map's cells with an alert carry a mark, threshold lines are dashed.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import altair as alt
from altair.utils.schemapi import debug_mode

from cardpress.render.charts import FONT, Spec, colour

# The plot's width: with axes and legend a chart is about as wide as the page's column (72rem),
# which style.css fills; on a narrower screen it scrolls sideways rather than shrink its text.
WIDE = 760
RATIO_CAP = 2.0  # distance ÷ threshold beyond this is as dark as it gets
HEAT_CLASSES = [0.5, 1.0, 1.5, RATIO_CAP]  # class bounds: 1 is the threshold, 2 the cap


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
    x = _windows(keys)
    y = alt.Y("feature:N", title=None, sort=order)
    # Five classes, each a colour of the page's palette (light and dark): 1 is a class bound,
    # so "over the threshold" is a change of colour, not a shade to judge.
    shades = [colour(f"heat-{i}") for i in range(len(HEAT_CLASSES) + 1)]
    scale = alt.Scale(type="threshold", domain=HEAT_CLASSES, range=shades)
    shade = alt.Color("ratio:Q", title="distance ÷ threshold", scale=scale)
    cells = base.mark_rect().encode(x=x, y=y, color=shade)
    dots = (
        base.transform_filter("datum.alert")
        .mark_point(shape="circle", size=14, filled=True, color=colour("fg"))
        .encode(x=x, y=y)
    )
    chart = alt.layer(cells, dots).properties(width=WIDE, title="Drift by feature and window")
    return _spec(chart)


def dataset_drift(data: dict[str, Any]) -> Spec:
    """Share of features drifted per window, with the model version changes marked."""
    keys = [w["key"] for w in data["windows"]]
    rows = [{"window": w["key"], "share": w["dataset_drift"]} for w in data["windows"]
            if w["dataset_drift"] is not None]  # fmt: skip
    x = _windows(keys)
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
        .mark_rule(strokeDash=[4, 3], color=colour("ref"))
        .encode(x=x)
    )
    labels = (
        alt.Chart(_values(data["version_changes"]))
        .mark_text(align="left", dx=3, dy=-4, y=0, fontSize=FONT)
        .encode(x=x, text=alt.Text("version:N", format=""))
    )
    chart = alt.layer(line, changes, labels).properties(
        width=WIDE, height=160, title="Dataset drift (dashed: model version changes)"
    )
    return _spec(chart)


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
    shown = SHOWN[task]
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
    x = _windows(keys)
    series = alt.Color("metric:N", title=None, legend=alt.Legend(orient="bottom"))
    band = (
        base.transform_filter("datum.lower != null")
        .mark_area(opacity=0.2)
        .encode(x=x, y="lower:Q", y2="upper:Q", color=series)
    )
    scale = alt.Scale(zero=True) if task == "regression" else alt.Scale(domain=[0, 1])
    line = base.mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title="MAE" if task == "regression" else None, scale=scale),
        color=series,
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
    spec: Spec = _plain(_timeline(tuple(keys), tuple(names)), rows)
    return spec


@lru_cache(maxsize=8)
def _timeline(keys: tuple[str, ...], names: tuple[str, ...]) -> Spec:
    """The timeline's spec with its rows to come (:data:`_LATER`).

    Every feature of a kind has the same windows and panels, so a drift page's timelines are
    one Altair build per kind, not one per feature.
    """
    base = alt.Chart()
    x = _windows(list(keys))
    line = base.mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=x, y=alt.Y("value:Q", title=None)
    )
    limit = (
        base.transform_filter("datum.threshold != null")
        .mark_line(strokeDash=[4, 3], color=colour("limit"))
        .encode(x=x, y="threshold:Q")
    )
    with debug_mode(False):
        data = alt.Data(values=_LATER)  # type: ignore[no-untyped-call]
    chart = (
        alt.layer(line, limit, data=data)
        .properties(width=WIDE, height=90)
        .facet(row=alt.Row("statistic:N", title=None, sort=list(names)), title="")
        .resolve_scale(y="independent")
    )
    spec: Spec = chart.to_dict(validate=False)
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
    # The reference in neutral grey, the windows in the series colours.
    series = list(dict.fromkeys(r["series"] for r in rows))
    shades = [colour("ref") if s == "reference" else colour(str(i)) for i, s in
              enumerate(series)]  # fmt: skip
    chart = alt.Chart(_values(rows)).mark_bar().encode(
        x=alt.X("bin:N", sort=labels, title=None,
                axis=alt.Axis(labelAngle=0 if len(labels) * 60 <= WIDE else -45)),
        xOffset=alt.XOffset("series:N", sort=series),
        y=alt.Y("share:Q", title="share of rows"),
        color=alt.Color("series:N", title=None, sort=series, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=series, range=shades)),
    ).properties(width=WIDE, height=200, title="Reference and window, bin by bin")  # fmt: skip
    return _spec(chart)


def _windows(keys: list[str]) -> Any:
    """The time axis: windows in order, labelled level (never turned 90°) at a regular step.

    A label is about ``FONT × 0.6`` px a character; every ``step``-th window is labelled so
    the labels fit the plot's width with a gap, and Vega drops any that still overlap.
    """
    longest = max((len(k) for k in keys), default=1)
    step = max(1, math.ceil(len(keys) * (longest * FONT * 0.6 + 2 * FONT) / WIDE))
    axis = alt.Axis(values=keys[::step], labelAngle=0, labelOverlap=True, labelFlush=True)
    return alt.X("window:O", sort=keys, title=None, axis=axis)


def _values(rows: list[dict[str, Any]]) -> Any:
    # Altair validates a schema object as it is made: for inline rows that walked every row
    # against the JSON schema, seconds a build. The tests validate the whole specs instead.
    with debug_mode(False):
        return alt.Data(values=_Rows(rows))  # type: ignore[no-untyped-call]


class _Rows:
    """Inline rows that Altair passes through untouched; :func:`_spec` puts the list back.

    Altair deep-copies a chart at every method (``encode``, ``properties``, ``facet``) and
    converts every value in it: for the rows of a daily timeline, most of the time a drift
    page's specs took. The rows are JSON values already (str, float, int, None).
    """

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows


_LATER = _Rows([])  # the rows of a spec built before them (_timeline)


def _spec(chart: Any) -> Spec:
    # Altair's per-chart JSON-schema validation cost more than building the charts; the tests
    # validate every spec the example produces against the Vega-Lite schema instead.
    spec: Spec = _plain(chart.to_dict(validate=False))
    return spec


def _plain(found: Any, later: list[dict[str, Any]] | None = None) -> Any:
    """A copy of ``found``, each :class:`_Rows` replaced by its list (:data:`_LATER` by ``later``).

    The rows are not walked: only the spec's other parts, which are few.
    """
    if isinstance(found, _Rows):
        return later if found is _LATER and later is not None else found.rows
    if isinstance(found, dict):
        return {key: _plain(value, later) for key, value in found.items()}
    if isinstance(found, list):
        return [_plain(value, later) for value in found]
    return found
