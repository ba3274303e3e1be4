"""Built pages checked by parsing: links resolve, sections are there, narrative is inert."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

import cardpress
from cardpress.compute.card import SECTIONS
from tests.conftest import PROJECTS


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _internal_targets(page: Path, soup: BeautifulSoup) -> list[tuple[str, Path, str]]:
    targets = []
    for tag in soup.find_all(["a", "link", "script", "img"]):
        ref = tag.get("href") or tag.get("src")
        if not ref or ref.startswith(("http://", "https://", "mailto:")):
            continue
        parts = urlsplit(ref)
        file = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        targets.append((ref, file, parts.fragment))
    return targets


def test_every_internal_link_and_anchor_resolves(example_site: Path) -> None:
    broken = []
    ids: dict[Path, set[str]] = {}  # a page is the target of many anchors: parsed once

    def has_id(file: Path, fragment: str) -> bool:
        if file not in ids:
            ids[file] = {str(tag["id"]) for tag in _soup(file).find_all(id=True)}
        return fragment in ids[file]

    for page in sorted(example_site.rglob("*.html")):
        for ref, file, fragment in _internal_targets(page, _soup(page)):
            if not file.is_file() or not file.is_relative_to(example_site.resolve()):
                broken.append(f"{page.relative_to(example_site)}: {ref}")
            elif fragment and file.suffix == ".html" and not has_id(file, fragment):
                broken.append(f"{page.relative_to(example_site)}: {ref} (no id {fragment!r})")
    assert broken == []


def test_links_are_relative_and_nothing_is_fetched_from_the_network(example_site: Path) -> None:
    for page in example_site.rglob("*.html"):
        soup = _soup(page)
        for tag in soup.find_all(["link", "script", "img", "iframe"]):
            ref = tag.get("href") or tag.get("src") or ""
            assert "//" not in ref, f"{page}: {ref}"
        for anchor in soup.find_all("a", href=True):
            assert not anchor["href"].startswith("/"), f"{page}: absolute link {anchor['href']}"


def test_example_has_two_versions_with_complete_cards(example_site: Path) -> None:
    model = example_site / "models" / "income-classifier"
    versions = [
        row.th.get_text(" ", strip=True) for row in _soup(model / "index.html").select("tbody tr")
    ]
    assert versions == ["2 latest", "1"]
    for version in ("1", "2"):
        card = _soup(model / "v" / version / "index.html")
        assert [s["id"] for s in card.select("article section")] == [sid for sid, _, _ in SECTIONS]
        assert (
            card.select_one(".completeness")
            .get_text(" ", strip=True)
            .startswith("Completeness Every section and key field is documented.")
        )
        assert not card.select(".missing-list")


def test_latest_redirects_to_newest_version(example_site: Path) -> None:
    latest = _soup(example_site / "models" / "income-classifier" / "latest" / "index.html")
    assert (
        latest.find("meta", attrs={"http-equiv": "refresh"})["content"]
        == "0; url=../v/2/index.html"
    )


def test_empty_sections_are_listed_as_not_documented(tmp_path: Path) -> None:
    cardpress.build(PROJECTS / "minimal", tmp_path / "site")
    card = _soup(tmp_path / "site" / "models" / "fraud" / "v" / "2026.03" / "index.html")
    missing = [li.get_text() for li in card.select(".missing-list li")]
    assert "Intended use" in missing and "Ethical considerations" in missing
    assert "owners" in missing and "licence" in missing
    assert (
        card.select_one("#ethical_considerations .missing").get_text().startswith("Not documented")
    )
    assert "FAILED" in card.select_one(".alert").get_text()


def test_zero_valued_metrics_are_shown(tmp_path: Path) -> None:
    cardpress.build(PROJECTS / "minimal", tmp_path / "site")
    card = _soup(tmp_path / "site" / "models" / "churn" / "v" / "1" / "index.html")
    rows = {
        r.th.get_text(): r.select("td")[1].get_text()
        for r in card.select("#quantitative_analyses tbody tr")
        if r.th
    }
    assert rows["false_positive_rate"] == "0.0000"  # a zero with its four decimals


HOSTILE = """---
title: <img src=x onerror="alert(1)">
summary: "<script>alert('summary')</script>"
---

Intro <script>alert('intro')</script> and <a href="javascript:alert(1)">a link</a>.

## Ethical considerations

<img src="x" onerror="alert(2)"> <b onclick="steal()">bold</b>
<iframe src="https://evil.example"></iframe>
[click](javascript:alert(3)) <style>body{display:none}</style>
"""


def test_narrative_from_card_md_renders_inert(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    (records / "models" / "churn" / "card.md").write_text(HOSTILE, encoding="utf-8")
    cardpress.build(records, tmp_path / "site")
    for page in ("index.html", "models/churn/index.html", "models/churn/v/1/index.html"):
        soup = _soup(tmp_path / "site" / page)
        assert soup.find_all(["iframe", "style"]) == [], page
        for script in soup.find_all("script"):  # only the theme's own files, never inline code
            theme = (
                "assets/filter.js",
                "assets/search.js",
                "assets/live.js",
                "assets/format.js",
                "review/status.js",
            )
            assert script.get("src", "").endswith(theme), page
            assert script.string is None, page
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (page, tag)
            assert not str(tag.get("href", "")).lower().startswith("javascript:"), (page, tag)
    card = _soup(tmp_path / "site" / "models" / "churn" / "v" / "1" / "index.html")
    assert '<img src=x onerror="alert(1)">' in card.h1.get_text()  # shown as text, not markup
    assert card.select_one("#ethical_considerations b").get_text() == "bold"
