"""The example site in a real browser: loads clean, stays local, searches, passes axe."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

import cardpress
from tests.browser.conftest import axe_violations, screenshot

MAIN_PAGES = [
    "index.html",
    "models/income-classifier/index.html",
    "models/income-classifier/v/2/index.html",
    "models/income-classifier/v/2/fairness/index.html",
    "models/hours-band/v/1/fairness/index.html",
    "models/income-classifier/v/2/diff/index.html",
    "models/income-classifier/v/2/review/index.html",
    "models/income-classifier/v/2/compliance/index.html",
    "models/income-classifier/v/2/print.html",
    "models/diabetes-progression/v/1/index.html",
    "models/diabetes-progression/v/1/fairness/index.html",
    "models/income-classifier/compare/index.html",
    "models/income-classifier/drift/index.html",
    "search/index.html",
    "changelog/index.html",
    "404.html",
]


def _watch(page: Any) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    return errors, requests


# Every link's absolute address; a link inside an SVG (lineage graphs) holds it in href.baseVal.
LINKS = """links => links.map(a => typeof a.href === "string" ? a.href
                                 : new URL(a.href.baseVal, document.baseURI).href)"""


def test_every_page_loads_clean_and_nothing_leaves_the_site(
    page: Any, site_root: str, example_site: Path
) -> None:
    errors, requests = _watch(page)
    pages = sorted(p.relative_to(example_site).as_posix() for p in example_site.rglob("*.html"))
    for path in pages:
        response = page.goto(site_root + path)
        if site_root.startswith("http") and path != "404.html":
            assert response is not None and response.status == 200, path
        if path.endswith("latest/index.html"):  # a meta refresh: it moves on by itself
            page.wait_for_url("**/v/*/index.html")
            continue
        if path.endswith("latest/review/index.html"):
            page.wait_for_url("**/v/*/review/index.html")
            continue
        internal = page.eval_on_selector_all("a[href]", LINKS)
        for href in internal:
            if href.startswith(site_root):  # every internal link points at a file of the site
                target = href[len(site_root) :].split("#")[0].split("?")[0] or "index.html"
                assert (example_site / target).is_file(), f"{path}: {href}"
    assert errors == []
    assert [url for url in requests if not url.startswith(site_root)] == []


def test_latest_redirects_to_the_newest_version(page: Any, site_root: str) -> None:
    page.goto(site_root + "models/income-classifier/latest/index.html")
    page.wait_for_url("**/v/2/index.html")
    assert page.locator("h1").inner_text().startswith("Income classifier")


def test_latest_review_redirects_to_the_newest_versions_review(page: Any, site_root: str) -> None:
    # an older version's review page sends readers here for the policy's checks
    page.goto(site_root + "models/income-classifier/v/1/review/index.html")
    page.click("#checks a")
    page.wait_for_url("**/v/2/review/index.html")


def test_search_from_the_header_and_the_search_page(page: Any, site_root: str) -> None:
    errors, _ = _watch(page)
    page.goto(site_root + "index.html")
    page.fill(".site-search input", "adult test")
    page.press(".site-search input", "Enter")
    page.wait_for_selector("#search-results li")
    titles = page.locator("#search-results li a").all_inner_texts()
    assert "UCI Adult, test split" in titles
    page.fill("#search-query", "boosted")  # results follow typing; the run descriptions
    page.wait_for_function(
        "document.querySelector('#search-status').textContent.includes('boosted')"
    )
    assert page.locator("#search-results li a").all_inner_texts() == [
        "Income classifier 2",
        "Working-hours band 1",
    ]
    page.click("#search-results li a")
    page.wait_for_url("**/v/2/index.html#*")  # results link to the section that matched
    assert errors == []
    screenshot(page, f"search-{site_root.split(':')[0]}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(page: Any, http_root: str, scheme: str) -> None:
    # From a web server only: a page's markup and styles are the same from file:// (that every
    # page loads clean from both is checked above), and axe on 16 pages is a minute a run.
    site_root = http_root
    page.emulate_media(color_scheme=scheme)
    found = []
    for path in MAIN_PAGES:
        page.goto(site_root + path)
        for violation in axe_violations(page, scheme):
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"{path} [{scheme}]: {violation['id']} ({violation['impact']}) {targets}")
        name = path.replace("/", "_").removesuffix(".html")
        screenshot(page, f"{name}-{scheme}-{site_root.split(':')[0]}")
    assert found == []


def test_keyboard_reaches_the_skip_link_first(page: Any, site_root: str) -> None:
    page.goto(site_root + "models/income-classifier/v/2/index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_a_card_prints_as_a_clean_document(page: Any, site_root: str, tmp_path: Path) -> None:
    page.goto(site_root + "models/income-classifier/v/2/index.html")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "[...document.querySelectorAll('.site-search, .toc, .version-nav')]"
        ".every(e => getComputedStyle(e).display === 'none')"
    )
    assert hidden
    assert page.locator("table").count() >= 6 and page.locator("figure svg").count() >= 3
    pdf = tmp_path / "card.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000


def test_home_page_filters_models_by_status_and_risk(page: Any, tmp_path: Path) -> None:
    import cardpress
    from tests.conftest import PROJECTS

    cardpress.build(PROJECTS / "minimal", tmp_path / "site")
    root = (tmp_path / "site").as_uri() + "/"
    page.goto(root + "index.html")
    rows = "[...document.querySelectorAll('table.models tbody tr')]"
    visible = rows + ".filter(r => !r.hidden).map(r => r.dataset.status)"
    assert sorted(page.evaluate(visible)) == ["approved", "none"]
    page.select_option("#model-filter [name=status]", "approved")
    assert page.evaluate(visible) == ["approved"]
    assert page.locator("#model-count").inner_text() == "1 shown"
    page.select_option("#model-filter [name=status]", "")
    page.select_option("#model-filter [name=risk]", "none")
    assert page.evaluate(visible) == ["none"]  # fraud has no card.md: risk not rated


def test_the_printable_record_prints_card_and_fairness_report(
    page: Any, site_root: str, tmp_path: Path
) -> None:
    page.goto(site_root + "models/income-classifier/v/2/print.html")
    page.emulate_media(media="print")
    assert page.locator("#model_details").count() == 1 and page.locator("#by-sex").count() == 1
    opened = page.evaluate(
        "[...document.querySelectorAll('details.metric-detail')].every(d => d.open)"
    )
    assert opened
    pdf = tmp_path / "record.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 100_000


_TABLES = """() => [...document.querySelectorAll('main table')].map(t =>
    [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim())))"""
_METRICS = """() => [...document.querySelectorAll('#metrics + .table-wrap tbody tr')]
    .map(r => [...r.cells].map(c => c.textContent.trim()))"""
_CHANGED_LINES = """() => [...document.querySelectorAll('pre.text-diff ins, pre.text-diff del')]
    .map(e => e.textContent).filter(t => !t.startsWith('+++') && !t.startsWith('---')).sort()"""


def test_compare_page_diffs_any_two_versions_as_the_diff_page_does(
    page: Any, site_root: str
) -> None:
    errors, _ = _watch(page)
    page.goto(site_root + "models/income-classifier/v/2/diff/index.html")
    static_tables, static_lines = page.evaluate(_TABLES), page.evaluate(_CHANGED_LINES)
    static_metrics = page.evaluate(_METRICS)
    page.click("text=Compare other versions")
    page.wait_for_url("**/compare/index.html?from=1&to=2")
    page.wait_for_selector("#compare-result table")
    assert page.evaluate(_TABLES) == static_tables
    assert page.evaluate(_CHANGED_LINES) == static_lines == []  # one card.md for both

    # the other way round: every delta changes sign, added becomes removed
    page.select_option("#compare-form [name=from]", "2")
    page.select_option("#compare-form [name=to]", "1")
    page.click("#compare-form button")
    page.wait_for_url("**/compare/index.html?from=2&to=1")
    page.wait_for_selector("#compare-result table")
    metrics = page.evaluate(_METRICS)
    forward = {tuple(row[:3]): row for row in static_metrics}
    assert len(metrics) == len(forward) > 10
    for row in metrics:
        before = forward[tuple(row[:3])]
        assert (row[3], row[4]) == (before[4], before[3])
        if before[5] not in {"—", "0.0000"}:
            number, was = row[5].split(" ")[0], before[5].split(" ")[0]
            assert number == ("+" + was[1:] if was[0] == "-" else "-" + was[1:])
            flipped = {"better": "worse", "worse": "better"}
            assert row[5].split(" ")[2:] == [flipped[w] for w in before[5].split(" ")[2:]]
    assert errors == []


def test_compare_page_names_a_version_that_does_not_exist(page: Any, site_root: str) -> None:
    page.goto(site_root + "models/income-classifier/compare/index.html?from=1&to=%3Cb%3E7")
    alert = page.locator("#compare-result .alert")
    assert alert.inner_text() == "No version <b>7 of this model. Choose two versions above."
    assert page.locator("#compare-result b").count() == 0


def test_compare_page_diffs_card_text_of_a_published_version(
    page: Any, project: Any, tmp_path: Path
) -> None:
    """Version 10 is published, then card.md changes and version 11 comes: 10 → 11 differ."""
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("gets no call", "is called later"))
    run = json.loads((records / "runs" / "churn-10.json").read_text())
    run["model"]["version"], run["run_id"] = "11", "run-0011"
    (records / "runs" / "churn-11.json").write_text(json.dumps(run))
    cardpress.build(records, out)
    page.goto((out / "models/churn/v/11/diff/index.html").as_uri())
    static_tables, static_lines = page.evaluate(_TABLES), page.evaluate(_CHANGED_LINES)
    assert len(static_lines) == 2
    page.goto((out / "models/churn/compare/index.html").as_uri() + "?from=10&to=11")
    page.wait_for_selector("#compare-result pre.text-diff")
    assert page.evaluate(_CHANGED_LINES) == static_lines
    assert page.evaluate(_TABLES) == static_tables
    page.goto((out / "models/churn/compare/index.html").as_uri() + "?from=1&to=11")
    page.wait_for_selector("#compare-result h2#text")
    assert page.locator("#compare-result .lead a").inner_text() == "version 1"


def test_compare_page_takes_names_that_objects_already_have(
    page: Any, project: Any, tmp_path: Path
) -> None:
    """?from=toString, and parameters named constructor or toString, are text like any other."""
    records, out = project("minimal"), tmp_path / "site"
    for name, params in (("churn-1.json", {"toString": 1}), ("churn-10.json", {"constructor": 2})):
        run = json.loads((records / "runs" / name).read_text())
        run["params"] = {**run.get("params", {}), **params}
        (records / "runs" / name).write_text(json.dumps(run))
    cardpress.build(records, out)
    errors, _ = _watch(page)
    compare = (out / "models/churn/compare/index.html").as_uri()
    page.goto(compare + "?from=toString&to=__proto__")
    alert = page.locator("#compare-result .alert")
    assert alert.inner_text() == (
        "No version toString or __proto__ of this model. Choose two versions above."
    )
    page.goto(compare + "?from=1&to=10")
    page.wait_for_selector("#compare-result table")
    rows = page.evaluate(
        "[...document.querySelectorAll('#compare-result table')[0].rows].slice(1)"
        ".map(r => [...r.cells].slice(0, 2).map(c => c.innerText))"
    )
    assert ["constructor", "added"] in rows and ["toString", "removed"] in rows
    assert errors == []


def test_search_lists_a_models_versions_in_version_order(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import PROJECTS
    from tests.functional.test_navigation import _add_version

    records = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", records)
    for version, day in (("9", 1), ("10", 2), ("1.0.0", 3), ("1.0.0-rc1", 4)):
        _add_version(records, "m", version, f"2026-05-0{day}T08:00:00Z")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    cardpress.build(records, tmp_path / "site")
    page.goto((tmp_path / "site").as_uri() + "/search/index.html?q=m")
    page.wait_for_selector("#search-results li")
    titles = page.locator("#search-results li a").all_inner_texts()
    shown = [t for t in titles if t.startswith("m ") and not t.endswith("review")]
    assert shown == ["m 1.0.0-rc1", "m 1.0.0", "m 9", "m 10"]


@pytest.mark.parametrize("missing", ["models/churn/v/99/index.html", "datasets/x/", "nothing.html"])
def test_the_404_page_works_at_any_missing_address_under_a_sub_path(
    page: Any, tmp_path: Path, missing: str
) -> None:
    from cardpress.serve import make_server
    from tests.conftest import PROJECTS

    host = tmp_path / "host"  # the site is published under /audit/, its 404 page the host's
    cardpress.build(PROJECTS / "minimal", host / "audit")
    shutil.copy(host / "audit" / "404.html", host / "404.html")
    (host / "index.html").write_text("a host's own page")
    server = make_server(host, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}/audit/"
        response = page.goto(root + missing)
        assert response.status == 404
        sheet = "[...document.styleSheets].filter(s => s.cssRules.length).map(s => s.href)"
        assert page.evaluate(sheet) == [root + "assets/style.css"]
        links = page.evaluate(LINKS, page.locator("a").element_handles())
        assert root + "index.html" in links and root + "changelog/index.html" in links
        assert root + missing + "#main" in links  # the skip link stays on the page
        # an address starting "//" must not make the root another host (a protocol-relative
        # base would send every link and the stylesheet there)
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        page.goto(origin + "//evil.example/audit/" + missing)
        links = page.evaluate(LINKS, page.locator("a").element_handles())
        assert links and all(link.startswith(origin + "/") for link in links), links
        assert page.evaluate(sheet) == [origin + "/evil.example/audit/assets/style.css"] or (
            page.evaluate(sheet) == []
        )
    finally:
        server.shutdown()
        server.server_close()


def test_search_says_how_many_results_it_does_not_list(
    page: Any, example_site: Path, tmp_path: Path
) -> None:
    from cardpress.render.search import script_global

    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    entries = [{"kind": "version", "title": f"m {v}", "url": f"models/m/v/{v}/index.html",
                "section": "Model details", "text": "boosted"} for v in range(1, 81)]  # fmt: skip
    (site / "search" / "index.js").write_bytes(script_global("CARDPRESS_SEARCH", entries))
    page.goto(site.as_uri() + "/search/index.html?q=boosted")
    page.wait_for_selector("#search-results li")
    assert page.locator("#search-results li").count() == 50
    status = page.locator("#search-status").inner_text()
    assert status.startswith("The first 50 of 80 results for “boosted”: add a word")
    page.fill("#search-query", "boosted m 7")
    page.wait_for_function("document.querySelector('#search-status').textContent.includes('m 7')")
    assert page.locator("#search-status").inner_text() == "17 results for “boosted m 7”."


def test_the_compare_page_judges_a_change_as_direction_py(browser: Any) -> None:
    """compare.js twins cardpress/compute/direction.py: both called a rising MAE ratio "worse"."""
    import json

    from cardpress.compute.direction import judged

    names = ["MAE ratio", "rmse_ratio", "mae", "worst group's MAE", "demographic parity ratio",
             "equalized odds difference", "accuracy", "log_loss", "selection_rate"]  # fmt: skip
    source = (Path(__file__).parents[2] / "templates" / "assets" / "compare.js").read_text()
    rules = source[source.index("  var LOWER") : source.index("  function signed")]
    judge = f"new Function({json.dumps(rules + '; return judged;')})()"
    page = browser.new_page()
    try:
        found = page.evaluate(f"names => {{ const judged = {judge}; "
                              "return names.map(n => judged(0.1, n)); }", names)  # fmt: skip
    finally:
        page.close()
    assert found == [judged(0.1, name) for name in names]
