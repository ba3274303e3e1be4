"""Review and compliance pages: rebuilt every build, while the card they describe stays frozen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cardpress import build
from tests.functional.test_check import _sign


def _page(out: Path, path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / path / "index.json").read_text())
    return data


def test_a_later_signoff_updates_the_review_page_not_the_card(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, out = project(), tmp_path / "site"
    build(records, out, source_date_epoch=0)
    card = (out / "models/churn/v/10/index.html").read_bytes()
    review = _page(out, "models/churn/v/10/review")
    assert review["review"]["decision"] is None and review["review"]["signoffs"] == []
    _sign(records, "a.json", record_sha256="0" * 64)
    _sign(records, "b.json", signed_at="2026-02-02T09:00:00Z", decision="approved-with-conditions",
          conditions="monthly <b>review</b>")  # fmt: skip
    build(records, out, source_date_epoch=0)
    assert (out / "models/churn/v/10/index.html").read_bytes() == card
    review = _page(out, "models/churn/v/10/review")
    assert [s["stale"] for s in review["review"]["signoffs"]] == [True, False]
    assert review["review"]["decision"] == "approved-with-conditions"
    html = (out / "models/churn/v/10/review/index.html").read_text()
    assert "monthly &lt;b&gt;review&lt;/b&gt;" in html and "<strong>stale</strong>" in html
    manifest = json.loads((out / "manifest.json").read_text())
    files = manifest["versions"]["churn@10"]["files"]
    assert "models/churn/v/10/index.html" in files
    assert not [f for f in files if "/review/" in f or "/compliance/" in f]
    compliance = _page(out, "models/churn/v/10/compliance")
    signed = next(i for i in compliance["checklist"] if i["number"] == 21)
    assert signed["status"] == "covered"


def test_compliance_items_follow_the_records(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, out = project(), tmp_path / "site"
    card_md = records / "models" / "churn" / "card.md"
    card_md.write_text(
        card_md.read_text() + "\n## Human oversight\n\nA person reviews each call.\n"
    )
    build(records, out, source_date_epoch=0)
    items = {i["number"]: i for i in _page(out, "models/churn/v/10/compliance")["checklist"]}
    assert items[7]["status"] == "covered"
    assert items[7]["evidence"][0]["label"] == "card section “Human oversight”"
    assert items[10]["status"] == "not covered"
    assert "heading contains “cybersecurity”" in items[10]["missing"][0]["fix"]
    assert items[6]["status"] == "partial"  # churn@10 names no sensitive columns: no report
    first = {i["number"]: i for i in _page(out, "models/churn/v/1/compliance")["checklist"]}
    assert first[6]["evidence"][0]["label"] == "fairness report"


def test_policy_results_on_the_newest_versions_review_page(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, out = project(), tmp_path / "site"
    (records / "policy.toml").write_text(
        'schema = "cardpress/policy/1"\n\n[[rule]]\nkind = "signoff"\n'
    )
    build(records, out, source_date_epoch=0)
    checks = _page(out, "models/churn/v/10/review")["checks"]
    assert [(c["rule"], c["status"]) for c in checks] == [("sign-off before approval", "fail")]
    assert _page(out, "models/churn/v/1/review")["checks"] is None


def test_signoff_time_out_of_range_is_a_problem(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Year 1 at +01:00 is the year before year 1 in UTC: it used to crash with OverflowError.
    records = project()
    _sign(records, "a.json", signed_at="0001-01-01T00:30:00+01:00")
    result = run_cli("build", str(records), "-o", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert "signoffs/a.json:" in result.output
    assert "signed_at: is out of range in UTC" in result.output
    assert "OverflowError" not in result.output


def test_the_home_page_says_when_a_sign_off_contradicts_the_status(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """card.md says approved; the latest current sign-off rejected the newest version: the home
    page's inventory showed "approved" alone while the card and review page said otherwise."""
    records, out = project(), tmp_path / "site"
    build(records, out, source_date_epoch=0)
    [row] = [m for m in _page(out, "")["models"] if m["name"] == "churn"]
    unsigned = "card.md says approved, but no current sign-off approves this version"
    assert row["status"] == "approved" and row["contradiction"] == unsigned
    _sign(records, "a.json")
    build(records, out, source_date_epoch=0)
    [row] = [m for m in _page(out, "")["models"] if m["name"] == "churn"]
    assert row["contradiction"] is None
    _sign(records, "b.json", decision="rejected", signed_at="2026-02-02T09:00:00Z")
    build(records, out, source_date_epoch=0)
    [row] = [m for m in _page(out, "")["models"] if m["name"] == "churn"]
    said = "card.md says approved, but the latest current sign-off decided rejected"
    assert row["contradiction"] == said
    status = json.loads((out / "models/churn/v/10/review/index.json").read_text())
    assert status["review"]["decision"] == "rejected"
    html = (out / "index.html").read_text()
    assert f'href="models/churn/v/10/review/index.html">⚠ {said}</a>' in html


def test_the_review_page_gives_one_date_for_a_sign_off_in_another_zone(
    project, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The lead cut the date from the time as written (the signer's 06-11) beside the table's
    UTC time (06-10 20:00 UTC) and the card's UTC date."""
    from bs4 import BeautifulSoup

    records, out = project(), tmp_path / "site"
    _sign(records, "a.json", signed_at="2026-06-11T01:30:00+05:30")
    build(records, out, source_date_epoch=0)
    page = BeautifulSoup((out / "models/churn/v/10/review/index.html").read_text(), "html.parser")
    lead = page.select_one("p.lead").get_text()
    assert "2026-06-10" in lead and "2026-06-11" not in lead
    assert "2026-06-11" not in page.select_one("table").get_text()


def test_a_sign_off_dated_before_its_run_began_is_marked_and_warned(
    project, tmp_path: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    import logging

    records, out = project(), tmp_path / "site"
    started = json.loads((records / "runs" / "churn-10.json").read_text())["started_at"]
    _sign(records, "a.json", signed_at="2020-01-01T09:00:00Z")
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        build(records, out, source_date_epoch=0)
    [row] = _page(out, "models/churn/v/10/review")["review"]["signoffs"]
    assert row["before_run"] is True and started > "2020"
    assert "dated before the run began" in (out / "models/churn/v/10/review/index.html").read_text()
    said = [r.getMessage() for r in caplog.records if "before the run it reviews" in r.getMessage()]
    assert said == [
        "churn@10: the deciding sign-off by Ada Reviewer is dated 2020-01-01 (UTC), before the run "
        "it reviews began — check its signed_at (or the run record's started_at)"
    ]
    _sign(records, "a.json")  # 2026-02-01: after the run
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        build(records, out, source_date_epoch=0)
    [row] = _page(out, "models/churn/v/10/review")["review"]["signoffs"]
    assert row["before_run"] is False
    assert not [r for r in caplog.records if "before the run" in r.getMessage()]
