"""Search index, sitemap, robots.txt and canonical links."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from bs4 import BeautifulSoup

import cardpress
from tests.conftest import PROJECTS

PREFIX = "window.CARDPRESS_SEARCH = "


def _index(site: Path) -> list[dict[str, str]]:
    text = (site / "search" / "index.js").read_text()
    assert text.startswith(PREFIX) and text.endswith(";\n")
    return json.loads(text[len(PREFIX) : -2])


def test_search_index_covers_models_versions_datasets_and_card_text(example_site: Path) -> None:
    entries = _index(example_site)
    by_kind = {
        kind: [e for e in entries if e["kind"] == kind]
        for kind in ("model", "version", "dataset", "fairness", "review", "drift")
    }
    assert sorted(e["url"] for e in by_kind["model"]) == [
        "models/diabetes-progression/index.html",
        "models/hours-band/index.html",
        "models/income-classifier/index.html",
    ]
    assert sorted({e["title"] for e in by_kind["version"]}) == [
        "Diabetes progression regressor 1",
        "Income classifier 1",
        "Income classifier 2",
        "Working-hours band 1",
    ]
    regression = " ".join(e["text"] for e in by_kind["fairness"] if "Diabetes" in e["title"])
    assert "sex 1" in regression and "under 50" in regression  # its groups are searchable
    datasets = {e["title"]: e["url"] for e in by_kind["dataset"]}
    assert {"UCI Adult, test split", "UCI Adult, training split"} <= set(datasets)
    assert {"predictions of income-classifier 1", "data/adult.names"} <= set(datasets)
    assert all(url.startswith("datasets/") for url in datasets.values())
    version_2 = " ".join(e["text"] for e in by_kind["version"] if e["title"].endswith(" 2"))
    assert "one-hot" in version_2 and "roc_auc" in version_2 and "Example ML team" in version_2
    for entry in entries:  # every result links to a page (and anchor) that exists
        assert entry["section"], entry
        page, _, anchor = entry["url"].partition("#")
        html = example_site / page
        assert html.is_file(), entry
        if anchor:
            assert BeautifulSoup(html.read_text(), "html.parser").find(id=anchor), entry


def _found(entries: list[dict[str, str]], term: str) -> set[tuple[str, str]]:
    """(kind, page) of the entries a search for ``term`` finds, as the search page matches."""
    return {(e["kind"], e["url"].split("#")[0]) for e in entries
            if term.lower() in (e["title"] + " " + e["text"]).lower()}  # fmt: skip


def test_search_finds_groups_features_statuses_decisions_and_algorithms(
    example_site: Path,
) -> None:
    entries = _index(example_site)
    card_2 = "models/income-classifier/v/2/index.html"
    fairness_2 = "models/income-classifier/v/2/fairness/index.html"
    assert ("fairness", fairness_2) in _found(entries, "Female")
    assert ("version", card_2) in _found(entries, "Amer-Indian-Eskimo")  # a flagged group
    assert ("drift", "models/income-classifier/drift/index.html") in _found(entries, "workclass")
    assert ("version", card_2) in _found(entries, "HistGradientBoostingClassifier")
    assert ("version", "models/income-classifier/v/1/index.html") in _found(
        entries, "LogisticRegression"
    )
    review_2 = "models/income-classifier/v/2/review/index.html"
    assert ("review", review_2) in _found(entries, "approved-with-conditions")
    assert ("version", card_2) in _found(entries, "status approved")
    assert ("version", "models/income-classifier/v/1/index.html") in _found(entries, "retired")


def test_search_index_cannot_break_out_of_a_script(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    card = records / "models" / "churn" / "card.md"
    card.write_text(
        card.read_text().replace("Flags customers", "</script><script>alert(1)</script> Flags")
    )
    cardpress.build(records, tmp_path / "site")
    text = (tmp_path / "site" / "search" / "index.js").read_text()
    assert "</script" not in text.lower()
    assert any("alert(1)" in e["text"] for e in _index(tmp_path / "site"))  # kept, as text


def test_base_url_gives_canonical_links_and_a_sitemap(tmp_path: Path) -> None:
    cardpress.build(
        PROJECTS / "minimal", tmp_path / "site", base_url="https://audit.example.org/ml"
    )
    site = tmp_path / "site"
    card = BeautifulSoup((site / "models/churn/v/1/index.html").read_text(), "html.parser")
    assert (
        card.find("link", rel="canonical")["href"]
        == "https://audit.example.org/ml/models/churn/v/1/index.html"
    )
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [
        loc.text
        for loc in ET.parse(site / "sitemap.xml").getroot().findall("s:url/s:loc", namespace)
    ]
    pages = sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html"
    )
    # every page but the redirects of a model's latest/ (addresses, without a canonical link)
    redirects = [p for p in pages if "/latest/" in p]
    assert redirects and all("http-equiv" in (site / p).read_text() for p in redirects)
    assert urls == [f"https://audit.example.org/ml/{p}" for p in pages if p not in redirects]
    assert not (site / "robots.txt").exists()


def test_no_base_url_means_no_absolute_links_and_no_sitemap(tmp_path: Path) -> None:
    cardpress.build(PROJECTS / "minimal", tmp_path / "site")
    assert not (tmp_path / "site" / "sitemap.xml").exists()
    card = BeautifulSoup((tmp_path / "site/index.html").read_text(), "html.parser")
    assert card.find("link", rel="canonical") is None


def test_robots_txt_from_config(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    config = records / "cardpress.toml"
    config.write_text(config.read_text() + 'robots = "allow"\nbase_url = "https://a.example/"\n')
    cardpress.build(records, tmp_path / "site")
    robots = (tmp_path / "site" / "robots.txt").read_text()
    assert robots == "User-agent: *\nAllow: /\nSitemap: https://a.example/sitemap.xml\n"
    config.write_text(config.read_text().replace('robots = "allow"', 'robots = "disallow"'))
    cardpress.build(records, tmp_path / "other")
    assert (tmp_path / "other" / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"


def test_bad_base_url_is_a_usage_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("build", str(PROJECTS / "minimal"), "--base-url", "audit.example.org")
    assert result.exit_code == 2
    assert "'audit.example.org': give an http(s) URL" in result.output


def test_404_page_uses_absolute_links_when_the_base_url_is_known(tmp_path: Path) -> None:
    cardpress.build(
        PROJECTS / "minimal", tmp_path / "site", base_url="https://audit.example.org/ml/"
    )
    page = BeautifulSoup((tmp_path / "site" / "404.html").read_text(), "html.parser")
    assert (
        page.find("link", rel="stylesheet")["href"]
        == "https://audit.example.org/ml/assets/style.css"
    )
    assert {a["href"] for a in page.find_all("a")} >= {"https://audit.example.org/ml/index.html"}
    cardpress.build(PROJECTS / "minimal", tmp_path / "plain")
    plain = BeautifulSoup((tmp_path / "plain" / "404.html").read_text(), "html.parser")
    assert plain.find("link", rel="stylesheet")["href"] == "assets/style.css"
