"""Charts as inline SVG: Altair builds Vega-Lite specs, vl-convert renders them offline.

Building a spec is pure and cheap; rendering is the slow part (tens of milliseconds a chart, and
vl-convert holds the GIL), so pages only *declare* specs and :func:`render_svgs` renders a whole
build's charts in one batch: identical specs once, and over worker processes when there are many
(:mod:`cardpress.render.chart_workers`, which never re-import the caller's script).

Every chart is shown beside a table of its numbers; shape as well as colour tells series apart,
so a chart reads in grey print and for colour-blind readers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import cache
from typing import Any

import vl_convert as vlc

from cardpress.progress import each
from cardpress.render.chart_workers import render_apart

Spec = dict[str, Any]
# Below this many distinct charts the workers' start-up (a Python with vl-convert each) costs more
# than it saves.
POOL_THRESHOLD = 24


def metric_dots(rows: list[dict[str, Any]], *, y: str, series: str, title: str) -> Spec:
    """Spec of a dot chart of ``value`` by ``y`` (interval bars where known), a mark per series."""
    values = [
        {
            "value": r["value"],
            "y": r[y],
            "series": r[series],
            "lower": r["ci"]["lower"] if r.get("ci") else None,
            "upper": r["ci"]["upper"] if r.get("ci") else None,
        }
        for r in rows
    ]
    with_intervals = any(v["lower"] is not None for v in values)
    spec: Spec = json.loads(_dots_template(with_intervals, series.replace("_", " ")))
    spec["data"] = {"values": values}
    spec["title"] = title
    for layer in spec["layer"]:
        scale = layer["encoding"]["x"].get("scale")
        if scale is not None:
            scale["domain"] = list(_domain(values))
    return spec


@cache
def _dots_template(with_intervals: bool, series_title: str) -> str:
    """The dot chart built once by Altair (building costs ~20 ms); charts fill in the data."""
    import altair as alt  # here: chart workers, which only render, need not load it

    x = alt.X("value:Q", title="value", scale=alt.Scale(domain=[0, 1], nice=False))
    y_axis = alt.Y("y:N", title=None, sort=None)
    legend = alt.Legend(title=series_title, orient="bottom")
    base = alt.Chart(alt.NamedData(name="values"))
    dots = base.mark_point(filled=True, size=70).encode(
        x=x,
        y=y_axis,
        color=alt.Color("series:N", legend=legend),
        shape=alt.Shape("series:N", legend=legend),
    )
    layers: list[Any] = [dots]
    if with_intervals:
        no_legend = alt.Color("series:N", legend=None)
        bars = base.mark_rule().encode(x="lower:Q", x2="upper:Q", y=y_axis, color=no_legend)
        layers.insert(0, bars)
    chart = alt.layer(*layers).properties(width=360, title="")
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


def group_dots(rows: list[dict[str, Any]], *, groups: list[str], title: str) -> Spec:
    """Spec of a dot-and-interval chart per metric (one panel each), a row per group.

    ``rows`` hold ``metric``, ``order`` (of the panels), ``group``, ``value``, ``lower``,
    ``upper`` and ``role``
    (reference, small or other), which the mark's shape shows, so colour carries nothing alone.
    """
    spec: Spec = json.loads(_group_dots_template())
    spec["data"] = {"values": rows}
    spec["title"] = title
    spec["spec"]["layer"][0]["encoding"]["y"]["sort"] = groups
    spec["spec"]["layer"][1]["encoding"]["y"]["sort"] = groups
    return spec


@cache
def _group_dots_template() -> str:
    """Small multiples, four to a row.

    Text is what costs time to render (vl-convert measures every label), so the x axis has three
    labels and the group names appear once per row.
    """
    import altair as alt

    x = alt.X("value:Q", title=None, scale=alt.Scale(domain=[0, 1], nice=False),
              axis=alt.Axis(values=[0, 0.5, 1]))  # fmt: skip
    y = alt.Y("group:N", title=None)
    base = alt.Chart(alt.NamedData(name="values"))
    bars = base.mark_rule().encode(x=alt.X("lower:Q", title=None), x2="upper:Q", y=y)
    legend = alt.Legend(title="group", orient="bottom")
    roles = ["reference", "other", "small"]
    shapes = alt.Scale(domain=roles, range=["diamond", "circle", "triangle-down"])
    colours = alt.Scale(domain=roles, range=["#b35806", "#2166ac", "#777777"])
    dots = base.mark_point(filled=True, size=70, opacity=1).encode(
        x=x, y=y, shape=alt.Shape("role:N", scale=shapes, legend=legend),
        color=alt.Color("role:N", scale=colours, legend=legend),
    )  # fmt: skip
    header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                        labelFontWeight="bold", title=None, labelLimit=0)  # fmt: skip
    facet = alt.Facet("metric:N", header=header, sort=alt.SortField("order"), title=None)
    chart = (
        alt.layer(bars, dots)
        .properties(width=110)
        .facet(facet=facet, columns=4, title="")
        .configure_axis(labelOverlap=False, labelFlush=False, labelBound=False, labelLimit=0)
        .configure_legend(labelLimit=0)
    )
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


_ID = re.compile(r'\bid="([^"]+)"')
_ID_USE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)([")])')


def render_svgs(specs: list[Spec], workers: int | None = None) -> list[str]:
    """SVG of each spec, in order; identical specs are rendered once."""
    keys = [json.dumps(spec, sort_keys=True) for spec in specs]
    distinct = sorted(set(keys))
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and len(distinct) >= POOL_THRESHOLD:
        rendered = dict(zip(distinct, render_apart(distinct, workers), strict=True))
    else:
        rendered = {key: _svg_of_json(key) for key in each("charts", distinct, "charts")}
    return [rendered[key] for key in keys]


def _svg_of_json(spec_json: str) -> str:
    svg: str = vlc.vegalite_to_svg(json.loads(spec_json))
    svg = _stable_ids(svg, hashlib.sha256(spec_json.encode()).hexdigest()[:10])
    # The figure around the chart carries the caption and the table is the text alternative.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _stable_ids(svg: str, prefix: str) -> str:
    """Element ids (gradients, clip paths) named from the chart's spec, numbered in order.

    Vega numbers them by a counter that lives as long as the process, so the same chart
    rendered later in a build, or by another worker, got other ids: the site was not
    byte-identical from build to build, and two charts on one page could share an id.
    """
    names = list(dict.fromkeys(_ID.findall(svg)))
    if not names:
        return svg
    new = {name: f"c{prefix}-{i}" for i, name in enumerate(names)}
    return _ID_USE.sub(lambda m: m.group(1) + new.get(m.group(2), m.group(2)) + m.group(3), svg)


def _domain(values: list[dict[str, Any]]) -> tuple[float, float]:
    numbers = [v[k] for v in values for k in ("value", "lower", "upper") if v[k] is not None]
    low, high = min(numbers), max(numbers)
    if low >= 0 and high <= 1:
        return 0.0, 1.0
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    return low - pad, high + pad
