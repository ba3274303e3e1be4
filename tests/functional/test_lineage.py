"""Lineage pages built from run records, OpenLineage events and a changed data file."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import cardpress
from tests.lineage.events import (
    HIVE,
    INCOME_RULE,
    WAREHOUSE,
    daily_time,
    emit_chain,
    emit_daily,
    emit_prepare,
    emit_spark_and_dbt,
    emit_warehouse,
)

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def records(project: Callable[[str], Path]) -> Path:
    """The minimal project with data/train.csv on disk and an OpenLineage job that made it."""
    root = project("minimal")
    (root / "data").mkdir()
    (root / "data" / "raw.csv").write_text("age,sex\n30,F\n")
    (root / "data" / "train.csv").write_text("age\n30\n")
    run = root / "runs" / "churn-1.json"
    digest = hashlib.sha256(b"age\n30\n").hexdigest()
    run.write_text(run.read_text().replace("a" * 64, digest))
    emit_prepare(root / "lineage" / "events.jsonl", "data/raw.csv", "data/train.csv")
    return root


def _page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(), "html.parser")


def _json(site: Path, path: str) -> dict:  # type: ignore[type-arg]
    return json.loads((site / path).read_text())  # type: ignore[no-any-return]


def test_every_lineage_page_exists_with_its_json_and_links_that_resolve(
    records: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    cardpress.build(records, site)
    index = _json(site, "datasets/index.json")
    labels = {d["label"] for d in index["rows"]}
    assert {"train", "data/raw.csv", "holdout"} <= labels
    pages = [site / d["href"] for d in index["rows"]]
    pages += [site / j["href"] for j in _json(site, "jobs/index.json")["rows"]]
    pages += [site / "datasets/index.html", site / "jobs/index.html"]
    pages.append(site / "models/churn/v/1/lineage/index.html")
    for page in pages:
        assert page.is_file() and page.with_suffix(".json").is_file(), page
        for link in BeautifulSoup(page.read_text(), "html.parser").select("a[href]"):
            target = link["href"].split("#")[0]
            if target and "://" not in target:
                assert (page.parent / target).resolve().exists(), (page, target)


def test_the_version_page_draws_the_upstream_chain_back_to_the_raw_file(
    records: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    cardpress.build(records, site)
    data = _json(site, "models/churn/v/1/lineage/index.json")
    labels = [n["label"] for n in data["graph"]["nodes"]]
    assert labels[0] == "data/raw.csv" and "census/prepare" in labels and "churn 1" in labels
    roles = {n["label"]: n["role"] for n in data["graph"]["nodes"]}
    assert roles["train"] == "train" and roles["holdout"] == "evaluation"
    page = _page(site, "models/churn/v/1/lineage/index.html")
    svg = page.select_one("svg.lineage-graph")
    assert svg is not None and len(svg.select("a")) == len(labels)
    edges = page.select("table.lineage-edges tbody tr")
    assert len(edges) == len(data["graph"]["edges"])
    card = _page(site, "models/churn/v/1/index.html")
    assert card.select_one('a[href="lineage/index.html"]') is not None


def test_a_data_file_changed_after_it_was_recorded_is_marked_and_warned(
    records: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (records / "data" / "train.csv").write_text("age\n31\n")
    site = tmp_path / "site"
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(records, site)
    assert any("changed since recorded" in r.getMessage() for r in caplog.records)
    train = next(d for d in _json(site, "datasets/index.json")["rows"] if d["label"] == "train")
    page = _json(site, train["href"].replace(".html", ".json"))
    assert page["changed"] is True
    assert "changed since recorded" in (site / train["href"]).read_text()


def test_a_job_page_gives_its_output_the_status_of_the_data_set_page(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = project("minimal")
    (root / "data").mkdir()
    (root / "data" / "raw.csv").write_text("age,sex\n30,F\n")
    (root / "data" / "made.csv").write_text("age\n31\n")  # not what the event recorded
    recorded = hashlib.sha256(b"age\n30\n").hexdigest()
    events = root / "lineage" / "events.jsonl"
    emit_prepare(events, "data/raw.csv", "data/made.csv", version=recorded)
    site = tmp_path / "site"
    cardpress.build(root, site)
    [job] = [j for j in _json(site, "jobs/index.json")["rows"] if j["label"] == "census/prepare"]
    files = _json(site, job["href"].replace(".html", ".json"))["files"]
    [made] = [f for f in files if f["side"] == "out"]
    dataset = _json(site, made["href"].replace(".html", ".json"))
    assert [d["status"] for d in dataset["digests"]] == ["changed since recorded"]
    assert made["status"] == "changed since recorded"
    row = _page(site, job["href"]).select_one("tr.changed")
    assert row is not None and "changed since recorded" in row.get_text()


def test_scripts_in_names_are_text_and_malformed_lines_and_cycles_are_reported(
    records: Path, tmp_path: Path
) -> None:
    events = records / "lineage" / "events.jsonl"
    emit_prepare(events, f"data/{SCRIPT}.csv", "data/loop.csv")
    emit_prepare(records / "lineage" / "back.jsonl", "data/loop.csv", f"data/{SCRIPT}.csv")
    with events.open("a") as handle:
        handle.write("{broken\n")
    site = tmp_path / "site"
    cardpress.build(records, site)
    for page in site.rglob("*.html"):
        assert SCRIPT not in page.read_text(), page
    index = _json(site, "datasets/index.json")
    assert any(w.startswith("lineage/events.jsonl:") for w in index["warnings"])
    assert index["cycles"] and "lineage cycle" in " ".join(index["warnings"])


def test_files_outside_the_records_folder_are_hashed_only_when_allowed(
    records: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("secret\n")
    emit_prepare(records / "lineage" / "more.jsonl", str(outside), "data/other.csv")

    def outside_row(site: Path) -> dict:  # type: ignore[type-arg]
        rows = _json(site, "datasets/index.json")["rows"]
        # named absolute, shown relative to the records folder as DVC's "../x" names are
        name = os.path.relpath(outside, records.resolve())
        return next(d for d in rows if d["id"] == name)  # type: ignore[no-any-return]

    cardpress.build(records, tmp_path / "a")
    assert outside_row(tmp_path / "a")["hashed"] is False
    config = records / "cardpress.toml"
    config.write_text(config.read_text() + "\n[lineage]\nhash_outside_records = true\n")
    cardpress.build(records, tmp_path / "b")
    row = outside_row(tmp_path / "b")
    assert row["hashed"] is True
    assert row["sha256"] == hashlib.sha256(b"secret\n").hexdigest()


def test_the_example_shows_where_its_training_data_came_from(example_site: Path) -> None:
    data = _json(example_site, "models/income-classifier/v/2/lineage/index.json")
    labels = {n["label"] for n in data["graph"]["nodes"]}
    assert {"uci-adult/copy", "UCI Adult, training split", "UCI Adult, test split"} <= labels
    assert not any(d["changed"] for d in data["datasets"])


def test_a_large_index_is_split_into_pages_that_link_to_each_other(
    records: Path, tmp_path: Path
) -> None:
    events = records / "lineage" / "many.jsonl"
    for number in range(230):
        emit_prepare(events, f"data/in-{number}.csv", f"data/out-{number}.csv")
    site = tmp_path / "site"
    cardpress.build(records, site)
    first = _json(site, "datasets/index.json")
    assert first["total"] > 400 and len(first["rows"]) == 200
    assert [p["href"] for p in first["pages"]][:2] == [
        "datasets/index.html",
        "datasets/page/2/index.html",
    ]
    last = first["pages"][-1]["href"]
    rows = [r for p in first["pages"] for r in _json(site, p["href"][:-5] + ".json")["rows"]]
    assert len(rows) == first["total"] and len({r["href"] for r in rows}) == first["total"]
    assert _page(site, last).select_one('nav.pager a[href="../../../datasets/index.html"]')


def test_a_five_job_pipeline_is_drawn_whole_on_the_version_page_by_default(
    records: Path, tmp_path: Path
) -> None:
    files = ["data/raw.csv", *(f"data/step{n}.csv" for n in range(1, 5)), "data/train.csv"]
    emit_chain(records / "lineage" / "chain.jsonl", files)
    site = tmp_path / "site"
    cardpress.build(records, site)
    graph = _json(site, "models/churn/v/1/lineage/index.json")["graph"]
    labels = {n["label"] for n in graph["nodes"]}
    assert {f"pipeline/step{n}" for n in range(1, 6)} <= labels and set(files[:-1]) <= labels
    assert graph["cut_upstream"] == 0


def test_tables_data_sources_column_transformations_and_a_model_output_are_shown(
    records: Path, tmp_path: Path
) -> None:
    emit_warehouse(records / "lineage" / "warehouse.jsonl")  # train/fit writes churn 1 itself
    site = tmp_path / "site"
    cardpress.build(records, site)
    rows = _json(site, "datasets/index.json")["rows"]
    assert not any("models://" in r["id"] for r in rows)  # the model is not a data set
    table = next(r for r in rows if r["id"] == f"{WAREHOUSE}/public.adult_train")
    page = _page(site, table["href"])
    identity = page.select_one("#identity").get_text(" ", strip=True)
    assert "not applicable: a table" in identity and "not reachable" not in identity
    assert "Data source warehouse" in identity
    columns = page.select_one("#column-lineage table").get_text(" ", strip=True)
    assert INCOME_RULE in columns and "DIRECT TRANSFORMATION" in columns
    assert "MASKED" in columns and "sha256(name)" in columns
    # the node: the name drawn, the namespace apart, the full name on hover and in the table
    node = page.select_one("svg a.focus")
    assert node.select_one("title").get_text() == f"{WAREHOUSE}/public.adult_train (data set)"
    assert [t.get_text() for t in node.select("text")] == [
        "public.adult_train", f"{WAREHOUSE} · data set"]  # fmt: skip
    edges = [td.get_text() for td in page.select("table.lineage-edges td")]
    assert f"{WAREHOUSE}/public.adult_train" in edges
    jobs = {j["label"]: j["href"] for j in _json(site, "jobs/index.json")["rows"]}
    load = _page(site, jobs["etl/load"])
    assert INCOME_RULE in load.select_one("#column-lineage").get_text(" ", strip=True)
    fit = _json(site, jobs["train/fit"].replace(".html", ".json"))
    model = {"label": "churn 1", "kind": "model", "href": "models/churn/v/1/lineage/index.html"}
    assert fit["outputs"]["items"] == [model]
    version = _page(site, "models/churn/v/1/lineage/index.html")
    assert version.select_one(f'a[href="../../../../../{jobs["train/fit"]}"]') is not None


def test_a_version_recorded_before_a_later_one_is_history_on_the_page_and_no_warning(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = project("minimal")
    (root / "data").mkdir()
    (root / "data" / "in.csv").write_text("age\n30\n")
    old, now = (hashlib.sha256(text).hexdigest() for text in (b"age\n29\n", b"age\n30\n"))
    # read daily; the file changed on day 3, and the days were written out of order
    emit_daily(
        root / "lineage" / "events.jsonl", [(3, now), (1, old), (5, now), (2, old), (4, now)]
    )
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(root, tmp_path / "one")
    assert not any("changed since recorded" in r.getMessage() for r in caplog.records)
    row = next(d for d in _json(tmp_path / "one", "datasets/index.json")["rows"]
               if d["id"] == "data/in.csv")  # fmt: skip
    assert (row["first_seen"], row["last_seen"]) == (daily_time(1, 0), daily_time(5))
    page = _json(tmp_path / "one", row["href"].replace(".html", ".json"))
    assert page["changed"] is False
    assert [(v["value"], v["first_seen"], v["last_seen"]) for v in page["versions"]] == [
        (old, daily_time(1), daily_time(2)), (now, daily_time(3), daily_time(5))]  # fmt: skip
    assert {d["value"]: d["status"] for d in page["digests"]} == {
        old: "superseded by a later recording", now: "matches the file"}  # fmt: skip
    html = _page(tmp_path / "one", row["href"])
    assert html.select("#hashes tr.changed") == []
    assert "superseded by a later recording" in html.select_one("#hashes caption").get_text()
    cardpress.build(root, tmp_path / "two")  # and the pages are the same at every build
    assert (tmp_path / "one" / row["href"]).read_bytes() == (
        tmp_path / "two" / row["href"]
    ).read_bytes()


def _spark_and_dbt(root: Path, reorder: bool = False) -> None:
    """The Spark/dbt pipeline of :func:`emit_spark_and_dbt`, Spark's facet with a second name.

    ``reorder`` writes the same events with every object's keys and the identifiers in reverse
    order, and the files in reverse order: what they say, and their lines, are the same.
    """
    folder = root / "lineage"
    emit_spark_and_dbt(folder / "spark.jsonl", folder / "dbt.jsonl",
                       (root / "warehouse" / "sales").as_posix())  # fmt: skip
    texts = {}
    for path in (folder / "spark.jsonl", folder / "dbt.jsonl"):
        events = [json.loads(line) for line in path.read_text().splitlines()]
        for event in events:
            for item in event["outputs"]:
                if "symlinks" in item["facets"]:
                    item["facets"]["symlinks"]["identifiers"].insert(
                        0, {"namespace": "s3://lake", "name": "sales/", "type": "LOCATION"}
                    )
        texts[path] = [json.dumps(_reversed(e) if reorder else e) + "\n" for e in events]
        path.unlink()
    for path in reversed(texts) if reorder else texts:
        path.write_text("".join(texts[path]))


def _reversed(value: object) -> object:
    if isinstance(value, dict):
        return {k: _reversed(value[k]) for k in reversed(value)}
    if isinstance(value, list):
        return [_reversed(v) for v in reversed(value)]
    return value


def test_a_file_and_its_symlinked_table_are_one_data_set_between_the_two_jobs(
    records: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _spark_and_dbt(records)
    site = tmp_path / "site"
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(records, site)
    assert not any("symlink" in r.getMessage() for r in caplog.records)
    table = f"{HIVE}/analytics.sales"
    rows = _json(site, "datasets/index.json")["rows"]
    [sales] = [r for r in rows if r["id"] in (table, "warehouse/sales")]
    assert sales["id"] == table == sales["label"]  # the smallest location names and titles it
    data = _json(site, sales["href"].replace(".html", ".json"))
    assert data["names"] == [(records / "warehouse" / "sales").as_posix(), table,
                             "s3://lake/sales/"]  # fmt: skip
    assert data["uris"] == [table, "warehouse/sales"]
    assert [(s["name"], s["type"], s["source"]) for s in data["symlinks"]] == [
        (table, "TABLE", "lineage/spark.jsonl:1"),
        ("s3://lake/sales/", "LOCATION", "lineage/spark.jsonl:1")]  # fmt: skip
    identity = _page(site, sales["href"]).select_one("#identity").get_text()
    assert (
        f"{table} (TABLE): another name of {data['names'][0]}, from the OpenLineage "
        "symlinks facet lineage/spark.jsonl:1" in identity
    )
    link = {"label": table, "kind": "dataset", "href": sales["href"]}
    jobs = {j["label"]: j["href"].replace(".html", ".json")
            for j in _json(site, "jobs/index.json")["rows"]}  # fmt: skip
    assert _json(site, jobs["jobs/spark_write_sales"])["outputs"]["items"] == [link]
    assert _json(site, jobs["jobs/dbt_sales_report"])["inputs"]["items"] == [link]
    assert [p["label"] for p in data["producers"]["items"]] == ["jobs/spark_write_sales"]
    assert [u["label"] for u in data["used_by"]["items"]] == ["jobs/dbt_sales_report"]


def test_symlinked_pages_do_not_depend_on_the_order_of_events_keys_or_files(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    sites = []
    for reorder in (False, True):
        root = project("minimal")
        _spark_and_dbt(root, reorder)
        sites.append(tmp_path / f"site-{reorder}")
        cardpress.build(root, sites[-1])
        root.rename(tmp_path / f"records-{reorder}")  # the next copy goes where this one was
    for folder in ("datasets", "jobs"):
        one, two = ({p.relative_to(s).as_posix(): p.read_bytes()
                     for p in (s / folder).rglob("*") if p.is_file()} for s in sites)  # fmt: skip
        assert sorted(one) == sorted(two) and [n for n in one if one[n] != two[n]] == []


def _event(time: str, inputs: list[str], outputs: list[str]) -> str:
    """A COMPLETE event of job ``ns/dedupe``; each data set ``name=content`` of data/x.csv."""

    def side(contents: list[str]) -> list[dict[str, object]]:
        digests = [hashlib.sha256(text.encode()).hexdigest() for text in contents]
        return [{"namespace": "file", "name": "data/x.csv",
                 "facets": {"version": {"datasetVersion": d}}} for d in digests]  # fmt: skip

    return json.dumps({"eventTime": time, "eventType": "COMPLETE", "run": {"runId": "r-" + time},
                       "job": {"namespace": "ns", "name": "dedupe"}, "producer": "test",
                       "inputs": side(inputs), "outputs": side(outputs)})  # fmt: skip


def _dedupe(site: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The data set page's (hash, status) rows and the job page's (side, status) rows."""
    index = _json(site, "datasets/index.json")["rows"]
    [row] = [d for d in index if d["label"].endswith("x.csv")]
    page = _json(site, row["href"].replace(".html", ".json"))
    by_hash = {hashlib.sha256(t.encode()).hexdigest(): t for t in ("old\n", "new\n", "other\n")}
    digests = sorted((by_hash[d["value"]], d["status"]) for d in page["digests"])
    [job] = [j for j in _json(site, "jobs/index.json")["rows"] if j["label"] == "ns/dedupe"]
    files = _json(site, job["href"].replace(".html", ".json"))["files"]
    return digests, [(f["side"], f["status"]) for f in files]


@pytest.mark.parametrize(
    ("now", "warned"),
    [("new\n", False), ("other\n", True)],
)
def test_a_job_that_rewrites_the_file_it_read_is_history_not_a_change(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    now: str, warned: bool,
) -> None:  # fmt: skip
    root = project("minimal")
    (root / "data").mkdir()
    (root / "lineage").mkdir()
    (root / "data" / "x.csv").write_text(now)
    (root / "lineage" / "events.jsonl").write_text(
        _event("2026-01-05T10:00:00Z", ["old\n"], ["new\n"]) + "\n"
    )
    site = tmp_path / "site"
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(root, site)
    changes = [r.getMessage() for r in caplog.records if "changed since recorded" in r.getMessage()]
    digests, files = _dedupe(site)
    written = "changed since recorded" if warned else "matches the file"
    assert digests == [("new\n", written), ("old\n", "superseded by a later recording")]
    assert files == [("dep", "superseded by a later recording"), ("out", written)]
    assert len(changes) == (1 if warned else 0), changes


def test_a_later_read_of_another_version_supersedes_the_job_s_earlier_write(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = project("minimal")
    (root / "data").mkdir()
    (root / "lineage").mkdir()
    (root / "data" / "x.csv").write_text("new\n")
    events = [_event("2026-01-05T10:00:00Z", [], ["old\n"]),
              _event("2026-01-06T10:00:00Z", ["new\n"], []),
              _event("2026-01-07T10:00:00Z", [], [])]  # fmt: skip
    (root / "lineage" / "events.jsonl").write_text("\n".join(events) + "\n")
    site = tmp_path / "site"
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(root, site)
    assert not [r for r in caplog.records if "changed since recorded" in r.getMessage()]
    digests, files = _dedupe(site)
    assert digests == [("new\n", "matches the file"), ("old\n", "superseded by a later recording")]
    assert files == [("dep", "matches the file"), ("out", "superseded by a later recording")]
