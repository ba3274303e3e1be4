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

    records, outside = project("minimal", charts=False), tmp_path / "outside"
    outside.mkdir()
    (records / ".cardpress-cache").symlink_to(outside)
    cardpress.build(records, tmp_path / "site")
    cardpress.build(records, tmp_path / "site")
    assert list(outside.iterdir()) == []  # nothing written or read through the link
    assert cardpress.verify(tmp_path / "site").ok


PLANTED = [
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"><g/></svg>',
    '<svg><g ONMOUSEOVER = "alert(1)"/></svg>',
    '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><foreignObject><img src="x" onerror="alert(1)"/></foreignObject></svg>',
    '<svg><g/></svg><img src="x" onerror="alert(1)"><svg></svg>',
    '<svg><use xlink:href="https://evil.example/x.svg#a"/></svg>',
    '<svg><rect fill="url(https://evil.example/x)"/></svg>',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    "<svg><!-- --><g/></svg>",
    "point<svg></svg>",
]


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_entry_with_a_valid_digest_is_never_used(tmp_path: Path, planted: str) -> None:
    """Anyone who can write the records folder can write an entry whose digest matches."""
    from cardpress.readers.chart_cache import save_svg

    render = Renderer()
    save_svg(tmp_path, chart_key(spec_json(SPEC)), planted)
    assert cached_svgs(tmp_path, [SPEC], render) == ["<svg>point</svg>"]
    assert render.rendered == [SPEC]  # rendered again, and the entry replaced
    assert load_svg(tmp_path, chart_key(spec_json(SPEC))) == "<svg>point</svg>"


def test_a_gradient_reference_inside_the_chart_is_kept(tmp_path: Path) -> None:
    from cardpress.readers.chart_cache import safe_svg

    chart = '<svg x="1"><defs><linearGradient id="g"/></defs><rect fill="url(#g)"/></svg>'
    assert safe_svg(chart)


def test_a_planted_chart_is_not_published(project: Any, tmp_path: Path) -> None:
    """Every kept chart of a built project replaced by script with a valid digest."""
    import cardpress
    from cardpress.readers.chart_cache import cache_folder, save_svg

    records = project("minimal")
    cardpress.build(records, tmp_path / "clean")
    folder = cache_folder(records)
    keys = kept_keys(folder)
    assert keys
    payload = '<svg onload="alert(1)"><script>alert(2)</script></svg>'
    for key in keys:
        save_svg(folder, key, payload)
    cardpress.build(records, tmp_path / "site")
    site = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*")
            if p.is_file()}  # fmt: skip
    assert not any(b"alert(" in content for content in site.values())
    clean = {p.relative_to(tmp_path / "clean"): p.read_bytes()
             for p in (tmp_path / "clean").rglob("*") if p.is_file()}  # fmt: skip
    assert site == clean


def test_the_real_renderers_charts_are_kept_and_never_drawn_again(
    project: Any, tmp_path: Path, drawn_charts: list[dict[str, Any]]
) -> None:
    """With vl-convert itself: every chart a build draws is read back by the next build.

    Each kept chart once failed :func:`safe_svg` (the renderer's own ``style="min-width…"``), so
    every build drew every chart again; the stand-in renderer above could not show it.
    """
    import cardpress
    from cardpress.readers.chart_cache import cache_folder, safe_svg

    records = project("minimal", charts=False)
    cardpress.build(records, tmp_path / "first")
    folder = cache_folder(records)
    assert folder is not None
    keys = kept_keys(folder)
    assert drawn_charts and keys and all(safe_svg(load_svg(folder, key) or "") for key in keys)
    drawn_charts.clear()
    cardpress.build(records, tmp_path / "second")  # another site: no whole-build short cut
    assert drawn_charts == []
    first, second = tmp_path / "first", tmp_path / "second"
    assert {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()} == {
        p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()
    }


def test_the_renderers_own_width_style_is_the_only_style_allowed() -> None:
    from cardpress.readers.chart_cache import safe_svg

    assert safe_svg('<svg width="10" style="min-width: 10.5px"><g/></svg>')
    assert not safe_svg('<svg style="min-width: 10px; background: url(x)"><g/></svg>')
    assert not safe_svg('<svg style="min-width: 10px"><g style="min-width: 10px"/></svg>')
    assert not safe_svg('<svg style="min-width: 1px" style="x"><g/></svg>')
