"""A real browser (Debian's chromium driven by Playwright) on the built example site.

Skips with one line where chromium or Playwright is missing; CI installs both (.ci/run), and
under CI=true any skip fails the run.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts" / "browser"
# As the machine notes advise: no background networking, so nothing reaches for the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def http_root(example_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(example_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: pip install -e '.[test]'"
    )
    if not Path(CHROMIUM).is_file():
        pytest.skip("chromium not installed: apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(params=["file", "http"])
def site_root(request: pytest.FixtureRequest, example_site: Path) -> str:
    """The site's root URL, from disk and from a local web server."""
    if request.param == "file":
        return example_site.as_uri() + "/"
    return str(request.getfixturevalue("http_root"))


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Keep a full-page screenshot as a test artefact, when asked (``CARDPRESS_SCREENSHOTS=1``).

    Opt-in: full-page screenshots of the big pages were a third of the axe tests' time, and
    nothing reads them unless someone wants to look.
    """
    if os.environ.get("CARDPRESS_SCREENSHOTS") != "1":
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# The axe rules whose findings depend on colours. The dark theme changes colours only (style.css
# sets custom properties in its dark block and nothing else reads the scheme: a test checks), so
# a page in dark mode is checked for these; every rule runs on the same page in light mode.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def axe_violations(page: Any, scheme: str) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the open page: every rule, or in dark mode the
    colour rules (:data:`COLOUR_RULES`)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if scheme == "dark":
        options["runOnly"] = {"type": "rule", "values": list(COLOUR_RULES)}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return
