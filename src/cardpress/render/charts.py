"""Charts as inline SVG: Altair builds the Vega-Lite spec, vl-convert renders it offline.

Every chart is shown beside a table of its numbers; shape as well as colour tells series apart,
so the chart reads in grey print and for colour-blind readers.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc


def metric_dots(rows: list[dict[str, Any]], *, y: str, series: str, title: str) -> str:
    """A dot chart (with interval bars where known) of ``value`` by ``y``, one mark per series."""
    frame = pd.DataFrame(
        {
            "value": [r["value"] for r in rows],
            "y": [r[y] for r in rows],
            "series": [r[series] for r in rows],
            "lower": [r["ci"]["lower"] if r.get("ci") else None for r in rows],
            "upper": [r["ci"]["upper"] if r.get("ci") else None for r in rows],
        }
    )
    low, high = _domain(frame)
    x = alt.X("value:Q", title="value", scale=alt.Scale(domain=[low, high], nice=False))
    y_axis = alt.Y("y:N", title=None, sort=None)
    legend = alt.Legend(title=series.replace("_", " "), orient="bottom")
    base = alt.Chart(frame)
    dots = base.mark_point(filled=True, size=70).encode(
        x=x,
        y=y_axis,
        color=alt.Color("series:N", legend=legend),
        shape=alt.Shape("series:N", legend=legend),
    )
    layers: list[Any] = [dots]
    if frame["lower"].notna().any():
        no_legend = alt.Color("series:N", legend=None)
        bars = base.mark_rule().encode(x="lower:Q", x2="upper:Q", y=y_axis, color=no_legend)
        layers.insert(0, bars)
    chart = alt.layer(*layers).properties(width=360, title=title)
    return to_svg(chart.to_dict())


def to_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to an SVG element string (no XML prolog, no network)."""
    svg: str = vlc.vegalite_to_svg(spec)
    return svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1)


def _domain(frame: pd.DataFrame) -> tuple[float, float]:
    values = pd.concat([frame["value"], frame["lower"].dropna(), frame["upper"].dropna()])
    low, high = float(values.min()), float(values.max())
    if low >= 0 and high <= 1:
        return 0.0, 1.0
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    return low - pad, high + pad
