"""Chart specs of the fairness page's calibration and threshold sections (Altair → Vega-Lite).

As in :mod:`cardpress.render.charts`, each kind of chart is built once by Altair (a cached
template) and charts only fill in their data; panels and dash patterns as well as colours tell the
groups apart, and every chart sits beside a table of its numbers.
"""

from __future__ import annotations

import json
from typing import Any

from cardpress.render.chart_templates import shipped
from cardpress.render.charts import Spec
from cardpress.render.charts import colour as paint

# Dash patterns, in the groups' order (largest group first): lines read apart in grey print.
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2], [3, 5, 1, 5]]


def reliability_chart(rows: list[dict[str, Any]], *, groups: list[str], title: str) -> Spec:
    """A reliability diagram per group (one panel each): observed share against mean score.

    ``rows`` hold ``group``, ``mean_score``, ``observed``, ``lower`` and ``upper`` (the observed
    share's interval); the dashed diagonal is perfect calibration.
    """
    spec: Spec = json.loads(_reliability_template())
    spec["data"] = {"values": rows}
    spec["title"] = title
    spec["facet"]["sort"] = groups
    return spec


def reliability_groups_chart(
    rows: list[dict[str, Any]], *, panels: list[str], groups: list[str], title: str
) -> Spec:
    """Reliability diagrams with every group in one panel, a panel per ``panel`` value.

    For a multiclass model (a panel per class), so the charts stay few: groups are told apart by
    colour and dash pattern (the legend shows both), as in :func:`threshold_chart`; lines only,
    the intervals are in the table beside. ``rows`` hold ``panel`` and the fields of
    :func:`reliability_chart`'s rows.
    """
    spec: Spec = json.loads(_reliability_template(coloured=True))
    spec["data"] = {"values": rows}
    spec["title"] = title
    spec["facet"]["sort"] = panels
    _group_scales(spec, groups)
    return spec


@shipped("reliability")
def _reliability_template(coloured: bool = False) -> str:
    import altair as alt  # lazily: chart workers only render

    unit = alt.Scale(domain=[0, 1], nice=False)
    axis = alt.Axis(values=[0, 0.5, 1])
    x = alt.X("mean_score:Q", title="mean score in bin", scale=unit, axis=axis)
    y = alt.Y("observed:Q", title="observed share positive", scale=unit, axis=axis)
    base = alt.Chart(alt.NamedData(name="values"))
    diagonal = base.mark_rule(strokeDash=[4, 4], color=paint("ref")).encode(
        x=alt.datum(0, scale=unit), y=alt.datum(0, scale=unit),
        x2=alt.datum(1), y2=alt.datum(1),
    )  # fmt: skip
    if coloured:  # a line per group in each panel
        legend = alt.Legend(title="group", orient="bottom", symbolStrokeWidth=2, columns=3)
        # lines only: point marks tripled the chart's size (as the threshold chart's did), and
        # a small group's interval bars cover the panel; the table beside has both
        layers = [diagonal, base.mark_line(strokeWidth=1.5).encode(
            x=x, y=y, color=alt.Color("group:N", legend=legend),
            strokeDash=alt.StrokeDash("group:N", legend=legend),
        )]  # fmt: skip
    else:
        bars = base.mark_rule(color=paint("1")).encode(
            x=x, y=alt.Y("lower:Q", scale=unit), y2="upper:Q"
        )
        point = alt.OverlayMarkDef(filled=True, size=40)
        line = base.mark_line(color=paint("1"), point=point).encode(x=x, y=y)
        layers = [diagonal, bars, line]
    header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                        labelFontWeight="bold", title=None, labelLimit=0)  # fmt: skip
    facet = alt.Facet("panel:N" if coloured else "group:N", header=header, title=None)
    size = 170 if coloured else 130  # a panel holds every group: room for their lines
    chart = (
        alt.layer(*layers)
        .properties(width=size, height=size)
        .facet(facet=facet, columns=4 if not coloured else 3, title="")
        .configure_axis(labelOverlap=False, labelFlush=False, labelBound=False, labelLimit=0)
    )
    if coloured:
        chart = chart.configure_legend(labelLimit=0)
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


def threshold_chart(
    rows: list[dict[str, Any]], *, groups: list[str], deployed: float | None, title: str
) -> Spec:
    """Selection rate, TPR and FPR against the threshold (a panel each), a line per group.

    Groups are told apart by colour and dash pattern (the legend shows both).

    ``rows`` hold ``metric``, ``order`` (of the panels), ``group``, ``threshold`` and ``value``;
    ``deployed`` (when known) is drawn as a vertical rule in every panel.
    """
    spec: Spec = json.loads(_threshold_template(deployed is not None))
    spec["data"] = {"values": rows}
    spec["title"] = title
    _group_scales(spec, groups)
    for layer in spec["spec"]["layer"]:
        if deployed is not None and layer["mark"].get("type") == "rule":
            layer["encoding"]["x"]["datum"] = deployed
    return spec


def _group_scales(spec: Spec, groups: list[str]) -> None:
    """Colour and dash pattern of each group in every layer, in the groups' order."""
    dashes = [DASHES[i % len(DASHES)] for i in range(len(groups))]
    for layer in spec["spec"]["layer"]:
        encoding = layer["encoding"]
        for channel, values in (("strokeDash", dashes), ("color", None)):
            if channel in encoding:
                encoding[channel]["scale"] = {"domain": groups}
                if values is not None:
                    encoding[channel]["scale"]["range"] = values


@shipped("threshold")
def _threshold_template(with_deployed: bool) -> str:
    import altair as alt

    unit = alt.Scale(domain=[0, 1], nice=False)
    axis = alt.Axis(values=[0, 0.5, 1])
    x = alt.X("threshold:Q", title="threshold (score ≥ t is positive)", scale=unit, axis=axis)
    y = alt.Y("value:Q", title=None, scale=unit, axis=axis)
    legend = alt.Legend(title="group", orient="bottom", symbolStrokeWidth=2)
    base = alt.Chart(alt.NamedData(name="values"))
    lines = base.mark_line(strokeWidth=1.5).encode(
        x=x, y=y, color=alt.Color("group:N", legend=legend),
        strokeDash=alt.StrokeDash("group:N", legend=legend),
    )  # fmt: skip
    # no point marks: 19 thresholds × groups × 3 panels of them tripled the chart's size; the
    # dash pattern and the colour tell the lines apart, and the table has every number
    layers: list[Any] = [lines]
    if with_deployed:
        rule = base.mark_rule(color=paint("fg"), strokeWidth=1, strokeDash=[5, 3])
        rule = rule.encode(x=alt.datum(0.5, scale=unit))
        layers.append(rule)
    header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                        labelFontWeight="bold", title=None, labelLimit=0)  # fmt: skip
    facet = alt.Facet("metric:N", header=header, sort=alt.SortField("order"), title=None)
    chart = (
        alt.layer(*layers)
        .properties(width=170, height=150)
        .facet(facet=facet, columns=3, title="")
        .configure_axis(labelOverlap=False, labelFlush=False, labelBound=False, labelLimit=0)
        .configure_legend(labelLimit=0)
    )
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)
