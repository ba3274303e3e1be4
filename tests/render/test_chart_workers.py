"""Charts drawn in the background, over several threads, are the bytes drawn one at a time."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from cardpress.chart_feed import chart_feed
from cardpress.render.chart_workers import Workers, render_apart
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


def test_a_chart_that_cannot_be_drawn_says_why() -> None:
    bad = json.dumps({"mark": {"type": "no-such-mark"}, "data": {"values": []}})
    with pytest.raises(RuntimeError, match=r"a chart could not be drawn: \w"):
        render_apart([bad], 1)


def test_charts_submitted_early_are_drawn_once_and_in_order() -> None:
    specs = [json.dumps(_heat(n), sort_keys=True) for n in range(6)]
    pool = Workers(2)
    try:
        pool.submit(specs[:4])
        found = pool.results([specs[5], specs[0], specs[5], specs[2]])
    finally:
        pool.close()
    alone = render_svgs([_heat(5), _heat(0), _heat(5), _heat(2)], workers=1)
    assert found == alone


def test_a_failed_build_stops_its_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cardpress.chart_feed.os.cpu_count", lambda: 2)
    specs = [json.dumps(_heat(n), sort_keys=True) for n in range(40)]
    with pytest.raises(KeyError), chart_feed(tmp_path) as feed:  # no chart kept: started now
        assert feed.pool is not None
        feed.pool.submit(specs)
        futures = list(feed.pool._futures.values())
        raise KeyError("the build failed")
    assert any(future.cancelled() for future in futures)  # not drawn: nobody wants them now
    assert not [t for t in threading.enumerate() if t.name.startswith("cardpress-chart")]


def test_kept_charts_are_read_back_and_forgotten_once_handed_out() -> None:
    """With a cache, a drawn chart is kept at once, held or read back, then forgotten."""
    specs = [json.dumps(_heat(n), sort_keys=True) for n in range(4)]
    expected = render_apart(specs, 1)
    kept: dict[str, str] = {}
    lost = specs[1]  # kept, then lost from the cache: drawn again when asked for

    def keep(spec: str, svg: str) -> bool:
        kept[spec] = svg
        return spec != specs[3]  # the cache refuses this one: handed out as drawn

    def load(spec: str) -> str | None:
        return None if spec == lost else kept.get(spec)

    pool = Workers(2, keep, load)
    pool.HELD = len(expected[0])  # one chart held in memory; the others read back
    try:
        assert pool.results(specs) == expected
        assert sorted(kept) == sorted(specs)
        assert (pool._futures, pool._held) == ({}, 0)  # handed out: nothing held
    finally:
        pool.close()
