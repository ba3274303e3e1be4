"""Drift chart templates: Altair builds each chart once, around stand-ins, and cardpress ships it.

A drift chart's rows and its data-dependent lists (the windows, the features' order, the
histogram's bins and series) are given to Altair as stand-ins; the spec it builds is shipped in
``chart_templates.json`` (:mod:`cardpress.render.chart_templates`) and each chart fills in its own
values (:func:`fill`). A build with monitoring rows so draws its drift charts without importing
Altair (~0.3 s). What is left as an argument of a template (the task's scale, a layer shown or
not, the label angle) changes the chart's structure and is shipped for each of its values.

The same builders given the real rows and lists are Altair's plain way; the tests check that a
filled template is exactly that spec.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from cardpress.render.chart_templates import shipped
from cardpress.render.charts import FONT, colour

# The plot's width: with axes and legend a chart is about as wide as the page's column (72rem),
# which style.css fills; on a narrower screen it scrolls sideways rather than shrink its text.
WIDE = 760
RATIO_CAP = 2.0  # distance ÷ threshold beyond this is as dark as it gets
HEAT_CLASSES = [0.5, 1.0, 1.5, RATIO_CAP]  # class bounds: 1 is the threshold, 2 the cap
ROWS = "cardpress:rows"  # a field name no chart uses (a colon would be a nested field)
LIST = "cardpress:list:"  # a stand-in list is [LIST + its number]


class Values(Protocol):
    """What a builder draws from: the n-th table of rows and the n-th list."""

    def table(self, number: int) -> Any:
        """The ``number``-th table of rows, as Altair data."""

    def items(self, number: int) -> list[Any]:
        """The ``number``-th list."""


class StandIns:
    """Stand-ins for the template: a one-row table and a one-item list, each naming its number."""

    def table(self, number: int) -> Any:
        """A one-row table naming its number."""
        import altair as alt
        from altair.utils.schemapi import debug_mode

        # Altair validates a schema object as it is made; the tests validate the specs instead.
        with debug_mode(False):
            return alt.Data(values=[{ROWS: number}])  # type: ignore[no-untyped-call]

    def items(self, number: int) -> list[Any]:
        """A one-item list naming its number."""
        return [f"{LIST}{number}"]


def fill(template: str, tables: list[list[dict[str, Any]]], lists: list[list[Any]]) -> Any:
    """The template's spec with each stand-in replaced by its rows or list (copies of them)."""

    def filled(node: Any) -> Any:
        if isinstance(node, list):
            if len(node) == 1 and isinstance(node[0], str) and node[0].startswith(LIST):
                return list(lists[int(node[0][len(LIST) :])])
            return [filled(item) for item in node]
        if not isinstance(node, dict):
            return node
        values = node.get("values")
        if (isinstance(values, list) and len(values) == 1 and isinstance(values[0], dict)
                and list(values[0]) == [ROWS]):  # fmt: skip
            return {**node, "values": [dict(row) for row in tables[values[0][ROWS]]]}
        return {key: filled(value) for key, value in node.items()}

    return filled(json.loads(template))


def _spec(chart: Any) -> str:
    return json.dumps(chart.to_dict(validate=False))


def _windows(values: Values, keys: int, labelled: int) -> Any:
    """The time axis: windows in order (list ``keys``), labels at ``labelled``, level."""
    import altair as alt

    axis = alt.Axis(values=values.items(labelled), labelAngle=0, labelOverlap=True,
                    labelFlush=True)  # fmt: skip
    return alt.X("window:O", sort=values.items(keys), title=None, axis=axis)


@shipped("drift heat map")
def heat_template() -> str:
    """Tables: cells. Lists: windows, labelled windows, features by severity."""
    return _spec(heat_chart(StandIns()))


def heat_chart(values: Values) -> Any:
    """Features × windows coloured by distance ÷ threshold, a dot on each drifted cell."""
    import altair as alt

    base = alt.Chart(values.table(0))
    x = _windows(values, 0, 1)
    y = alt.Y("feature:N", title=None, sort=values.items(2))
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
    return alt.layer(cells, dots).properties(width=WIDE, title="Drift by feature and window")


@shipped("drift dataset")
def dataset_template() -> str:
    """Tables: shares, version changes (twice). Lists: windows, labelled windows."""
    return _spec(dataset_chart(StandIns()))


def dataset_chart(values: Values) -> Any:
    """Share of features drifted per window; version changes as dashed rules, labelled."""
    import altair as alt

    x = _windows(values, 0, 1)
    y = alt.Y("share:Q", title="share of features drifted", scale=alt.Scale(domain=[0, 1]))
    line = alt.Chart(values.table(0)).mark_line(point=True).encode(x=x, y=y)
    changes = (
        alt.Chart(values.table(1)).mark_rule(strokeDash=[4, 3], color=colour("ref")).encode(x=x)
    )
    labels = (
        alt.Chart(values.table(2))
        .mark_text(align="left", dx=3, dy=-4, y=0, fontSize=FONT)
        .encode(x=x, text=alt.Text("version:N", format=""))
    )
    return alt.layer(line, changes, labels).properties(
        width=WIDE, height=160, title="Dataset drift (dashed: model version changes)"
    )


@shipped("drift performance")
def performance_template(regression: bool, crosses: bool) -> str:
    """Tables: metric rows, undefined metrics. Lists: windows, labelled windows."""
    return _spec(performance_chart(StandIns(), regression, crosses))


def performance_chart(values: Values, regression: bool, crosses: bool) -> Any:
    """Metrics per window with interval bands; crosses where a metric is undefined."""
    import altair as alt

    base = alt.Chart(values.table(0))
    x = _windows(values, 0, 1)
    series = alt.Color("metric:N", title=None, legend=alt.Legend(orient="bottom"))
    band = (
        base.transform_filter("datum.lower != null")
        .mark_area(opacity=0.2)
        .encode(x=x, y="lower:Q", y2="upper:Q", color=series)
    )
    scale = alt.Scale(zero=True) if regression else alt.Scale(domain=[0, 1])
    line = base.mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title="MAE" if regression else None, scale=scale),
        color=series,
        strokeDash=alt.StrokeDash("metric:N", legend=None),
    )  # fmt: skip
    layers = [band, line]
    # An empty layer with a legend makes Vega size the chart as infinitely wide: crosses only
    # when some metric is undefined.
    if crosses:
        shape = alt.Shape("why:N", title=None, legend=alt.Legend(orient="bottom"))
        layers.append(
            alt.Chart(values.table(1))
            .mark_point(shape="cross", filled=True, size=40)
            .encode(x=x, y="value:Q", shape=shape)
        )
    return alt.layer(*layers).properties(width=WIDE, height=180, title="Performance over time")


@shipped("drift timeline")
def timeline_template() -> str:
    """Tables: statistic rows. Lists: windows, labelled windows, statistics."""
    return _spec(timeline_chart(StandIns()))


def timeline_chart(values: Values) -> Any:
    """A panel per statistic over the windows, its threshold dashed."""
    import altair as alt

    base = alt.Chart()
    x = _windows(values, 0, 1)
    line = base.mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=x, y=alt.Y("value:Q", title=None)
    )
    limit = (
        base.transform_filter("datum.threshold != null")
        .mark_line(strokeDash=[4, 3], color=colour("limit"))
        .encode(x=x, y="threshold:Q")
    )
    return (
        alt.layer(line, limit, data=values.table(0))
        .properties(width=WIDE, height=90)
        .facet(row=alt.Row("statistic:N", title=None, sort=values.items(2)), title="")
        .resolve_scale(y="independent")
    )


@shipped("drift histogram")
def histogram_template(angle: int) -> str:
    """Tables: shares. Lists: bins, series, series colours."""
    return _spec(histogram_chart(StandIns(), angle))


def histogram_chart(values: Values, angle: int) -> Any:
    """Shares per bin, a bar per series side by side."""
    import altair as alt

    series = values.items(1)
    return alt.Chart(values.table(0)).mark_bar().encode(
        x=alt.X("bin:N", sort=values.items(0), title=None, axis=alt.Axis(labelAngle=angle)),
        xOffset=alt.XOffset("series:N", sort=series),
        y=alt.Y("share:Q", title="share of rows"),
        color=alt.Color("series:N", title=None, sort=series, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=series, range=values.items(2))),
    ).properties(width=WIDE, height=200, title="Reference and window, bin by bin")  # fmt: skip
