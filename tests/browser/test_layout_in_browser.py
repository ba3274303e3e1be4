"""Charts and tables as a reader sees them, at a desktop's and a phone's width, light and dark.

Measured in Chromium on the example site: every chart fills its column, its text is at least
11 px as drawn (its font size times the SVG's scale on screen) and never turned 90°; the
fairness panels wrap rather than shrink; a table too wide for a phone scrolls inside its box
with its first column in view; and the browser's number formatter (assets/format.js) writes
what the pages' filters write.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest

from cardpress.render.env import (
    format_count,
    format_number,
    format_p_value,
    format_share,
    format_signed,
)
from tests.browser.conftest import axe_violations

CARD = "models/income-classifier/v/2/index.html"
FAIRNESS = "models/income-classifier/v/2/fairness/index.html"
DRIFT = "models/income-classifier/drift/index.html"
FEATURE = "models/income-classifier/drift/age/index.html"
COMPARE = "models/income-classifier/compare/index.html"
WIDTHS = [1280, 390]
SMALLEST_TEXT = 11  # px on screen

# Each chart (an SVG from vl-convert) with the box it should fill: its figure, or the grid
# track of a small-multiples grid. Sizes are on screen; a text's font size is scaled by its
# screen matrix, which also gives its angle.
_CHARTS = """() => Array.from(document.querySelectorAll("main svg.marks")).map(svg => {
  const figure = svg.closest("figure");
  const grid = svg.parentElement.classList.contains("small-multiples") ? svg.parentElement : null;
  const track = grid ? parseFloat(getComputedStyle(grid).gridTemplateColumns) : null;
  const column = figure.parentElement;
  const inPair = column.classList.contains("chart-pair");
  const style = getComputedStyle(column);
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  const columnWidth = column.clientWidth - padding;
  const texts = Array.from(svg.querySelectorAll("text")).filter(t => t.textContent.trim());
  const drawn = texts.map(t => {
    const m = t.getScreenCTM();
    return {size: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
            angle: Math.atan2(m.b, m.a) * 180 / Math.PI, text: t.textContent};
  });
  return {
    width: svg.getBoundingClientRect().width,
    laidOut: svg.viewBox.baseVal.width,
    box: grid ? track : figure.clientWidth,
    figure: figure.getBoundingClientRect().width,
    column: inPair ? null : columnWidth,
    columns: grid ? getComputedStyle(grid).gridTemplateColumns.split(" ").length : null,
    texts: drawn,
  };
})"""


@pytest.fixture
def sized(browser: Any, request: pytest.FixtureRequest) -> Any:
    contexts = []

    def open_page(width: int, scheme: str = "light") -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      color_scheme=scheme)  # fmt: skip
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_charts_fill_their_column_with_text_at_least_11_px_and_level(
    sized: Any, example_site: Path, width: int
) -> None:
    page = sized(width)
    seen = 0
    for path in (CARD, FAIRNESS, DRIFT, FEATURE):
        page.goto((example_site / path).as_uri())
        charts = page.evaluate(_CHARTS)
        assert charts, path
        for n, chart in enumerate(charts):
            where = f"{path} chart {n} at {width} px"
            assert chart["width"] >= 0.9 * chart["box"], where
            if chart["column"] is not None:  # a figure of its own spans the page's column
                assert chart["figure"] >= 0.9 * chart["column"], where
            # never drawn narrower than laid out: on a narrow screen it scrolls instead
            assert chart["width"] >= chart["laidOut"] - 0.5, where
            smallest = min(chart["texts"], key=lambda t: t["size"])
            assert smallest["size"] >= SMALLEST_TEXT, (where, smallest)
            turned = [t for t in chart["texts"] if abs(t["angle"]) > 60]
            assert [t for t in turned if t["text"][:2] == "20"] == [], where  # no upright dates
            seen += 1
    assert seen >= 30  # 3 card charts, 24 fairness panels, 3 drift charts, 2 feature charts


def test_fairness_panels_wrap_instead_of_shrinking(sized: Any, example_site: Path) -> None:
    columns = {}
    for width in WIDTHS:
        page = sized(width)
        page.goto((example_site / FAIRNESS).as_uri())
        panels = [c for c in page.evaluate(_CHARTS) if c["columns"] is not None]
        assert len(panels) == 24  # 8 metrics × 3 groupings
        assert all(p["width"] >= p["laidOut"] - 0.5 for p in panels)
        columns[width] = max(p["columns"] for p in panels)
    assert columns[1280] >= 3 and columns[390] == 1


def test_charts_take_their_colours_from_the_page_in_dark_mode(
    sized: Any, example_site: Path
) -> None:
    label = "main svg.marks text"
    colours = {}
    for scheme in ("light", "dark"):
        page = sized(1280, scheme)
        page.goto((example_site / DRIFT).as_uri())
        colours[scheme] = page.eval_on_selector(label, "t => getComputedStyle(t).fill")
        page_text = page.eval_on_selector("body", "b => getComputedStyle(b).color")
        assert colours[scheme] == page_text  # chart text in the page's text colour
    assert colours["light"] != colours["dark"]


# For each table shown: whether its box stays inside the page, and whether the first cell of its
# first row is what the reader sees at that cell's place once the box is scrolled to its end.
_TABLES = """() => Array.from(document.querySelectorAll("main table"))
    .filter(table => !table.closest("details:not([open])"))  // shown, not folded away
    .map(table => {
  const wrap = table.closest(".table-wrap");
  const row = table.querySelector("tbody tr") || table.querySelector("tr");
  const cell = row.firstElementChild;
  if (wrap) { wrap.scrollLeft = wrap.scrollWidth; }
  cell.scrollIntoView({block: "center", inline: "nearest"});
  if (wrap) { wrap.scrollLeft = wrap.scrollWidth; }
  const box = cell.getBoundingClientRect();
  const x = box.left + Math.min(8, box.width / 2), y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {
    caption: (table.caption ? table.caption.textContent : table.id || "").slice(0, 60),
    wrapped: Boolean(wrap),
    wide: wrap ? wrap.scrollWidth > wrap.clientWidth + 1 : false,
    inside: wrap ? wrap.getBoundingClientRect().right <= window.innerWidth + 0.5 : false,
    keyInView: box.left >= -0.5 && box.left < window.innerWidth && hit && cell.contains(hit),
  };
})"""


def test_at_390_px_tables_scroll_in_their_box_with_the_key_column_in_view(
    sized: Any, example_site: Path
) -> None:
    page = sized(390)
    wide = 0
    for path in (CARD, FAIRNESS, DRIFT, COMPARE):
        page.goto((example_site / path).as_uri())
        if path == COMPARE:
            page.wait_for_selector("#compare-result table")
        # the page itself never scrolls sideways: only a table's or a chart's own box does
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        tables = page.evaluate(_TABLES)
        assert tables, path
        for table in tables:
            assert table["wrapped"] and table["inside"], (path, table)
            assert table["keyInView"], (path, table)
            wide += table["wide"]
    assert wide >= 5  # the check met tables that do scroll


def _numbers() -> list[float]:
    """Values of every magnitude and sign, ties of the last place, zeros and near-zeros."""
    chosen = random.Random(20).choices
    values = [
        0.0,
        -0.0,
        1.03125,
        -1.03125,
        0.00005,
        1.76e-05,
        -1e-9,
        0.5,
        12345.678,
        1e15,
        999999999999999.0,
        1.7976931348623157e308,
        -2.5e20,
        9.99995e15,
        1000050000000000.0,
    ]
    for _ in range(400):
        exponent = chosen(range(-9, 9))[0]
        values.append(chosen([-1, 1])[0] * random.Random(len(values)).random() * 10**exponent)
    return values


def test_the_browser_formats_numbers_as_the_pages_do(sized: Any, example_site: Path) -> None:
    page = sized(1280)
    page.goto((example_site / COMPARE).as_uri())
    values = _numbers()
    counts = [0, 1, 2, 999, 1000, 1234567, -4321, 180.5]
    shares = [0.0, 0.0004, 0.0005, 0.123456, 0.66667, 1.0, 0.00125]
    p_values = [0.0, 1.76e-05, 0.00049, 0.0005, 0.0123, 0.5, 1.0]
    shown = page.evaluate(
        """([values, counts, shares, ps]) => { const f = window.cardpressFormat; return {
             num: values.map(v => f.num(v)), signed: values.map(v => f.signed(v)),
             count: counts.map(v => f.count(v, "row")), pct: shares.map(v => f.pct(v)),
             pvalue: ps.map(v => f.pvalue(v)), missing: [f.num(null), f.num(NaN)] }; }""",
        [values, counts, shares, p_values],
    )
    assert shown["num"] == [format_number(v) for v in values]
    assert shown["signed"] == [format_signed(v) for v in values]
    assert shown["count"] == [format_count(v, "row") for v in counts]
    assert shown["pct"] == [format_share(v) for v in shares]
    assert shown["pvalue"] == [format_p_value(v) for v in p_values]
    assert shown["missing"] == [format_number(None), format_number(math.nan)]


EVERY_KIND = [
    "index.html",
    "models/income-classifier/index.html",
    CARD,
    FAIRNESS,
    "models/income-classifier/v/2/diff/index.html",
    "models/income-classifier/v/2/review/index.html",
    "models/income-classifier/v/2/compliance/index.html",
    "models/income-classifier/v/2/lineage/index.html",
    "models/income-classifier/v/2/print.html",
    COMPARE,
    DRIFT,
    FEATURE,
    "datasets/index.html",
    "datasets/data-adult.test-f6b88d9ddf/index.html",
    "jobs/index.html",
    "search/index.html",
    "changelog/index.html",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations_on_a_phone(
    sized: Any, example_site: Path, scheme: str
) -> None:
    """At 390 px every wide table and chart scrolls in its box: the box must take the keyboard."""
    page = sized(390, scheme)
    found = []
    for path in EVERY_KIND:
        assert (example_site / path).is_file(), path
        page.goto((example_site / path).as_uri())
        found += [
            f"{path} [{scheme}]: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
            for v in axe_violations(page, scheme)
        ]
    assert found == []
