"""Charts as inline SVG: Altair builds Vega-Lite specs, vl-convert renders them offline.

Building a spec is pure and cheap; rendering is the slow part (~10 ms a chart), so pages only
*declare* specs and :func:`render_svgs` renders a whole build's charts in one batch: identical
specs once, and over several of vl-convert's threads when there are many
(:mod:`cardpress.render.chart_workers`).

Every chart is shown beside a table of its numbers; shape as well as colour tells series apart,
so a chart reads in grey print and for colour-blind readers.

Legibility (docs/site.md, "Charts"): every text is at least ``FONT`` px in the SVG, and the page
never draws a chart narrower than that (style.css scales it up to fill its column; where the
column is narrower, as on a phone, the chart scrolls sideways instead of shrinking). Colours
are CSS variables of style.css, written into the SVG as they are, so a chart follows the page
into dark mode; each carries its light value as a fallback for a theme without them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
from functools import cache
from typing import Any

import vl_convert as vlc

from cardpress.progress import each
from cardpress.render.chart_templates import shipped
from cardpress.render.chart_workers import Workers, render_apart
from cardpress.render.vega_shapes import vegalite_svg
from cardpress.xml_text import shown

Spec = dict[str, Any]
Chart = Spec | list[Spec]  # a list: small multiples, a panel (an SVG) each, wrapped by the page
# Below this many distinct charts the extra threads' start-up (a V8 engine each) costs more than
# it saves.
POOL_THRESHOLD = 24


FONT = 12  # px: labels, titles, legends; drawn at least this size (style.css)
TITLE_FONT = 14

# The chart palette: name -> light value; style.css defines --chart-<name> (light and dark).
PALETTE = {
    "fg": "#1b1f24",  # text
    "axis": "#6e7781",  # axis lines and ticks
    "grid": "#d0d7de",
    "ref": "#6e7781",  # a reference series: neutral grey, never an alarm colour
    "1": "#2166ac",
    "2": "#b35806",
    "3": "#1b7837",
    "4": "#762a83",
    "limit": "#b35806",  # thresholds (dashed)
    # the drift heat map's five classes of distance ÷ threshold, light to dark
    "heat-0": "#fef0d9",
    "heat-1": "#fdcc8a",
    "heat-2": "#fc8d59",
    "heat-3": "#d7301f",
    "heat-4": "#990000",
}
SERIES = ["1", "2", "3", "4"]


def colour(name: str) -> str:
    """A palette colour as the SVG writes it: the page's CSS variable, the light value behind."""
    return f"var(--chart-{name}, {PALETTE[name]})"


def _theme() -> dict[str, Any]:
    text = {"labelFontSize": FONT, "titleFontSize": FONT, "labelColor": colour("fg"),
            "titleColor": colour("fg")}  # fmt: skip
    return {
        "background": "transparent",  # the page's own background, light or dark
        "view": {"stroke": colour("grid")},
        "axis": {
            **text,
            "domainColor": colour("axis"),
            "tickColor": colour("axis"),
            "gridColor": colour("grid"),
        },
        "legend": {**text, "gradientStrokeColor": colour("grid")},
        "header": text,
        "title": {"fontSize": TITLE_FONT, "color": colour("fg")},
        "text": {"fontSize": FONT, "color": colour("fg")},
        "mark": {"color": colour("1")},
        "rule": {"color": colour("fg")},  # interval bars
        "range": {"category": [colour(name) for name in SERIES]},
    }


def themed(spec: Spec) -> Spec:
    """The spec with the site's chart theme under its own settings (the spec's win)."""
    config = dict(spec.get("config", {}))
    for key, value in _theme().items():
        mine = config.get(key)
        config[key] = (
            {**value, **mine}
            if isinstance(value, dict) and isinstance(mine, dict)
            else (value if mine is None else mine)
        )
    return {**spec, "config": config}


def small_multiples(svgs: list[str]) -> str:
    """Panels of one chart side by side, wrapping onto more rows as the page narrows (CSS grid).

    The grid's columns are as wide as the widest panel at least (``--panel``), so a panel is
    never drawn smaller than laid out; a panel wider than the page scrolls, as a chart does.
    """
    widths = [float(m.group(1)) for svg in svgs if (m := _WIDTH.search(svg))]
    panel = f' style="--panel: {math.ceil(max(widths))}px"' if widths else ""
    return f'<div class="small-multiples"{panel} tabindex="0">' + "".join(svgs) + "</div>"


def scroll_box(svg: str) -> str:
    """A chart in a box that scrolls sideways where the page is narrower than the chart.

    Focusable, so a keyboard can scroll it too (axe: scrollable-region-focusable).
    """
    return f'<div class="chart-scroll" tabindex="0">{svg}</div>'


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


@shipped("dots")
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
        # stroke, not color: a colour encoding here turned the legend's symbols black
        no_legend = alt.Stroke("series:N", legend=None)
        bars = base.mark_rule().encode(x="lower:Q", x2="upper:Q", y=y_axis, stroke=no_legend)
        layers.insert(0, bars)
    chart = alt.layer(*layers).properties(width=300, title="")
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


def group_dots(rows: list[dict[str, Any]], *, groups: list[str]) -> list[Spec]:
    """Small multiples: a dot-and-interval panel per metric, a row per group, one spec each.

    ``rows`` hold ``metric``, ``order`` (of the panels), ``group``, ``value``, ``lower``,
    ``upper`` and ``role`` (reference, small or other), which the mark's shape shows, so colour
    carries nothing alone. Each panel is its own SVG, so the page wraps them (a CSS grid) to
    its width instead of shrinking one wide figure.
    """
    template = _group_dots_template()
    panels = []
    for metric in sorted({r["metric"] for r in rows}, key=lambda m: _order(rows, m)):
        spec: Spec = json.loads(template)
        spec["data"] = {"values": [r for r in rows if r["metric"] == metric]}
        spec["title"] = metric
        for layer in spec["layer"]:
            layer["encoding"]["y"]["sort"] = groups
        panels.append(spec)
    return panels


def _order(rows: list[dict[str, Any]], metric: str) -> int:
    return int(min(r["order"] for r in rows if r["metric"] == metric))


@shipped("group dots")
def _group_dots_template() -> str:
    """One panel; its shapes and colours are explained in the figure's caption, not a legend.

    Text is what costs time to render (vl-convert measures every label), so the x axis has
    three labels.
    """
    import altair as alt

    x = alt.X("value:Q", title=None, scale=alt.Scale(domain=[0, 1], nice=False),
              axis=alt.Axis(values=[0, 0.5, 1]))  # fmt: skip
    y = alt.Y("group:N", title=None)
    base = alt.Chart(alt.NamedData(name="values"))
    bars = base.mark_rule().encode(x=alt.X("lower:Q", title=None), x2="upper:Q", y=y)
    roles = ["reference", "other", "small"]
    shapes = alt.Scale(domain=roles, range=["diamond", "circle", "triangle-down"])
    colours = alt.Scale(domain=roles, range=[colour("ref"), colour("1"), colour("2")])
    dots = base.mark_point(filled=True, size=80, opacity=1).encode(
        x=x, y=y, shape=alt.Shape("role:N", scale=shapes, legend=None),
        color=alt.Color("role:N", scale=colours, legend=None),
    )  # fmt: skip
    chart = (
        alt.layer(bars, dots)
        .properties(width=170, title="")
        .configure_axis(labelOverlap=False, labelFlush=False, labelBound=False, labelLimit=0)
    )
    return json.dumps(chart.to_dict(validate=False), sort_keys=True)


_ID = re.compile(r'\bid="([^"]+)"')
_WIDTH = re.compile(r'<svg [^>]*?\bwidth="([0-9.]+)"')
_ID_USE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)([")])')


def render_svgs(
    specs: list[Spec], workers: int | None = None, pool: Workers | None = None
) -> list[str]:
    """SVG of each spec, in order; identical specs are rendered once.

    ``pool``, when given, renders them (it may have started on them already); otherwise they
    are rendered over ``workers`` threads (default: one per CPU) when there are many.
    """
    keys = [json.dumps(spec, sort_keys=True) for spec in specs]
    distinct = sorted(set(keys))
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if pool is not None:
        rendered = dict(zip(distinct, pool.results(distinct), strict=True))
    elif workers > 1 and len(distinct) >= POOL_THRESHOLD:
        rendered = dict(zip(distinct, render_apart(distinct, workers), strict=True))
    else:
        rendered = {key: _svg_of_json(key) for key in each("charts", distinct, "charts")}
    return [rendered[key] for key in keys]


_threads = 1  # vl-convert's worker threads, as last set up


@cache
def _renderer() -> Any:
    """vl-convert, set up once per process to read nothing: no URL, no file, no font download.

    Specs carry their data inline; a value from the records that looks like a URL must never
    make a build fetch it (vl-convert's default allows any http(s) URL).
    """
    vlc.configure(allowed_base_urls=[], base_url=False, auto_google_fonts=False)
    # Vega's own remarks on a spec ("Infinite extent for field", "Conflicting legend property")
    # are about how a chart is laid out, not about the records: not shown (vl-convert 1 did not
    # show them either). An error still fails the chart.
    logging.getLogger("vl_convert").setLevel(logging.ERROR)
    return vlc


def use_renderer_threads(count: int) -> None:
    """Have vl-convert draw on ``count`` threads (each starts its own engine: ~0.2 s of CPU).

    One thread draws one chart at a time, so a single caller keeps the default of one.
    """
    global _threads
    renderer = _renderer()
    if count != _threads:
        renderer.configure(num_workers=count)
        _threads = count


def _svg_of_json(spec_json: str) -> str:
    spec = json.loads(spec_json)
    if _ESCAPED_UNSAFE.search(spec_json):  # most specs have none: not walked
        spec = _drawable(spec)
    svg = vegalite_svg(_renderer(), spec)
    svg = _stable_ids(svg, hashlib.sha256(spec_json.encode()).hexdigest()[:10])
    # The figure around the chart carries the caption and the table is the text alternative.
    # Never drawn narrower than it was laid out (style.css widens it to its column): its text
    # stays at least FONT px on any screen.
    width = _WIDTH.search(svg)
    least = f' style="min-width: {width.group(1)}px"' if width else ""
    return svg.replace("<svg ", f'<svg aria-hidden="true" focusable="false"{least} ', 1)


# how JSON writes a character XML cannot hold (tab, line feed and return get \t, \n, \r), a C1
# control, a bidirectional embedding, override or isolate; and DEL, which it writes as it is
_ESCAPED_UNSAFE = re.compile(
    r"\\u(00[0189][0-9a-fA-F]|202[a-eA-E]|206[6-9]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF])|\x7f"
)


def _drawable(value: Any) -> Any:
    """``value`` with every text free of what SVG cannot hold or what would reorder it.

    Keys (field names) are ours. Validation refuses control characters in the record texts
    charts draw; a text it does not see (a monitoring row's category) is drawn with them as
    their code points, ``⟨U+0001⟩``, as the page beside the chart shows them (and so are
    bidirectional overrides and isolates, which would make one label read as another).
    """
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, list):
        return [_drawable(item) for item in value]
    if isinstance(value, dict):
        return {key: _drawable(item) for key, item in value.items()}
    return value


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
