"""Every chart of the example takes its colours from the page and its text is legible.

The SVGs are static, so what the browser can restyle is what they name: each colour must be a
``--chart-*`` variable that style.css defines for light and for dark, with its light value as
the fallback; no text is laid out smaller than the theme's size.
"""

from __future__ import annotations

import re
from pathlib import Path

from cardpress.render.charts import FONT, PALETTE
from cardpress.render.env import default_templates_dir

SVG = re.compile(r'<svg [^>]*class="marks".*?</svg>', re.S)
PAINT = re.compile(r'\b(?:fill|stroke)="([^"]*)"')
VARIABLE = re.compile(r"var\(--chart-([a-z0-9-]+), (#[0-9a-f]{6})\)")
FONT_SIZE = re.compile(r'font-size="([0-9.]+)px"')


def _charts(site: Path) -> list[str]:
    pages = [p for p in site.rglob("*.html") if "/models/" in p.as_posix()]
    return [svg for page in pages for svg in SVG.findall(page.read_text(encoding="utf-8"))]


def test_every_chart_colour_is_a_variable_of_the_page_with_a_dark_value(
    example_site: Path,
) -> None:
    charts = _charts(example_site)
    assert len(charts) > 40
    used = set()
    for svg in charts:
        for paint in PAINT.findall(svg):
            if paint in {"none", "transparent"}:
                continue
            match = VARIABLE.fullmatch(paint)
            assert match, paint
            name, fallback = match.groups()
            assert PALETTE[name] == fallback, name
            used.add(name)
    assert {"fg", "axis", "grid", "ref", "1", "2", "heat-0", "heat-4", "limit"} <= used
    css = (default_templates_dir() / "assets" / "style.css").read_text(encoding="utf-8")
    light, _, rest = css.partition("@media (prefers-color-scheme: dark)")
    dark = rest.split("\n}\n", 1)[0]
    for name in PALETTE:
        assert f"--chart-{name}: {PALETTE[name]};" in light, name  # the fallback is the light one
        assert f"--chart-{name}:" in dark, name


def test_no_chart_text_is_laid_out_below_the_theme_size(example_site: Path) -> None:
    sizes = [float(size) for svg in _charts(example_site) for size in FONT_SIZE.findall(svg)]
    assert sizes and min(sizes) >= FONT


def test_the_dark_theme_changes_colours_only() -> None:
    """The browser tests check dark mode with axe's colour rules only; this is why that holds."""
    templates = default_templates_dir()
    css = (templates / "assets" / "style.css").read_text(encoding="utf-8")
    assert css.count("prefers-color-scheme") == 1
    dark = css.partition("@media (prefers-color-scheme: dark)")[2].split("\n}\n", 1)[0]
    body = dark.strip().removeprefix("{").strip()
    assert body.startswith(":root {") and body.endswith("}"), body[:80]
    declarations = [d.strip() for d in body[len(":root {") : -1].split(";") if d.strip()]
    assert len(declarations) > 20
    assert all(re.fullmatch(r"--[a-z0-9-]+: #[0-9a-f]{6}", d) for d in declarations), declarations
    for path in templates.rglob("*"):  # nothing else reads the colour scheme
        if path.is_file() and path.name != "style.css":
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "prefers-color-scheme" not in text and "color-scheme" not in text, path
