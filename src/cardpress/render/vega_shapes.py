"""Draw a Vega-Lite spec through the compiled Vega spec of its shape, compiled once a build.

vl-convert's ``vegalite_to_svg`` compiles the Vega-Lite spec to Vega, then draws the Vega:
compiling was ~40% of drawing one of the site's small charts. A build's charts come in few
shapes — the same chart of another version or group differs only in its rows — so the Vega spec
of each shape (the Vega-Lite spec with a placeholder for its inline rows) is compiled once and
given each chart's rows. Vega-Lite copies inline rows into the Vega spec as they are, so the SVG
is the one ``vegalite_to_svg`` draws (tests compare the two on every kind of chart the site
shows); a spec of another form, or a shape whose Vega does not hold the placeholder exactly
once, is drawn the plain way.
"""

from __future__ import annotations

import json
import threading
from typing import Any

Spec = dict[str, Any]

_PLACEHOLDER = "cardpress rows placeholder"
_ROWS = [{_PLACEHOLDER: 0}]
_KEPT = 512  # shapes kept at most (a build has a few dozen); then the store starts again
_compiled: dict[str, tuple[Spec, int] | None] = {}  # shape -> (Vega, index of its rows' data)
_lock = threading.Lock()


def vegalite_svg(renderer: Any, spec: Spec) -> str:
    """The SVG of a Vega-Lite spec, drawn by vl-convert (``renderer``)."""
    rows = _inline_rows(spec)
    if rows is None:
        return str(renderer.vegalite_to_svg(spec))
    shape = json.dumps({**spec, "data": {"values": _ROWS}}, sort_keys=True)
    compiled = _compiled_shape(renderer, shape)
    if compiled is None:
        return str(renderer.vegalite_to_svg(spec))
    vega, index = compiled
    data = list(vega["data"])
    data[index] = {**data[index], "values": rows}
    return str(renderer.vega_to_svg({**vega, "data": data}))


def _inline_rows(spec: Spec) -> list[Any] | None:
    """The rows of a spec whose only data is ``{"values": [...]}`` at the top, else None."""
    data = spec.get("data")
    if isinstance(data, dict) and list(data) == ["values"] and isinstance(data["values"], list):
        return data["values"]
    return None


def _compiled_shape(renderer: Any, shape: str) -> tuple[Spec, int] | None:
    with _lock:
        if shape in _compiled:
            return _compiled[shape]
    vega: Spec = renderer.vegalite_to_vega(json.loads(shape))
    found: tuple[Spec, int] | None = None
    data = vega.get("data")
    if isinstance(data, list) and json.dumps(vega).count(_PLACEHOLDER) == 1:
        places = [i for i, entry in enumerate(data) if entry.get("values") == _ROWS]
        found = (vega, places[0]) if len(places) == 1 else None
    with _lock:
        if len(_compiled) >= _KEPT:
            _compiled.clear()
        _compiled[shape] = found
    return found
