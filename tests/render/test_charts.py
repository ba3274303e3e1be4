"""Charts render to SVG deterministically: the same spec gives the same bytes every time."""

from __future__ import annotations

import re

import pytest

from cardpress.render.charts import render_svgs

HEAT = {
    "data": {"values": [{"a": i, "b": i % 3, "c": i / 10} for i in range(9)]},
    "mark": "rect",
    "encoding": {
        "x": {"field": "a", "type": "ordinal"},
        "y": {"field": "b", "type": "ordinal"},
        "color": {"field": "c", "type": "quantitative"},  # a gradient legend: an id'd element
    },
}
OTHER = {**HEAT, "data": {"values": [{"a": 1, "b": 1, "c": 0.5}, {"a": 2, "b": 1, "c": 1}]}}


def test_the_same_chart_rendered_again_has_the_same_ids() -> None:
    first = render_svgs([HEAT], workers=1)[0]
    # Vega's id counter has moved on in this process by now; the ids must not follow it
    again, other = render_svgs([OTHER, HEAT], workers=1)[::-1]
    assert first == again
    ids = re.findall(r'id="([^"]+)"', first)
    assert ids and all(f"url(#{i})" in first for i in ids)
    assert not set(ids) & set(re.findall(r'id="([^"]+)"', other))  # unique on a shared page


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/rows.json", "/etc/hostname", "rows.csv"])
def test_a_chart_reads_no_url_or_file(url: str) -> None:
    # Data is inline in every spec; a URL in one (a record's value put in the wrong place) must
    # fail the chart, never make the build fetch or read it.
    spec = {"data": {"url": url}, "mark": "point", "encoding": {"x": {"field": "a"}}}
    with pytest.raises((PermissionError, ValueError), match=r"denied|not allowed|Unsupported"):
        render_svgs([spec], workers=1)


def test_a_text_svg_cannot_hold_or_that_reorders_is_drawn_as_its_code_point() -> None:
    r"""A monitoring category "a\x01" failed the build: a non-XML character in the SVG; and
    "x\u202ey" read as "xy" reversed."""
    spec = {
        "data": {
            "values": [
                {"g": "a\x01", "n": 1},
                {"g": "b\x1b", "n": 2},
                {"g": "x\u202ey\x7f", "n": 3},
            ]
        },
        "mark": "bar",
        "title": "by g\x02",
        "encoding": {"x": {"field": "g", "type": "nominal"}, "y": {"field": "n"}},
    }
    svg = render_svgs([spec], workers=1)[0]
    for drawn in ("a⟨U+0001⟩", "b⟨U+001B⟩", "by g⟨U+0002⟩", "x⟨U+202E⟩y⟨U+007F⟩"):
        assert drawn in svg
    assert not any(c in svg for c in "\x01\x1b\x02\u202e\x7f")
