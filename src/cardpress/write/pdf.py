"""A version's printable record as PDF, printed by a real browser (headless Chromium).

cardpress renders no PDF itself: the print view (``print.html``) is HTML with a print stylesheet,
and Chromium's own print-to-PDF lays it out exactly as a reader's browser would print it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cardpress.errors import BuildError, UsageError

# Names Chromium goes by on Debian/Ubuntu, Fedora, and Google's builds.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Headless and offline: the page is a local file and must not reach for the network.
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)
TIMEOUT_SECONDS = 180


def find_browser(given: Path | None) -> Path:
    """The browser to print with: ``given``, else the first Chromium on ``PATH``."""
    if given is not None:
        if not given.is_file():
            raise UsageError(f"{given}: no such browser — give the path of a chromium binary")
        return given
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise UsageError(
        "no Chromium found on PATH (looked for " + ", ".join(BROWSERS) + ") — install one "
        "(e.g. apt-get install chromium) or pass --browser PATH; without one, open print.html "
        "in any browser and print it to PDF"
    )


def print_to_pdf(page: Path, output: Path, browser: Path) -> None:
    """Print ``page`` to ``output``; ``output`` appears only once the PDF is whole."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".cardpress-pdf-", dir=output.parent) as work:
        pdf = Path(work) / "print.pdf"
        command = [str(browser), *FLAGS, f"--user-data-dir={Path(work) / 'profile'}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        command += [f"--print-to-pdf={pdf}", page.resolve().as_uri()]
        _run(command, browser)
        if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
            raise BuildError(f"{browser} wrote no PDF for {page} — run it with -v to see why")
        os.replace(pdf, output)


def _run(command: list[str], browser: Path) -> None:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BuildError(f"{browser} did not finish printing in {TIMEOUT_SECONDS} s") from error
    except OSError as error:
        raise UsageError(f"{browser}: cannot run it ({error.strerror})") from error
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BuildError(f"{browser} failed to print (exit {done.returncode}): {last}")
