"""Printing a version's record to PDF: the errors without a browser, and a real Chromium print."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

import cardpress
from cardpress.errors import BuildError, UsageError

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def site(example_site: Path) -> Path:
    return example_site


def test_a_folder_that_is_not_a_site_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a cardpress site"):
        cardpress.print_pdf(tmp_path, "income-classifier@2", tmp_path / "x.pdf")


def test_an_unknown_version_lists_the_versions_that_can_be_printed(
    site: Path, tmp_path: Path
) -> None:
    with pytest.raises(UsageError) as raised:
        cardpress.print_pdf(site, "income-classifier@9", tmp_path / "x.pdf")
    assert (
        "use one of diabetes-progression@1, hours-band@1, income-classifier@1, income-classifier@2"
        in str(raised.value)
    )
    assert not (tmp_path / "x.pdf").exists()


def test_a_missing_browser_is_named(site: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such browser"):
        cardpress.print_pdf(site, "income-classifier@2", tmp_path / "x.pdf", tmp_path / "nope")


def test_a_browser_that_fails_leaves_no_file(site: Path, tmp_path: Path) -> None:
    failing = shutil.which("false")
    assert failing is not None
    with pytest.raises(BuildError, match="failed to print"):
        cardpress.print_pdf(site, "income-classifier@2", tmp_path / "x.pdf", failing)
    assert list(tmp_path.iterdir()) == []


def test_chromium_prints_the_card_and_fairness_report(site: Path, tmp_path: Path) -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip("chromium not installed: apt-get install chromium")
    pypdf = pytest.importorskip("pypdf", reason="pypdf not installed: pip install -e '.[test]'")
    out = cardpress.print_pdf(site, "income-classifier@2", tmp_path / "record.pdf", CHROMIUM)
    reader = pypdf.PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    text = unicodedata.normalize("NFKC", text)  # PDF text comes with ligatures (ﬁ → fi)
    assert len(reader.pages) >= 4
    for heading in ("Model details", "Quantitative analyses", "Four-fifths rule", "by sex"):
        assert heading in text
    assert "Search" not in text.split("Model details")[0]  # the print style drops navigation
    assert list(tmp_path.iterdir()) == [out]  # no temporary folder left behind
