"""Charts drawn through their shape's compiled Vega: the same SVG, or the plain way."""

from __future__ import annotations

from typing import Any

from cardpress.render import vega_shapes
from cardpress.render.charts import _renderer

Spec = dict[str, Any]


def _bars(rows: list[dict[str, Any]], title: str = "t") -> Spec:
    return {
        "data": {"values": rows},
        "mark": "bar",
        "title": title,
        "encoding": {"x": {"field": "v", "type": "quantitative"},
                     "y": {"field": "g", "type": "nominal"}},
    }  # fmt: skip


class _Counting:
    """vl-convert, counting its compilations and plain draws."""

    def __init__(self) -> None:
        self.real = _renderer()
        self.compiled = 0
        self.plain = 0

    def vegalite_to_vega(self, spec: Spec) -> Spec:
        self.compiled += 1
        return dict(self.real.vegalite_to_vega(spec))

    def vegalite_to_svg(self, spec: Spec) -> str:
        self.plain += 1
        return str(self.real.vegalite_to_svg(spec))

    def vega_to_svg(self, spec: Spec) -> str:
        return str(self.real.vega_to_svg(spec))


def test_charts_of_one_shape_are_compiled_once_and_drawn_as_vl_convert_draws_them() -> None:
    renderer = _Counting()
    tables = [[{"g": "a", "v": 1}, {"g": "b", "v": 2}], [{"g": "a", "v": 5}], []]
    tables.append([{"g": '<x>&"', "v": -3.5}, {"g": "c", "v": None}])
    for rows in tables:
        spec = _bars(rows, title="one shape, compiled once")
        assert vega_shapes.vegalite_svg(renderer, spec) == renderer.real.vegalite_to_svg(spec)
    assert (renderer.compiled, renderer.plain) == (1, 0)


def test_a_spec_without_inline_rows_at_the_top_is_drawn_the_plain_way() -> None:
    renderer = _Counting()
    layered = {"layer": [_bars([{"g": "a", "v": 1}])], "title": "rows in a layer"}
    named = {**_bars([]), "data": {"name": "rows"}, "datasets": {"rows": [{"g": "a", "v": 1}]}}
    for spec in (layered, named):
        assert vega_shapes.vegalite_svg(renderer, spec) == renderer.real.vegalite_to_svg(spec)
    assert (renderer.compiled, renderer.plain) == (0, 2)


def test_a_shape_whose_vega_holds_the_placeholder_twice_is_drawn_the_plain_way() -> None:
    # a title with the placeholder's text: the compiled Vega holds it in two places
    renderer = _Counting()
    spec = _bars([{"g": "a", "v": 1}], title=vega_shapes._PLACEHOLDER)
    assert vega_shapes.vegalite_svg(renderer, spec) == renderer.real.vegalite_to_svg(spec)
    assert vega_shapes.vegalite_svg(renderer, spec) == renderer.real.vegalite_to_svg(spec)
    assert (renderer.compiled, renderer.plain) == (1, 2)  # compiled once, refused, kept refused
