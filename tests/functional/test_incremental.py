"""An incremental build (charts and unchanged pages reused) is byte-identical to a clean one.

"Clean" is the same records and the same previous site with no cache at all, so both builds
keep the same published versions; only the caches differ.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

import cardpress
from cardpress import publishing
from cardpress.readers.chart_cache import cache_folder, kept_keys
from cardpress.render.env import default_templates_dir
from cardpress.write.manifest import Published

NO_CACHE = shutil.ignore_patterns(".cardpress-cache")
Change = Callable[[Path], None]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _clean_build(records: Path, previous: Path | None, work: Path) -> dict[str, bytes]:
    """The same records and previous site built without any cache."""
    shutil.rmtree(work, ignore_errors=True)
    clean_records, clean_site = work / "records", work / "site"
    shutil.copytree(records, clean_records, ignore=NO_CACHE)
    if previous is not None:
        shutil.copytree(previous, clean_site)
    cardpress.build(clean_records, clean_site)
    return _snapshot(clean_site)


def _step_and_compare(records: Path, out: Path, tmp: Path, change: Change) -> None:
    previous = tmp / "previous"
    shutil.rmtree(previous, ignore_errors=True)
    shutil.copytree(out, previous)
    change(records)
    cardpress.build(records, out)
    assert _snapshot(out) == _clean_build(records, previous, tmp / "clean")


def _add_version(records: Path) -> None:
    run = json.loads((records / "runs" / "churn-10.json").read_text())
    run["model"]["version"], run["run_id"] = "11", "run-0011"
    run["metrics"][0]["value"] = 0.5
    (records / "runs" / "churn-11.json").write_text(json.dumps(run))


def _edit_card(records: Path) -> None:
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("Built for the", "Rewritten: built for the"))


def _sign(records: Path) -> None:
    digest = hashlib.sha256((records / "runs" / "churn-11.json").read_bytes()).hexdigest()
    document = {"schema": "cardpress/signoff/1", "model": "churn", "version": "11",
                "record_sha256": digest, "name": "Ada Reviewer", "role": "model risk officer",
                "decision": "approved", "signed_at": "2026-02-01T09:00:00Z"}  # fmt: skip
    (records / "signoffs").mkdir(exist_ok=True)
    (records / "signoffs" / "churn-11.json").write_text(json.dumps(document))


def _change_signoff(records: Path) -> None:
    path = records / "signoffs" / "churn-11.json"
    path.write_text(path.read_text().replace('"approved"', '"rejected"'))


def test_incremental_builds_equal_clean_builds(
    project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    assert _snapshot(out) == _clean_build(records, None, tmp_path / "clean")
    for change in (_add_version, _edit_card, _sign, _change_signoff, lambda _: None):
        _step_and_compare(records, out, tmp_path, change)


def test_an_edited_page_in_the_site_is_rendered_again(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    built = _snapshot(out)
    review = out / "models" / "churn" / "v" / "10" / "review" / "index.html"
    review.write_text("<p>edited by hand</p>")
    cardpress.build(records, out)
    assert _snapshot(out) == built


def test_a_corrupt_page_cache_only_costs_time(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    built = _snapshot(out)
    for kept in cache_folder(records).glob("pages-*.json"):
        kept.write_text('{"format": 1, "pages": {"index.html": ["x", {"index.html": "y"}]')
    cardpress.build(records, out)
    assert _snapshot(out) == built
    shutil.rmtree(cache_folder(records))
    cardpress.build(records, out)
    assert _snapshot(out) == built


def _add_monitoring_day(records: Path) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder = records / "monitoring" / "income-classifier"
    table = pq.read_table(folder / "2026-09.parquet").slice(0, 300)
    moved = pc.add(table["timestamp"], pc.cast(30 * 86_400_000_000, "duration[us]"))
    table = table.set_column(table.schema.get_field_index("timestamp"), "timestamp", moved)
    pq.write_table(table, folder / "2026-10.parquet")


def test_the_example_rebuilt_after_a_monitoring_day_equals_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy_example: Callable[[Path], Path]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    records, out = copy_example(tmp_path / "records"), tmp_path / "site"
    cardpress.build(records, out)
    charts = kept_keys(cache_folder(records))
    assert charts  # every chart of the site is kept
    _step_and_compare(records, out, tmp_path, _add_monitoring_day)


def test_a_rebuild_with_nothing_changed_renders_no_page(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    for kept in cache_folder(records).glob("build-*.json"):
        kept.unlink()  # without the whole-build short cut, the pipeline runs
    with caplog.at_level("INFO", logger="cardpress"):
        cardpress.build(records, out)
    # the published versions' own pages are kept as published; every live page is carried over
    assert "0 pages rendered, 26 carried over unchanged" in caplog.text


def test_the_compare_page_ships_the_newest_versions_only(
    project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cardpress.render.compare_data as compare_data

    monkeypatch.setattr(compare_data, "LIMIT", 2)
    records, out = project("minimal"), tmp_path / "site"
    _add_version(records)
    cardpress.build(records, out)
    page = json.loads((out / "models" / "churn" / "compare" / "index.json").read_text())
    assert [v["version"] for v in page["versions"]] == ["10", "11"]
    assert page["total"] == 3
    html = (out / "models" / "churn" / "compare" / "index.html").read_text()
    assert "compares the newest 2 of 3 versions" in html


def test_a_theme_that_shows_the_build_time_on_every_page_is_rendered_again(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    (records / "templates").mkdir()
    base = (default_templates_dir() / "base.html").read_text()
    footer = base.replace("</body>", "<p>built {{ site.built_at }}</p></body>")
    (records / "templates" / "base.html").write_text(footer)
    cardpress.build(records, out)
    previous = tmp_path / "previous"
    shutil.copytree(out, previous)
    _add_version(records)  # newer records: a later build time (no SOURCE_DATE_EPOCH)
    run = records / "runs" / "churn-11.json"
    run.write_text(run.read_text().replace('"started_at": "2026-', '"started_at": "2027-'))
    cardpress.build(records, out)
    assert _snapshot(out) == _clean_build(records, previous, tmp_path / "clean")


SHORT_CUT = "nothing changed since it was built"


def _edit_template(records: Path) -> None:
    (records / "templates").mkdir(exist_ok=True)
    base = (default_templates_dir() / "base.html").read_text()
    (records / "templates" / "base.html").write_text(base.replace("</body>", "<!-- x --></body>"))


def _edit_config(records: Path) -> None:
    config = records / "cardpress.toml"
    config.write_text(config.read_text().replace("Minimal audit", "Minimal audit, renamed"))


def _add_policy(records: Path) -> None:
    rule = '[[rule]]\nkind = "sections"\nrequire = ["intended_use"]\n'
    (records / "policy.toml").write_text('schema = "cardpress/policy/1"\n\n' + rule)


def _build_logged(records: Path, out: Path, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    with caplog.at_level("INFO", logger="cardpress"):
        cardpress.build(records, out)
    return caplog.text


def test_a_build_with_nothing_new_stops_early_and_any_change_builds_whole(
    project: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The whole-build short cut: taken only when records, cardpress and options are the same.

    After each change the build runs whole and equals a clean build; the build after it, with
    nothing new, stops early and leaves the site byte for byte as it was.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    records, out = project("minimal"), tmp_path / "site"
    assert SHORT_CUT not in _build_logged(records, out, caplog)
    (records / ".git").mkdir()  # git's own files are not read by a build
    (records / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert SHORT_CUT in _build_logged(records, out, caplog)

    def cardpress_upgraded(_: Path) -> None:
        monkeypatch.setattr(cardpress, "__version__", "99.0.0")

    def build_time_asked(_: Path) -> None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")

    def data_file_added(folder: Path) -> None:  # any file of the records counts
        (folder / "predictions" / "notes.txt").write_text("a note")

    changes = (_edit_template, _edit_config, _add_policy, cardpress_upgraded,
               build_time_asked, data_file_added, _add_version, _edit_card)  # fmt: skip
    for change in changes:
        built = _snapshot(out)
        assert SHORT_CUT in _build_logged(records, out, caplog), change
        assert _snapshot(out) == built
        previous = tmp_path / "previous"
        shutil.rmtree(previous, ignore_errors=True)
        shutil.copytree(out, previous)
        change(records)
        assert SHORT_CUT not in _build_logged(records, out, caplog), change
        assert _snapshot(out) == _clean_build(records, previous, tmp_path / "clean"), change


@pytest.mark.parametrize("touch", ["edit", "mtime", "add", "remove"])
def test_a_site_changed_after_its_build_is_built_whole(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture, touch: str
) -> None:
    """Any change to the built site, even a file's time alone, rules the short cut out."""
    import os

    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    built = _snapshot(out)
    home = out / "index.html"
    if touch == "edit":  # the same size and times as before: only the change time tells
        before = home.stat()
        home.write_bytes(home.read_bytes().replace(b"<", b"[", 1))
        os.utime(home, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif touch == "mtime":
        os.utime(home, ns=(0, 0))
    elif touch == "add":
        (out / "extra.html").write_text("<script>alert(1)</script>")
    else:
        (out / "robots.txt").unlink(missing_ok=True)
        (out / "search" / "index.js").unlink()
    assert SHORT_CUT not in _build_logged(records, out, caplog)
    assert _snapshot(out) == built


def test_a_build_that_stops_early_repeats_the_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, copy_example: Callable[[Path], Path]
) -> None:
    records, out = copy_example(tmp_path / "records"), tmp_path / "site"
    whole = _build_logged(records, out, caplog)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings  # the example's live status warns of use before approval
    again = _build_logged(records, out, caplog)
    assert SHORT_CUT in again and SHORT_CUT not in whole
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == warnings


def test_a_records_folder_with_a_link_is_always_built_whole(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    (records / "notes").mkdir()
    (records / "notes" / "link.txt").symlink_to(records / "cardpress.toml")
    cardpress.build(records, out)
    assert SHORT_CUT not in _build_logged(records, out, caplog)


def test_many_versions_are_listed_a_page_of_them_at_a_time(
    project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cardpress.render.pages as pages

    monkeypatch.setattr(pages, "VERSIONS_PER_PAGE", 2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    records, out = project("minimal"), tmp_path / "site"
    _add_version(records)  # churn: versions 1, 10, 11
    cardpress.build(records, out)
    model = out / "models" / "churn"
    page = json.loads((model / "index.json").read_text())
    assert [v["version"] for v in page["versions"]] == ["11", "10"]
    assert page["total"] == 3
    assert [(p["first"], p["last"]) for p in page["version_pages"]] == [("1", "10"), ("11", "11")]
    html = (model / "index.html").read_text()
    assert "the newest 2 of 3" in html and 'href="versions/2/index.html"' in html
    older = (model / "versions" / "1" / "index.html").read_text()
    assert 'href="../../v/1/index.html"' in older and 'href="../../v/10/index.html"' in older
    assert "v/11/" not in older
    assert cardpress.verify(out).ok
    from tests.functional.test_html import _internal_targets, _soup

    for page in (model / "index.html", *sorted(model.glob("versions/*/index.html"))):
        assert all(target.is_file() for _, target, _ in _internal_targets(page, _soup(page)))

    def twelfth(folder: Path) -> None:
        run = json.loads((folder / "runs" / "churn-11.json").read_text())
        run["model"]["version"], run["run_id"] = "12", "run-0012"
        (folder / "runs" / "churn-12.json").write_text(json.dumps(run))

    oldest = {p: p.read_bytes() for p in (model / "versions" / "1").iterdir()}
    _step_and_compare(records, out, tmp_path, twelfth)
    assert {p: p.read_bytes() for p in (model / "versions" / "1").iterdir()} == oldest
    newest = (model / "versions" / "2" / "index.html").read_text()
    assert 'href="../../v/12/index.html"' in newest and "v/10/" not in newest


def test_a_drift_cache_folder_in_the_records_does_not_defeat_the_short_cut(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, copy_example: Callable[[Path], Path]
) -> None:
    """``drift.cache`` inside the records: every build rewrites it, so it is not a change."""
    records, out = copy_example(tmp_path / "records"), tmp_path / "site"
    config = records / "cardpress.toml"
    config.write_text(config.read_text().replace("[drift]\n", '[drift]\ncache = "kept"\n', 1))
    assert SHORT_CUT not in _build_logged(records, out, caplog)
    assert list((records / "kept").glob("drift-*.json"))
    assert SHORT_CUT in _build_logged(records, out, caplog)
    # files of the records in that folder still count: only the cache's own names are left out
    (records / "kept" / "notes.json").write_text("{}")
    assert SHORT_CUT not in _build_logged(records, out, caplog)


def _reads_of_page_data(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The published page data files the build reads (card and fairness JSON of frozen versions)."""
    read: list[str] = []
    real = publishing.read_page_data

    def watched(published: Published, page: str) -> Any:
        read.append(page)
        return real(published, page)

    monkeypatch.setattr(publishing, "read_page_data", watched)
    return read


def test_a_new_version_reads_no_published_fairness_report_again(
    project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    _add_version(records)
    read = _reads_of_page_data(monkeypatch)
    cardpress.build(records, out)
    report = "models/churn/v/1/fairness/index.json"
    assert "models/churn/v/1/index.json" in read  # frozen cards are still read
    assert report not in read  # its search entries were kept by its sha256
    index = (out / "search" / "index.js").read_text()
    assert "models/churn/v/1/fairness/index.html#" in index
    built = _snapshot(out)

    # an edited cache is not used: the report is read again, the site is the same
    (kept,) = cache_folder(records).glob("search-*.json")
    kept.write_text(kept.read_text().replace("By ", "By planted "))
    read.clear()
    for short_cut in cache_folder(records).glob("build-*.json"):
        short_cut.unlink()  # without the whole-build short cut, the pipeline runs
    cardpress.build(records, out)
    assert report in read
    assert _snapshot(out) == built
    assert "planted" not in (out / "search" / "index.js").read_text()


def test_the_command_says_when_nothing_changed(
    project: Callable[[str], Path], tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    """It said "Built 2 model(s)…" for a build that wrote nothing; the reason only with -v."""
    records, out = project("minimal"), tmp_path / "site"
    first = run_cli("build", str(records), "-o", str(out))
    assert first.output.splitlines()[-1].startswith("Built: 2 model(s), 3 version(s): ")
    again = run_cli("build", str(records), "-o", str(out))
    last = again.output.splitlines()[-1]
    assert last.startswith("Up to date, nothing changed since it was built: 2 model(s)")
