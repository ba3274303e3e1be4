"""Charts rendered by worker processes are the same bytes as charts rendered in-process."""

from __future__ import annotations

import json

import pytest

from cardpress.render.chart_workers import render_apart
from cardpress.render.charts import POOL_THRESHOLD, render_svgs


def _heat(n: int) -> dict[str, object]:
    return {
        "data": {"values": [{"a": i, "b": i % 3, "c": (i * n) % 7 / 7} for i in range(6)]},
        "mark": "rect",
        "encoding": {
            "x": {"field": "a", "type": "ordinal"},
            "y": {"field": "b", "type": "ordinal"},
            "color": {"field": "c", "type": "quantitative"},
        },
    }


def test_workers_render_the_same_bytes_in_the_same_order() -> None:
    specs = [_heat(n) for n in range(POOL_THRESHOLD)] + [_heat(3), _heat(0)]
    assert render_svgs(specs, workers=2) == render_svgs(specs, workers=1)


def test_a_failing_worker_says_why() -> None:
    bad = json.dumps({"mark": {"type": "no-such-mark"}, "data": {"values": []}})
    with pytest.raises(RuntimeError, match="a chart worker failed"):
        render_apart([bad], 1)
