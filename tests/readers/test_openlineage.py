"""OpenLineage events as the real openlineage-python client writes them, read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import attr
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, OutputDataset, Run, RunEvent, RunState
from openlineage.client.event_v2 import Job as OLJob
from openlineage.client.facet_v2 import DatasetFacet
from openlineage.client.transport.file import FileConfig, FileTransport

from cardpress.compute.lineage.facts import (
    CHANGED,
    MATCHES,
    SUPERSEDED,
    changed_warnings,
    digest_rows,
    file_status,
    seen_range,
    versions,
)
from cardpress.compute.lineage.graph import DatasetNode, Edge, LineageGraph, build_graph
from cardpress.errors import Problem
from cardpress.model import LineageSettings
from cardpress.model_lineage import FileHash, Job
from cardpress.readers.config import read_config
from cardpress.readers.lineage.models import model_matcher
from cardpress.readers.lineage.openlineage.read import read_openlineage
from cardpress.readers.lineage.paths import locate
from tests.lineage.events import (
    DATABASE,
    HIVE,
    INCOME_RULE,
    PRODUCER,
    RUN_IDS,
    WAREHOUSE,
    client,
    daily_time,
    emit_daily,
    emit_job,
    emit_prepare,
    emit_spark_and_dbt,
    emit_warehouse,
    schema,
    symlinks,
)


def _read(root: Path) -> tuple[list[Job], list[str]]:
    warnings: list[str] = []
    jobs = read_openlineage(
        root, root / "lineage", lambda u: locate(root, root, u, False), warnings
    )
    return list(jobs), warnings


def test_a_completed_run_gives_its_job_inputs_outputs_schema_and_column_lineage(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw.csv").write_text("age,sex\n30,F\n")
    emit_prepare(tmp_path / "lineage" / "events.jsonl", "data/raw.csv", "data/prepared.csv")
    [job], warnings = _read(tmp_path)
    assert warnings == []
    assert job.name == "census/prepare" and job.key == "openlineage:census/prepare"
    assert [(r.run_id, r.state) for r in job.runs] == [(RUN_IDS[0], "COMPLETE")]
    assert job.runs[0].started_at == "2026-01-05T10:00:00+00:00"
    assert job.runs[0].ended_at == "2026-01-05T10:01:00+00:00"
    [raw] = job.inputs
    assert raw.uri == "data/raw.csv" and raw.local == (tmp_path / "data" / "raw.csv").resolve()
    assert raw.columns == (("age", "int64"), ("sex", "string"))
    [prepared] = job.outputs
    assert prepared.columns == (("age", "int64"),)
    [link] = job.column_lineage
    assert (link.output_field, link.input, link.input_field) == ("age", "data/raw.csv", "age")
    assert link.transformation == "DIRECT IDENTITY"


def test_a_failed_run_is_kept_with_its_state(tmp_path: Path) -> None:
    emit_prepare(tmp_path / "lineage" / "e.jsonl", "raw.csv", "out.csv", failed=True)
    [job], _ = _read(tmp_path)
    assert job.runs[0].state == "FAIL"


def test_a_sha256_dataset_version_becomes_a_digest(tmp_path: Path) -> None:
    digest = "ab" * 32
    emit_prepare(tmp_path / "lineage" / "e.jsonl", "raw.csv", "out.csv", version=digest)
    [job], _ = _read(tmp_path)
    assert job.outputs[0].digests == (("sha256", digest),)


def test_malformed_lines_are_skipped_with_file_and_line_and_the_rest_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    emit_prepare(path, "raw.csv", "out.csv")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "{not json", "[1, 2]", lines[1]]) + "\n")
    [job], warnings = _read(tmp_path)
    assert [r.state for r in job.runs] == ["COMPLETE"]
    assert warnings[0].startswith("lineage/events.jsonl:2: not a JSON object")
    assert warnings[1].startswith("lineage/events.jsonl:3: not a JSON object")


def test_unknown_facets_are_kept_in_the_file_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    emit_prepare(path, "raw.csv", "out.csv")
    events = [json.loads(line) for line in path.read_text().splitlines()]
    for event in events:
        event["outputs"][0]["facets"]["acme_quality"] = {"score": [1, {"x": None}]}
        event["job"]["facets"]["acme"] = "not even an object"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    [job], warnings = _read(tmp_path)
    assert warnings == [] and job.outputs[0].uri == "out.csv"


def test_a_script_in_a_name_stays_text(tmp_path: Path) -> None:
    name = "<script>alert(1)</script>.csv"
    emit_prepare(tmp_path / "lineage" / "events.jsonl", name, "out.csv")
    [job], _ = _read(tmp_path)
    assert job.inputs[0].name == name  # escaped where it is rendered, never altered here


def _read_models(root: Path, patterns: tuple[str, ...]) -> tuple[list[Job], list[str]]:
    warnings: list[str] = []
    jobs = read_openlineage(root, root / "lineage", lambda u: locate(root, root, u, False),
                            warnings, (), model_matcher(patterns))  # fmt: skip
    return list(jobs), warnings


DEFAULTS = LineageSettings().model_uris


def test_column_lineage_keeps_transformation_types_and_descriptions_old_and_new(
    tmp_path: Path,
) -> None:
    emit_warehouse(tmp_path / "lineage" / "events.jsonl")
    jobs, warnings = _read(tmp_path)
    assert warnings == []
    load = next(j for j in jobs if j.name == "etl/load")
    links = {c.output_field: c for c in load.column_lineage}
    assert (links["age"].transformation, links["age"].description) == (
        "DIRECT IDENTITY", "copied as is")  # fmt: skip
    assert links["income_band"].description == INCOME_RULE
    assert links["income_band"].transformation == "DIRECT TRANSFORMATION"
    assert (links["name_hash"].transformation, links["name_hash"].description) == (
        "MASKED", "sha256(name)")  # fmt: skip
    assert links["age"].input == f"{DATABASE}/public.census_raw"


def test_a_data_source_is_kept_and_a_warehouse_or_database_table_is_a_table(
    tmp_path: Path,
) -> None:
    emit_warehouse(tmp_path / "lineage" / "events.jsonl")
    emit_prepare(tmp_path / "lineage" / "files.jsonl", "raw.csv", "out.csv")
    jobs, _ = _read(tmp_path)
    load = next(j for j in jobs if j.name == "etl/load")
    [raw], [table] = load.inputs, load.outputs
    assert raw.about == (("data source", "census-db"), ("data source URI", DATABASE))
    assert raw.table and table.table and table.namespace == WAREHOUSE
    prepare = next(j for j in jobs if j.name == "census/prepare")
    assert not prepare.inputs[0].table and not prepare.outputs[0].table


@pytest.mark.parametrize(
    ("namespace", "name", "expected"),
    [
        ("models://registry", "churn/1", ("churn", "1")),
        ("models://registry/team-a", "churn/12", ("churn", "12")),
        ("models:", "/churn/3", ("churn", "3")),  # MLflow's models:/<name>/<version>
        ("mlflow", "models:/churn/4", ("churn", "4")),  # the whole URI as the name
        ("models://registry", "churn", None),  # no version
        ("warehouse://census", "churn/1", None),
        ("file", "models/churn/1", None),
    ],
)
def test_the_default_model_uris_recognise_registry_and_mlflow_model_versions(
    namespace: str, name: str, expected: tuple[str, str] | None
) -> None:
    assert model_matcher(DEFAULTS)(namespace, name) == expected


def test_an_output_that_is_a_model_version_says_so_and_patterns_are_configurable(
    tmp_path: Path,
) -> None:
    emit_warehouse(tmp_path / "lineage" / "e.jsonl", ("s3://acme-models", "churn/v7/model.pkl"))
    jobs, _ = _read_models(tmp_path, DEFAULTS)
    fit = next(j for j in jobs if j.name == "train/fit")
    assert fit.outputs[0].model is None
    jobs, _ = _read_models(tmp_path, ("s3://acme-models/{model}/v{version}/*",))
    fit = next(j for j in jobs if j.name == "train/fit")
    assert fit.outputs[0].model == ("churn", "7")


def _pretty_events(folder: Path) -> list[Path]:
    """Events written by the client's file transport in debug mode: pretty-printed, one a file."""
    config = FileConfig(log_file_path=str(folder / "ol"), append=False, debug_mode=True)
    emitter = OpenLineageClient(transport=FileTransport(config))
    for state, time in ((RunState.START, "10:00"), (RunState.COMPLETE, "10:01")):
        emitter.emit(RunEvent(eventType=state, eventTime=f"2026-01-05T{time}:00.000Z",
                              run=Run(runId=RUN_IDS[1]), job=OLJob(namespace="n", name="pretty"),
                              producer=PRODUCER, inputs=[InputDataset("file", "a.csv")],
                              outputs=[OutputDataset("file", "b.csv")]))  # fmt: skip
    return sorted(folder.glob("ol-*.json"))


@pytest.mark.parametrize("layout", ["one a file", "one after the other", "a JSON array"])
def test_pretty_printed_events_are_read_in_every_layout(tmp_path: Path, layout: str) -> None:
    folder = tmp_path / "lineage"
    folder.mkdir()
    files = _pretty_events(folder)
    assert len(files) == 2 and len(files[0].read_text().splitlines()) > 10
    texts = [f.read_text() for f in files]
    if layout != "one a file":
        for file in files:
            file.unlink()
        joined = "".join(texts) if layout == "one after the other" else (
            "[\n" + ",\n".join(texts) + "]\n")  # fmt: skip
        (folder / "all.json").write_text(joined)
    [job], warnings = _read(tmp_path)
    assert warnings == []
    assert job.name == "n/pretty" and [r.state for r in job.runs] == ["COMPLETE"]
    assert job.runs[0].started_at == "2026-01-05T10:00:00+00:00"


def test_a_file_in_no_format_read_is_one_warning_that_names_the_formats(tmp_path: Path) -> None:
    folder = tmp_path / "lineage"
    folder.mkdir()
    lines = ["eventTime: 2026-01-05", *[f"  field{n}: value" for n in range(200)]]
    (folder / "events.json").write_text("\n".join(lines))
    jobs, warnings = _read(tmp_path)
    assert jobs == [] and len(warnings) == 1
    assert warnings[0].startswith("lineage/events.json: no OpenLineage event could be read")
    assert "one event per line" in warnings[0] and "JSON array" in warnings[0]


def test_many_broken_lines_give_a_few_warnings_and_a_count(tmp_path: Path) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    emit_prepare(path, "raw.csv", "out.csv")
    path.write_text(path.read_text() + "".join("{broken\n" for _ in range(200)))
    [job], warnings = _read(tmp_path)
    assert [r.state for r in job.runs] == ["COMPLETE"]
    assert len(warnings) == 6 and warnings[0].startswith("lineage/events.jsonl:3: not a JSON")
    assert warnings[-1].startswith("lineage/events.jsonl: and 195 more problems")


def test_an_event_without_event_time_is_kept_with_a_warning_naming_file_and_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    emit_prepare(path, "raw.csv", "out.csv")
    events = [json.loads(line) for line in path.read_text().splitlines()]
    del events[1]["eventTime"]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    [job], warnings = _read(tmp_path)
    assert warnings == [
        "lineage/events.jsonl:2: event without eventTime (the OpenLineage spec requires it); "
        "read after its job's dated events, undated"
    ]
    assert job.outputs[0].uri == "out.csv" and job.runs[0].state == "COMPLETE"
    assert job.runs[0].ended_at is None


def test_a_custom_facet_made_with_the_client_is_ignored_silently(tmp_path: Path) -> None:
    @attr.define
    class AcmeQualityFacet(DatasetFacet):  # a facet cardpress has never heard of
        score: float = 0.5
        checks: list[str] = attr.field(factory=list)

    emitter = client(tmp_path / "lineage" / "events.jsonl")
    facets = {"acmeQuality": AcmeQualityFacet(score=0.9, checks=["nulls", "ranges"])}
    emitter.emit(RunEvent(eventType=RunState.COMPLETE, eventTime="2026-01-05T10:00:00.000Z",
                          run=Run(runId=RUN_IDS[0]), job=OLJob(namespace="n", name="custom"),
                          producer=PRODUCER,
                          outputs=[OutputDataset("file", "b.csv", facets=facets)]))  # type: ignore[arg-type]  # fmt: skip
    assert "acmeQuality" in (tmp_path / "lineage" / "events.jsonl").read_text()
    [job], warnings = _read(tmp_path)
    assert warnings == [] and job.outputs[0].uri == "b.csv"


def test_a_model_uri_pattern_without_model_and_version_is_a_config_problem(
    tmp_path: Path,
) -> None:
    (tmp_path / "cardpress.toml").write_text(
        'schema = "cardpress/config/1"\n[lineage]\nmodel_uris = ["models://{model}/latest"]\n'
    )
    problems: list[Problem] = []
    read_config(tmp_path, problems)
    [problem] = problems
    assert problem.file == "cardpress.toml" and problem.line == 3
    assert problem.field == "lineage.model_uris[0]"
    assert "lacks {model} or {version}" in str(problem) and "{model}/{version}" in str(problem)


def _emit_runs(path: Path, runs: list[tuple[str, list[tuple[RunState, str]]]]) -> None:
    """One run per job: each (state, eventTime) in turn, written by the client as given.

    Every event writes ``out.csv`` with a schema naming the event's state, so which event's
    facets were kept last shows.
    """
    emitter = client(path)
    for number, (name, events) in enumerate(runs):
        for state, time in events:
            facets = {"schema": schema((state.value.lower(), "string"))}
            emitter.emit(RunEvent(eventType=state, eventTime=time, run=Run(runId=RUN_IDS[0][:-2]
                                  + f"{number:02d}"), job=OLJob(namespace="ns", name=name),
                                  producer=PRODUCER, inputs=[InputDataset("s3://b", "in.csv")],
                                  outputs=[OutputDataset("s3://b", "out.csv", facets=facets)]))  # type: ignore[arg-type]  # fmt: skip


def test_event_times_are_ordered_as_instants_and_shown_in_utc(tmp_path: Path) -> None:
    # As text "…00.900Z" sorts before "…00Z", and "10:00:00+02:00" after "09:00:00Z".
    _emit_runs(tmp_path / "lineage" / "events.jsonl", [
        ("A", [(RunState.START, "2024-01-01T09:20:00Z"),
               (RunState.COMPLETE, "2024-01-01T09:20:00.900Z")]),
        ("B", [(RunState.START, "2024-01-01T10:00:00+02:00"),
               (RunState.COMPLETE, "2024-01-01T09:00:00Z")]),
    ])  # fmt: skip
    jobs, warnings = _read(tmp_path)
    assert warnings == []
    runs = {job.name: job.runs[0] for job in jobs}
    assert (runs["ns/A"].state, runs["ns/B"].state) == ("COMPLETE", "COMPLETE")
    assert (runs["ns/A"].started_at, runs["ns/A"].ended_at) == (
        "2024-01-01T09:20:00+00:00", "2024-01-01T09:20:00.900000+00:00")  # fmt: skip
    assert (runs["ns/B"].started_at, runs["ns/B"].ended_at) == (
        "2024-01-01T08:00:00+00:00", "2024-01-01T09:00:00+00:00")  # fmt: skip
    b = next(job for job in jobs if job.name == "ns/B")
    assert b.outputs[0].columns == (("complete", "string"),)  # the later event's facets
    assert b.outputs[0].seen_at == "2024-01-01T09:00:00+00:00"


def test_runs_of_a_job_are_listed_oldest_first_by_instant(tmp_path: Path) -> None:
    _emit_runs(tmp_path / "lineage" / "events.jsonl", [
        ("J", [(RunState.START, "2024-01-01T10:30:00+02:00")]),  # 08:30 UTC
        ("J", [(RunState.START, "2024-01-01T09:00:00Z")]),
    ])  # fmt: skip
    [job], _ = _read(tmp_path)
    assert [r.started_at for r in job.runs] == [
        "2024-01-01T08:30:00+00:00", "2024-01-01T09:00:00+00:00"]  # fmt: skip


def test_an_event_time_without_a_time_zone_is_read_as_utc_with_a_warning(tmp_path: Path) -> None:
    _emit_runs(tmp_path / "lineage" / "events.jsonl", [
        ("naive", [(RunState.START, "2024-01-01T10:00:00.123456"),
                   (RunState.COMPLETE, "2024-01-01T10:05:00.5+00:00")]),
    ])  # fmt: skip
    [job], warnings = _read(tmp_path)
    assert warnings == [
        "lineage/events.jsonl:1: eventTime '2024-01-01T10:00:00.123456' has no time zone "
        "(the OpenLineage spec requires one); read as UTC"
    ]
    assert job.runs[0].started_at == "2024-01-01T10:00:00.123456+00:00"
    assert job.runs[0].ended_at == "2024-01-01T10:05:00.500000+00:00"


def test_an_event_time_that_is_not_a_time_is_read_undated_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    _emit_runs(path, [
        ("J", [(RunState.START, "2024-01-01T10:00:00Z"),
               (RunState.COMPLETE, "2024-01-01T10:01:00Z")]),
    ])  # fmt: skip
    # the client refuses such a time: written by another producer
    path.write_text(path.read_text().replace("2024-01-01T10:01:00Z", "yesterday"))
    [job], warnings = _read(tmp_path)
    assert warnings == [
        "lineage/events.jsonl:2: eventTime 'yesterday' is not an ISO 8601 time (the "
        "OpenLineage spec requires one); read after its job's dated events, undated"
    ]
    assert (job.runs[0].state, job.runs[0].ended_at) == ("COMPLETE", None)


def test_an_other_event_after_complete_adds_facets_and_leaves_the_state(tmp_path: Path) -> None:
    _emit_runs(tmp_path / "lineage" / "events.jsonl", [
        ("done", [(RunState.START, "2024-01-01T11:00:00Z"),
                  (RunState.COMPLETE, "2024-01-01T11:01:00Z"),
                  (RunState.OTHER, "2024-01-01T11:02:00Z")]),
        ("only", [(RunState.OTHER, "2024-01-01T12:00:00Z")]),
    ])  # fmt: skip
    jobs, _ = _read(tmp_path)
    done, only = (next(j for j in jobs if j.name == f"ns/{n}") for n in ("done", "only"))
    assert (done.runs[0].state, done.runs[0].ended_at) == ("COMPLETE", "2024-01-01T11:01:00+00:00")
    assert done.outputs[0].columns == (("other", "string"),)  # its facets are kept
    assert only.runs[0].state == "OTHER"  # nothing says more


def test_files_of_the_events_folder_that_are_not_read_are_named_in_a_warning(
    tmp_path: Path,
) -> None:
    # the client's file transport writes to the path given, here without a .jsonl suffix
    emit_prepare(tmp_path / "lineage" / "openlineage.log", "raw.csv", "out.csv")
    emit_prepare(tmp_path / "lineage" / "nested" / "events.jsonl", "raw.csv", "out.csv")
    (tmp_path / "lineage" / "nested" / "events").write_text("")
    (tmp_path / "lineage" / ".gitkeep").write_text("")  # hidden: not worth a word
    (tmp_path / "lineage" / ".checkpoints").mkdir()
    (tmp_path / "lineage" / ".checkpoints" / "notes.txt").write_text("")
    [job], warnings = _read(tmp_path)
    assert job.runs[0].state == "COMPLETE"  # from nested/events.jsonl
    assert warnings == [
        "lineage: 2 files are not read, since events are read from *.json and *.jsonl files "
        "only: lineage/nested/events, lineage/openlineage.log (rename an events file to "
        "end in .jsonl)"
    ]


OLD, NOW = b"age\n29\n", b"age\n30\n"  # data/in.csv before and after it changed on day 3
OLD_SHA, NOW_SHA = (hashlib.sha256(content).hexdigest() for content in (OLD, NOW))
# data/in.csv read daily, its old content on days 1 and 2, the new on days 3 to 5, and so
# the versions table
DAYS = [(day, OLD_SHA if day < 3 else NOW_SHA) for day in range(1, 6)]
BOTH = [(OLD_SHA, daily_time(1), daily_time(2)), (NOW_SHA, daily_time(3), daily_time(5))]


def _daily(root: Path, content: bytes, undated: int = 0) -> tuple[Job, LineageGraph, DatasetNode]:
    """The one job of the events under ``root``, its graph with data/in.csv holding ``content``
    now, and that data set's node; ``undated`` events warned of, and no other warning."""
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "in.csv").write_bytes(content)
    [job], warnings = _read(root)
    assert len(warnings) == undated and all("without eventTime" in w for w in warnings)
    [ref] = job.inputs  # one sighting per data set and side: one edge
    assert ref.local is not None
    sha256, md5 = (hashlib.new(algo, content).hexdigest() for algo in ("sha256", "md5"))
    graph = build_graph([job], {ref.local.as_posix(): FileHash(sha256, md5, len(content))})
    [dataset] = graph.datasets.values()
    assert graph.edges == [Edge(dataset.id, job.key, "reads")]
    return job, graph, dataset


def _versions(dataset: DatasetNode) -> list[tuple[str, str | None, str | None]]:
    return [(v["value"], v["first_seen"], v["last_seen"]) for v in versions(dataset)]


def _statuses(dataset: DatasetNode, graph: LineageGraph) -> list[tuple[str, str, str | None]]:
    return [(d["value"], d["status"], d["seen_at"]) for d in digest_rows(dataset, graph)]


def test_a_data_set_read_every_day_is_first_seen_on_the_first_day_and_last_on_the_last(
    tmp_path: Path,
) -> None:
    emit_daily(tmp_path / "lineage" / "events.jsonl", [(day, NOW_SHA) for day in range(1, 6)])
    job, graph, dataset = _daily(tmp_path, NOW)
    assert len(job.runs) == 5
    assert seen_range(dataset) == (daily_time(1, 0), daily_time(5))
    assert _versions(dataset) == [(NOW_SHA, daily_time(1), daily_time(5))]
    assert _statuses(dataset, graph) == [(NOW_SHA, MATCHES, daily_time(5))]


@pytest.mark.parametrize("layout", ["shuffled in one file", "later days in the first file"])
def test_events_written_out_of_time_order_are_taken_in_time_order(
    tmp_path: Path, layout: str
) -> None:
    folder = tmp_path / "lineage"
    if layout == "shuffled in one file":
        emit_daily(folder / "events.jsonl", [DAYS[i] for i in (2, 4, 0, 3, 1)])
    else:  # files are read in name order: a.jsonl holds days 4 and 5, b.jsonl days 1 to 3
        emit_daily(folder / "a.jsonl", DAYS[3:])
        emit_daily(folder / "b.jsonl", DAYS[:3])
    job, _, dataset = _daily(tmp_path, NOW)
    assert job.inputs[0].digests == (("sha256", NOW_SHA),)  # the latest in time
    # the Sources row names the event whose time it shows: day 5's COMPLETE, not day 1's START
    assert job.inputs[0].seen_at == daily_time(5)
    latest = "lineage/events.jsonl:4" if layout == "shuffled in one file" else "lineage/a.jsonl:4"
    assert str(job.inputs[0].source) == latest
    assert seen_range(dataset) == (daily_time(1, 0), daily_time(5))
    assert _versions(dataset) == BOTH
    assert [r.started_at for r in job.runs] == [daily_time(d, 0) for d in range(1, 6)]


def test_a_version_that_changed_on_day_3_keeps_both_and_compares_only_the_latest(
    tmp_path: Path,
) -> None:
    emit_daily(tmp_path / "lineage" / "events.jsonl", DAYS)
    job, graph, dataset = _daily(tmp_path, NOW)
    assert _versions(dataset) == BOTH
    assert sorted(_statuses(dataset, graph)) == sorted([
        (OLD_SHA, SUPERSEDED, daily_time(2)), (NOW_SHA, MATCHES, daily_time(5))])  # fmt: skip
    assert changed_warnings(graph) == []  # the file moved on to the version last recorded
    assert file_status(job.inputs[0], graph) == MATCHES  # as the job's page says
    # each hash names the event that recorded it last (START and COMPLETE a day, one a line):
    # day 2's COMPLETE for the old version, day 5's for the new — not the job's first event
    sources = {r["value"]: r["source"] for r in digest_rows(dataset, graph)}
    assert sources == {OLD_SHA: "lineage/events.jsonl:4", NOW_SHA: "lineage/events.jsonl:10"}


def test_a_latest_recorded_version_that_differs_from_the_file_now_is_still_warned(
    tmp_path: Path,
) -> None:
    emit_daily(tmp_path / "lineage" / "events.jsonl", DAYS)
    job, graph, dataset = _daily(tmp_path, OLD)  # put back as it was on days 1 and 2
    assert sorted(_statuses(dataset, graph)) == sorted([
        (OLD_SHA, SUPERSEDED, daily_time(2)), (NOW_SHA, CHANGED, daily_time(5))])  # fmt: skip
    [warning] = changed_warnings(graph)
    assert warning == (
        f"lineage/events.jsonl:10: data set data/in.csv (data/in.csv) changed since recorded: "
        f"sha256 was {NOW_SHA}, the file now differs"
    )
    assert file_status(job.inputs[0], graph) == CHANGED


def test_an_undated_event_adds_its_version_in_file_order_and_moves_no_seen_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    emit_daily(path, [(1, OLD_SHA), (2, OLD_SHA), (4, NOW_SHA)])
    events = [json.loads(line) for line in path.read_text().splitlines()]
    del events[5]["eventTime"]  # day 4's COMPLETE, the one recording the new version
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    job, graph, dataset = _daily(tmp_path, NOW, undated=1)
    assert job.inputs[0].digests == (("sha256", NOW_SHA),)  # read last, as it is today
    assert seen_range(dataset) == (daily_time(1, 0), daily_time(4, 0))
    assert _versions(dataset) == [(NOW_SHA, None, None), (OLD_SHA, daily_time(1), daily_time(2))]
    assert sorted(_statuses(dataset, graph)) == sorted([
        (OLD_SHA, SUPERSEDED, daily_time(2)), (NOW_SHA, MATCHES, None)])  # fmt: skip


def test_a_symlinks_facet_gives_the_data_set_its_other_names_located_as_its_own(
    tmp_path: Path,
) -> None:
    sales = (tmp_path / "warehouse" / "sales").as_posix()  # Spark writes an absolute path
    emit_spark_and_dbt(tmp_path / "lineage" / "spark.jsonl", tmp_path / "lineage" / "dbt.jsonl",
                       sales)  # fmt: skip
    jobs, warnings = _read(tmp_path)
    assert warnings == []
    spark = next(j for j in jobs if j.name == "jobs/spark_write_sales")
    [written] = spark.outputs
    assert written.uri == "warehouse/sales"  # located as a run record's relative path
    [link] = written.symlinks  # START and COMPLETE both give it: one name
    assert (link.name, link.uri, link.kind) == (f"{HIVE}/analytics.sales",
                                                f"{HIVE}/analytics.sales", "TABLE")  # fmt: skip
    assert str(link.source) == "lineage/spark.jsonl:1"  # the first event that gave it


def test_a_file_symlink_inside_the_records_folder_is_the_path_a_run_record_names(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("a\n1\n")
    absolute = (tmp_path / "data" / "x.csv").as_posix()
    table = OutputDataset(namespace="postgres://db:5432", name="public.x",
                          facets=symlinks(("file", absolute), ("file", "./data/../data/x.csv"),
                                          kind="FILE"))  # type: ignore[arg-type]  # fmt: skip
    emit_job(tmp_path / "lineage" / "e.jsonl", "export", [], [table])
    [job], warnings = _read(tmp_path)
    assert warnings == []
    # both spellings are one location, data/x.csv, as locate gives a run record's path
    assert [(s.name, s.uri, s.kind) for s in job.outputs[0].symlinks] == [
        (absolute, locate(tmp_path, tmp_path, "data/x.csv", False)[0], "FILE")]  # fmt: skip


def test_symlinks_given_in_different_events_of_a_job_are_all_kept(tmp_path: Path) -> None:
    path = tmp_path / "lineage" / "e.jsonl"
    emit_job(path, "w", [], [OutputDataset("file", "out.csv", facets=symlinks((HIVE, "a")))], 7)  # type: ignore[arg-type]
    emit_job(path, "w", [], [OutputDataset("file", "out.csv", facets=symlinks((HIVE, "b")))], 8)  # type: ignore[arg-type]
    [job], _ = _read(tmp_path)
    assert [s.name for s in job.outputs[0].symlinks] == [f"{HIVE}/a", f"{HIVE}/b"]


MALFORMED = [
    ("not an object", ["s"], "outputs[0].facets.symlinks: not an object"),
    ("identifiers not a list", {"identifiers": {"name": "t"}},
     "outputs[0].facets.symlinks: identifiers is not a list"),
    ("entry not an object", {"identifiers": ["hive/t"]},
     "outputs[0].facets.symlinks.identifiers[0]: not an object"),
    ("entry without name", {"identifiers": [{"namespace": HIVE, "type": "TABLE"}]},
     "outputs[0].facets.symlinks.identifiers[0]: name is missing"),
    ("name not a string", {"identifiers": [{"namespace": HIVE, "name": 3, "type": "TABLE"}]},
     "outputs[0].facets.symlinks.identifiers[0]: name is not a non-empty string"),
    ("namespace not a string", {"identifiers": [{"namespace": None, "name": "t"}]},
     "outputs[0].facets.symlinks.identifiers[0]: namespace is not a non-empty string"),
    ("type not a string", {"identifiers": [{"namespace": HIVE, "name": "t", "type": ["TABLE"]}]},
     "outputs[0].facets.symlinks.identifiers[0]: type is not a string"),
]  # fmt: skip


@pytest.mark.parametrize(("facet", "message"), [(f, m) for _, f, m in MALFORMED],
                         ids=[i for i, _, _ in MALFORMED])  # fmt: skip
def test_a_malformed_symlinks_facet_is_a_warning_naming_file_line_and_field(
    tmp_path: Path, facet: object, message: str
) -> None:
    path = tmp_path / "lineage" / "e.jsonl"
    emit_job(path, "w", [], [OutputDataset("file", "out.csv")])
    events = [json.loads(line) for line in path.read_text().splitlines()]
    events[1]["outputs"][0]["facets"] = {"symlinks": facet}
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    [job], warnings = _read(tmp_path)
    [warning] = warnings
    assert warning.startswith(f"lineage/e.jsonl:2: {message}; ignored — write ")
    assert job.outputs[0].uri == "out.csv" and job.outputs[0].symlinks == ()


def test_good_identifiers_beside_a_bad_one_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "lineage" / "e.jsonl"
    facet = {
        "identifiers": [
            {"name": "x"},
            {"namespace": HIVE, "name": "t", "type": "TABLE"},
            {"namespace": HIVE, "name": "u"},
            {"namespace": "file", "name": "out.csv"},
        ]
    }
    event = {"eventType": "COMPLETE", "eventTime": "2026-01-07T10:00:00Z", "producer": PRODUCER,
             "run": {"runId": RUN_IDS[0]}, "job": {"namespace": "jobs", "name": "w"},
             "outputs": [{"namespace": "file", "name": "out.csv",
                          "facets": {"symlinks": facet}}]}  # fmt: skip
    path.parent.mkdir()
    path.write_text(json.dumps(event) + "\n")
    [job], warnings = _read(tmp_path)
    assert warnings == [
        f"lineage/e.jsonl:1: outputs[0].facets.symlinks.identifiers[0]: "
        f"namespace is missing; ignored — {warnings[0].split(' — ')[1]}"
    ]
    # a name without a type is kept; the data set's own name adds nothing
    assert [(s.name, s.kind) for s in job.outputs[0].symlinks] == [
        (f"{HIVE}/t", "TABLE"), (f"{HIVE}/u", None)]  # fmt: skip


def test_an_undated_event_that_records_a_hash_again_is_where_it_was_recorded_last(
    tmp_path: Path,
) -> None:
    """Undated events count after dated ones: day 4's undated COMPLETE recorded NOW_SHA after
    day 2's; "Recorded by" named day 2's event."""
    path = tmp_path / "lineage" / "events.jsonl"
    emit_daily(path, [(1, OLD_SHA), (2, NOW_SHA), (4, NOW_SHA)])
    events = [json.loads(line) for line in path.read_text().splitlines()]
    del events[5]["eventTime"]  # day 4's COMPLETE
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    _, graph, dataset = _daily(tmp_path, NOW, undated=1)
    sources = {r["value"]: r["source"] for r in digest_rows(dataset, graph)}
    assert sources == {OLD_SHA: "lineage/events.jsonl:2", NOW_SHA: "lineage/events.jsonl:6"}
