"""The auditor's first screen in a real browser: the card's summary panel and search snippets."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.browser.conftest import ARTIFACTS, screenshot

STATUS_PREFIX = "window.CARDPRESS_STATUS = "


def _status(site: Path, version: str) -> dict[str, Any]:
    text = (site / f"models/income-classifier/v/{version}/review/status.js").read_text()
    data: dict[str, Any] = json.loads(text[len(STATUS_PREFIX) : -2])
    return data


def _facts(page: Any, selector: str) -> dict[str, str]:
    return dict(
        page.evaluate(
            f"""() => [...document.querySelectorAll('{selector} dt')]
                .map(dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()])"""
        )
    )


def test_the_summary_panel_shows_the_published_and_the_live_facts(
    page: Any, site_root: str, example_site: Path
) -> None:
    for version in ("1", "2"):
        page.goto(site_root + f"models/income-classifier/v/{version}/index.html")
        card = json.loads(
            (example_site / f"models/income-classifier/v/{version}/index.json").read_text()
        )
        panel = card["summary_panel"]
        frozen = _facts(page, ".summary-frozen")
        assert frozen["Algorithm"] == panel["algorithm"]
        for metric in panel["metrics"]:
            assert metric["key"] in frozen["Results"]
        live = _facts(page, "#live-status")  # filled by assets/live.js from review/status.js
        status = _status(example_site, version)
        if status["decision"]:
            assert live["Decision"].startswith(status["decision"])
        else:
            assert live["Decision"].startswith("no current sign-off")
        assert ("used before approval" in live["In production"]) == (
            status["production"]["before_approval"]
        )
        assert live["Drift"].endswith("drift timeline")
        screenshot(page, f"summary-panel-v{version}-{site_root.split(':')[0]}")


def test_search_results_show_their_section_and_a_snippet(page: Any, site_root: str) -> None:
    page.goto(site_root + "search/index.html?q=Female")
    page.wait_for_selector("#search-results li")
    results = page.evaluate(
        """() => [...document.querySelectorAll('#search-results li')].map(li => ({
            title: li.querySelector('a').textContent,
            href: li.querySelector('a').getAttribute('href'),
            kind: li.querySelector('.sub').textContent,
            mark: (li.querySelector('mark') || {}).textContent}))"""
    )
    fairness = [r for r in results if r["title"] == "Income classifier 2: fairness report"]
    assert len(fairness) == 1  # one result per page, its best section
    assert fairness[0]["kind"].strip().startswith("fairness · By ")
    assert fairness[0]["mark"] == "Female"
    assert fairness[0]["href"].startswith("../models/income-classifier/v/2/fairness/index.html#")
    pages = [r["href"].split("#")[0] for r in results]
    assert len(pages) == len(set(pages))


README_SCREENSHOT = Path(__file__).parents[2] / "docs" / "images" / "card.png"


def test_the_readme_screenshot_shows_the_current_card(browser: Any, example_site: Path) -> None:
    """The README's picture of a card, taken from the example as built now.

    It is rewritten only with CARDPRESS_UPDATE_SCREENSHOTS=1 (pixels differ between machines'
    fonts); otherwise the new picture is kept as a test artefact beside the others.
    """
    context = browser.new_context(viewport={"width": 1100, "height": 1000})
    page = context.new_page()
    page.goto((example_site / "models/income-classifier/v/2/index.html").as_uri())
    page.wait_for_selector("#live-status dl")  # the live half is filled in
    target = README_SCREENSHOT if os.environ.get("CARDPRESS_UPDATE_SCREENSHOTS") else None
    shot = page.screenshot(path=str(target) if target else None)
    context.close()
    assert shot.startswith(b"\x89PNG")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "readme-card.png").write_bytes(shot)
