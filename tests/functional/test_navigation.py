"""Navigation across builds: every link of every page resolves, whatever order versions come in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

import cardpress

EPOCH = "1767225600"


def broken_links(site: Path) -> list[str]:
    """Every internal link or reference of every page that does not lead to a file of ``site``."""
    broken = []
    root = site.resolve()
    for page in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "script", "img", "form"]):
            ref = tag.get("href") or tag.get("src") or tag.get("action")
            if not ref or ref.startswith(("http://", "https://", "mailto:", "#")):
                continue
            file = (page.parent / unquote(urlsplit(ref).path)).resolve()
            if not file.is_file() or not file.is_relative_to(root):
                broken.append(f"{page.relative_to(site)}: {ref}")
    return broken


def _add_version(records: Path, model: str, version: str, started_at: str) -> None:
    run = {
        "schema": "cardpress/run/1",
        "run_id": f"run-{model}-{version}",
        "model": {"name": model, "version": version},
        "started_at": started_at,
        "status": "FINISHED",
        "datasets": [{"id": "tx", "role": "train", "uri": "s3://bucket/tx.parquet"}],
        "metrics": [{"key": "accuracy", "value": 0.5, "dataset": "tx"}],
    }
    (records / "runs" / f"{model}-{version}.json").write_text(json.dumps(run))


@pytest.fixture
def records(project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return project("minimal")


def test_versions_without_a_fairness_report_link_to_none(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    cardpress.build(records, out)
    assert not (out / "models" / "fraud" / "v" / "2026.03" / "fairness").exists()
    assert broken_links(out) == []


def test_a_version_that_sorts_before_a_published_one_breaks_no_link(
    records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    cardpress.build(records, out)
    # published first and alone: 2026.03 has no diff page, and keeps none when 2026.02 comes
    _add_version(records, "fraud", "2026.02", "2026-04-01T08:00:00Z")
    cardpress.build(records, out)
    fraud = out / "models" / "fraud"
    assert not (fraud / "v" / "2026.03" / "diff").exists()
    assert broken_links(out) == []
    compare = (fraud / "compare" / "index.html").read_text()
    assert "../v/2026.03/diff/index.html" not in compare
    # its checklist cannot ask for an earlier version to be published: there is one
    checklist = json.loads((fraud / "v" / "2026.03" / "compliance" / "index.json").read_text())
    [changes] = [i for i in checklist["checklist"] if i["number"] == 14]
    [diff] = [m for m in changes["missing"] if m["label"].startswith("changes since")]
    assert diff["fix"] == (
        "version 2026.03 was published before version 2026.02, which comes before it, was "
        "added, and stays as it was published: the model's compare page shows the changes "
        "between 2026.02 and 2026.03"
    )
    first = json.loads((fraud / "v" / "2026.02" / "compliance" / "index.json").read_text())
    [changes] = [i for i in first["checklist"] if i["number"] == 14]
    assert [m["fix"] for m in changes["missing"]] == ["publish a previous version of the model"]


def test_version_lists_agree_in_natural_order_with_pre_releases_first(
    records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    for version, day in (("9", 1), ("10", 2), ("1.0.0", 3), ("1.0.0-rc1", 4), ("2", 5)):
        _add_version(records, "m", version, f"2026-05-0{day}T08:00:00Z")
        cardpress.build(records, out)
    expected = ["1.0.0-rc1", "1.0.0", "2", "9", "10"]
    model = json.loads((out / "models" / "m" / "index.json").read_text())
    assert [v["version"] for v in model["versions"]] == expected[::-1]
    assert model["latest_version"] == "10"
    home = json.loads((out / "index.json").read_text())
    assert next(m for m in home["models"] if m["name"] == "m")["latest_version"] == "10"
    assert "url=../v/10/index.html" in (out / "models" / "m" / "latest" / "index.html").read_text()
    compare = json.loads((out / "models" / "m" / "compare" / "index.json").read_text())
    assert [v["version"] for v in compare["versions"]] == expected
    (dataset,) = (out / "datasets").glob("s3-bucket-tx*/index.json")
    users = json.loads(dataset.read_text())["models"]["items"]
    assert [u["label"] for u in users if u["label"].startswith("m ")] == [
        f"m {v}" for v in expected
    ]
    assert broken_links(out) == []


def test_a_new_version_that_sorts_before_the_published_latest_is_a_warning(
    records: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "site"
    _add_version(records, "m", "10", "2026-05-01T08:00:00Z")
    cardpress.build(records, out)
    _add_version(records, "m", "9", "2026-05-02T08:00:00Z")
    _add_version(records, "m", "11", "2026-05-03T08:00:00Z")
    caplog.clear()
    cardpress.build(records, out)
    notes = [r.getMessage() for r in caplog.records if "sorts before" in r.getMessage()]
    assert notes == [
        "m@9 is new but sorts before version 10, published before it, so it is not the latest "
        "(versions are ordered naturally: docs/site.md)"
    ]


def test_models_are_listed_in_natural_order_on_the_home_page_and_in_search(
    records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    for name in ("model-10", "model-9"):
        _add_version(records, name, "1", "2026-05-01T08:00:00Z")
    cardpress.build(records, out)
    home = json.loads((out / "index.json").read_text())
    assert [m["name"] for m in home["models"]] == ["churn", "fraud", "model-9", "model-10"]
    script = (out / "search" / "index.js").read_text()
    entries = json.loads(script.split("=", 1)[1].strip().rstrip(";"))
    models = [e["title"] for e in entries if e["kind"] == "model"]
    assert models == ["Churn model", "fraud", "model-9", "model-10"]
