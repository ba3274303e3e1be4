"""Charts kept between builds: reused when intact, rendered again when not, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cardpress.readers.chart_cache import (
    cached_svgs,
    chart_key,
    kept_keys,
    load_svg,
    spec_json,
    svg_path,
)

SPEC = {"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {}}
OTHER = {**SPEC, "mark": "line"}


class Renderer:
    """Stands in for vl-convert (the real one is tested in tests/render): counts what it renders."""

    def __init__(self) -> None:
        self.rendered: list[dict[str, Any]] = []

    def __call__(self, specs: list[dict[str, Any]]) -> list[str]:
        self.rendered += specs
        return [f"<svg>{spec['mark']}</svg>" for spec in specs]


def test_a_chart_is_rendered_once_ever(tmp_path: Path) -> None:
    render = Renderer()
    assert cached_svgs(tmp_path, [SPEC, OTHER, SPEC], render) == [
        "<svg>point</svg>", "<svg>line</svg>", "<svg>point</svg>"
    ]  # fmt: skip
    assert cached_svgs(tmp_path, [OTHER, SPEC], render) == ["<svg>line</svg>", "<svg>point</svg>"]
    assert render.rendered == [SPEC, OTHER]
    assert len(kept_keys(tmp_path)) == 2
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) - 5],  # truncated
        lambda text: text.replace("point", "pwned"),  # edited
        lambda text: text.split("\n", 1)[1],  # no digest line: not written by cardpress
        lambda text: "",
    ],
)
def test_a_damaged_entry_is_rendered_again_and_replaced(tmp_path: Path, damage: Any) -> None:
    render = Renderer()
    cached_svgs(tmp_path, [SPEC], render)
    path = svg_path(tmp_path, chart_key(spec_json(SPEC)))
    path.write_text(damage(path.read_text()))
    assert cached_svgs(tmp_path, [SPEC], render) == ["<svg>point</svg>"]
    assert len(render.rendered) == 2
    assert load_svg(tmp_path, chart_key(spec_json(SPEC))) == "<svg>point</svg>"


def test_an_entry_of_another_chart_is_not_used(tmp_path: Path) -> None:
    render = Renderer()
    cached_svgs(tmp_path, [SPEC, OTHER], render)
    # someone copied one chart's file over another's: its digest is intact, its key is not
    mine, theirs = (svg_path(tmp_path, chart_key(spec_json(s))) for s in (SPEC, OTHER))
    mine.write_bytes(theirs.read_bytes())
    assert cached_svgs(tmp_path, [SPEC], render) == ["<svg>point</svg>"]


def test_the_key_follows_the_spec_canonically() -> None:
    reordered = {"encoding": {}, "data": {"values": [{"a": 1}]}, "mark": "point"}
    assert chart_key(spec_json(SPEC)) == chart_key(spec_json(reordered))
    assert chart_key(spec_json(SPEC)) != chart_key(spec_json(OTHER))


def test_no_cache_folder_renders_everything(tmp_path: Path) -> None:
    render = Renderer()
    cached_svgs(None, [SPEC], render)
    cached_svgs(None, [SPEC], render)
    assert len(render.rendered) == 2


def test_builds_sharing_the_cache_never_read_half_a_chart(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from cardpress.readers.chart_cache import save_svg

    key = chart_key(spec_json(SPEC))
    big = "<svg>" + "x" * 1_000_000 + "</svg>"

    def write_and_read(turn: int) -> set[str | None]:
        found = set()
        for _ in range(20):
            save_svg(tmp_path, key, big)
            found.add(load_svg(tmp_path, key))
        return found

    with ThreadPoolExecutor(4) as pool:
        seen = set().union(*pool.map(write_and_read, range(4)))
    assert seen == {big}  # never None (a torn file) nor anything else
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_cache_folder_linked_outside_the_records_folder_is_never_used(
    project: Any, tmp_path: Path
) -> None:
    import cardpress

    records, outside = project("minimal"), tmp_path / "outside"
    outside.mkdir()
    (records / ".cardpress-cache").symlink_to(outside)
    cardpress.build(records, tmp_path / "site")
    cardpress.build(records, tmp_path / "site")
    assert list(outside.iterdir()) == []  # nothing written or read through the link
    assert cardpress.verify(tmp_path / "site").ok
