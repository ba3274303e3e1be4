"""Charts of a regression model's slice report: error metrics by group, residuals by group.

Specs only (rendered in the build's one batch by :func:`cardpress.render.charts.render_svgs`);
each is shown beside a table of its numbers. Shape as well as colour marks the reference group.
"""

from __future__ import annotations

import json
from typing import Any

from cardpress.render.chart_templates import shipped
from cardpress.render.charts import Spec
from cardpress.render.charts import colour as paint

ROLES = ["reference", "other", "small"]


def error_dots(rows: list[dict[str, Any]], *, groups: list[str], title: str) -> Spec:
    """A panel per metric (each on its own scale), a row per group: value and 95% interval.

    ``rows`` hold ``metric``, ``order``, ``group``, ``value``, ``lower``, ``upper`` and ``role``.
    """
    spec: Spec = json.loads(_error_template())
    spec["data"] = {"values": rows}
    spec["title"] = title
    for layer in spec["spec"]["layer"]:
        layer["encoding"]["y"]["sort"] = groups
    return spec


def residual_boxes(rows: list[dict[str, Any]], *, groups: list[str], title: str) -> Spec:
    """Per group: whiskers from the 5% to the 95% error quantile, a box 25–75%, a tick at 50%.

    ``rows`` hold ``group``, ``role`` and ``p5``, ``p25``, ``p50``, ``p75``, ``p95``.
    """
    spec: Spec = json.loads(_residual_template())
    spec["data"] = {"values": rows}
    spec["title"] = title
    for layer in spec["layer"]:
        if "y" in layer["encoding"]:
            layer["encoding"]["y"]["sort"] = groups
    assert "data" not in spec["layer"][0]  # the layers share the chart's data
    return spec


def _marks() -> tuple[Any, Any, Any]:
    import altair as alt

    legend = alt.Legend(title="group", orient="bottom")
    shapes = alt.Scale(domain=ROLES, range=["diamond", "circle", "triangle-down"])
    colours = alt.Scale(domain=ROLES, range=[paint("ref"), paint("1"), paint("2")])
    shape = alt.Shape("role:N", scale=shapes, legend=legend)
    colour = alt.Color("role:N", scale=colours, legend=legend)
    return alt, shape, colour


@shipped("regression error")
def _error_template() -> str:
    alt, shape, colour = _marks()
    y = alt.Y("group:N", title=None)
    base = alt.Chart(alt.NamedData(name="values"))
    bars = base.mark_rule().encode(x=alt.X("lower:Q", title=None), x2="upper:Q", y=y)
    dots = base.mark_point(filled=True, size=70, opacity=1).encode(
        x=alt.X("value:Q", title=None, scale=alt.Scale(zero=False)), y=y, shape=shape, color=colour
    )
    header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                        labelFontWeight="bold", title=None, labelLimit=0)  # fmt: skip
    facet = alt.Facet("metric:N", header=header, sort=alt.SortField("order"), title=None)
    chart = (
        alt.layer(bars, dots)
        .properties(width=110)
        .facet(facet=facet, columns=3, title="")
        .resolve_scale(x="independent")
        .configure_axis(labelOverlap=True, labelLimit=0)
        .configure_legend(labelLimit=0)
    )
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


@shipped("regression residual")
def _residual_template() -> str:
    alt, shape, colour = _marks()
    y = alt.Y("group:N", title=None)
    base = alt.Chart(alt.NamedData(name="values"))
    x_title = "error = prediction − label"
    whiskers = base.mark_rule().encode(x=alt.X("p5:Q", title=x_title), x2="p95:Q", y=y)
    boxes = base.mark_bar(size=12, opacity=0.35).encode(x="p25:Q", x2="p75:Q", y=y, color=colour)
    medians = base.mark_point(filled=True, size=70, opacity=1).encode(
        x="p50:Q", y=y, shape=shape, color=colour
    )
    zero = base.mark_rule(strokeDash=[4, 3], color=paint("axis")).encode(x=alt.datum(0))
    chart = alt.layer(zero, whiskers, boxes, medians).properties(width=360, title="")
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)
