"""OpenLineage events written by the real openlineage-python client's file transport."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

ol = pytest.importorskip("openlineage.client")

from openlineage.client import OpenLineageClient  # noqa: E402
from openlineage.client.event_v2 import (  # noqa: E402
    InputDataset,
    Job,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
)
from openlineage.client.facet_v2 import (  # noqa: E402
    column_lineage_dataset,
    dataset_version_dataset,
    datasource_dataset,
    schema_dataset,
    symlinks_dataset,
)
from openlineage.client.transport.file import FileConfig, FileTransport  # noqa: E402

PRODUCER = "https://example.org/cardpress-tests"
RUN_IDS = ["0190f5c2-7d3e-7a4b-9c1d-2f6e8a9b0c1d", "0190f5c2-7d3e-7a4b-9c1d-2f6e8a9b0c2e"]


def client(path: Path) -> OpenLineageClient:
    """A client that appends every event to ``path`` as one JSON object per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    config = FileConfig(log_file_path=str(path), append=True)
    return OpenLineageClient(transport=FileTransport(config))


def schema(*fields: tuple[str, str]) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in fields]
    )


def emit_prepare(
    path: Path, raw: str, prepared: str, failed: bool = False, version: str | None = None
) -> None:
    """A ``prepare`` job reading ``raw`` and writing ``prepared``: START, then COMPLETE or FAIL."""
    emitter = client(path)
    job = Job(namespace="census", name="prepare")
    lineage = column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            "age": column_lineage_dataset.Fields(
                inputFields=[
                    column_lineage_dataset.InputField(
                        namespace="file", name=raw, field="age",
                        transformations=[column_lineage_dataset.Transformation(
                            type="DIRECT", subtype="IDENTITY")],
                    )
                ]
            )
        }
    )  # fmt: skip
    out_facets: dict[str, object] = {"schema": schema(("age", "int64")), "columnLineage": lineage}
    if version:
        facet = dataset_version_dataset.DatasetVersionDatasetFacet
        out_facets["version"] = facet(datasetVersion=version)
    in_facets = {"schema": schema(("age", "int64"), ("sex", "string"))}
    inputs = [InputDataset(namespace="file", name=raw, facets=in_facets)]  # type: ignore[arg-type]
    outputs = [OutputDataset(namespace="file", name=prepared, facets=out_facets)]  # type: ignore
    times = ["2026-01-05T10:00:00.000Z", "2026-01-05T10:01:00.000Z"]
    for state, time in zip((RunState.START, RunState.FAIL if failed else RunState.COMPLETE), times,
                           strict=True):  # fmt: skip
        emitter.emit(RunEvent(eventType=state, eventTime=time, run=Run(runId=RUN_IDS[0]), job=job,
                              producer=PRODUCER, inputs=inputs, outputs=outputs))  # fmt: skip


WAREHOUSE, DATABASE = "warehouse://census", "postgres://db.example:5432"
INCOME_RULE = "CASE WHEN income > 50000 THEN '>50K' ELSE '<=50K' END"


def emit_warehouse(
    path: Path, model_uri: tuple[str, str] = ("models://registry", "churn/1")
) -> None:
    """A two-job pipeline on tables, ``etl/load`` then ``train/fit``.

    ``etl/load`` copies a Postgres table into the warehouse (column lineage with transformation
    descriptions, old and new forms, and ``dataSource`` facets); ``train/fit`` reads the
    warehouse table and writes a model (``model_uri``).
    """
    emitter = client(path)
    column = column_lineage_dataset
    lineage = column.ColumnLineageDatasetFacet(
        fields={
            "age": column.Fields(inputFields=[column.InputField(
                namespace=DATABASE, name="public.census_raw", field="age",
                transformations=[column.Transformation(
                    type="DIRECT", subtype="IDENTITY", description="copied as is")])]),
            "income_band": column.Fields(inputFields=[column.InputField(
                namespace=DATABASE, name="public.census_raw", field="income",
                transformations=[column.Transformation(
                    type="DIRECT", subtype="TRANSFORMATION", description=INCOME_RULE)])]),
            "name_hash": column.Fields(  # the deprecated field-level form
                inputFields=[column.InputField(namespace=DATABASE, name="public.census_raw",
                                               field="name", transformations=[])],
                transformationType="MASKED", transformationDescription="sha256(name)"),
        }
    )  # fmt: skip
    source = datasource_dataset.DatasourceDatasetFacet
    raw = InputDataset(namespace=DATABASE, name="public.census_raw", facets={
        "dataSource": source(name="census-db", uri=DATABASE),
        "schema": schema(("age", "integer"), ("income", "integer"), ("name", "text"))})  # fmt: skip
    columns = schema(("age", "integer"), ("income_band", "text"), ("name_hash", "text"))
    table = OutputDataset(namespace=WAREHOUSE, name="public.adult_train", facets={
        "dataSource": source(name="warehouse", uri=WAREHOUSE), "columnLineage": lineage,
        "schema": columns})  # fmt: skip
    model = OutputDataset(namespace=model_uri[0], name=model_uri[1])
    steps = [(Job(namespace="etl", name="load"), [raw], [table]),
             (Job(namespace="train", name="fit"),
              [InputDataset(namespace=WAREHOUSE, name="public.adult_train")], [model])]  # fmt: skip
    for number, (job, inputs, outputs) in enumerate(steps):
        for state, minute in ((RunState.START, 0), (RunState.COMPLETE, 5)):
            emitter.emit(RunEvent(
                eventType=state, eventTime=f"2026-01-0{number + 6}T10:0{minute}:00.000Z",
                run=Run(runId=RUN_IDS[number]), job=job, producer=PRODUCER,
                inputs=inputs, outputs=outputs))  # type: ignore[arg-type]  # fmt: skip


def emit_chain(path: Path, files: list[str]) -> None:
    """A pipeline of ``len(files) - 1`` jobs, ``step1`` … : job *n* reads file *n - 1* and
    writes file *n*, each run started and completed a minute after the one before."""
    emitter = client(path)
    for number, (read, wrote) in enumerate(pairwise(files), start=1):
        job = Job(namespace="pipeline", name=f"step{number}")
        for state, second in ((RunState.START, "00"), (RunState.COMPLETE, "30")):
            emitter.emit(RunEvent(
                eventType=state, eventTime=f"2026-01-04T10:{number:02d}:{second}.000Z",
                run=Run(runId=RUN_IDS[0][:-2] + f"{number:02d}"), job=job, producer=PRODUCER,
                inputs=[InputDataset(namespace="file", name=read)],
                outputs=[OutputDataset(namespace="file", name=wrote)]))  # fmt: skip


def emit_daily(path: Path, days: list[tuple[int, str | None]], data: str = "data/in.csv") -> None:
    """A job ``ns/daily`` that reads ``data`` once on each day of January 2026, as given.

    Each (day, sha256) is a run: START at 10:00 without facets, COMPLETE at 10:05 recording the
    sha256 as the data set's ``version`` facet (none when None). Events are written in the
    order given, so a test can write them out of time order.
    """
    emitter = client(path)
    facet = dataset_version_dataset.DatasetVersionDatasetFacet
    for day, digest in days:
        for state, minute in ((RunState.START, 0), (RunState.COMPLETE, 5)):
            recorded = digest is not None and state is RunState.COMPLETE
            facets = {"version": facet(datasetVersion=f"sha256:{digest}")} if recorded else {}
            emitter.emit(RunEvent(
                eventType=state, eventTime=f"2026-01-{day:02d}T10:{minute:02d}:00.000Z",
                run=Run(runId=RUN_IDS[0][:-2] + f"{day:02d}"), producer=PRODUCER,
                job=Job(namespace="ns", name="daily"),
                inputs=[InputDataset(namespace="file", name=data, facets=facets)]))  # type: ignore[arg-type]  # fmt: skip


def daily_time(day: int, minute: int = 5) -> str:
    """When :func:`emit_daily`'s run of ``day`` sent an event, as lineage shows times."""
    return f"2026-01-{day:02d}T10:{minute:02d}:00+00:00"


HIVE = "hive://metastore"  # where the Spark example's table lives


def symlinks(*names: tuple[str, str], kind: str = "TABLE") -> dict[str, object]:
    """The ``symlinks`` facet giving a data set the other (namespace, name)s ``names``."""
    ids = [symlinks_dataset.Identifier(namespace=n, name=m, type=kind) for n, m in names]
    return {"symlinks": symlinks_dataset.SymlinksDatasetFacet(identifiers=ids)}


def emit_job(
    path: Path,
    name: str,
    inputs: list[InputDataset],
    outputs: list[OutputDataset],
    day: int = 7,
) -> None:
    """One run of job ``jobs/<name>`` on ``day`` of January 2026: START, then COMPLETE."""
    emitter = client(path)
    for state, minute in ((RunState.START, 0), (RunState.COMPLETE, 5)):
        emitter.emit(RunEvent(
            eventType=state, eventTime=f"2026-01-{day:02d}T10:{minute:02d}:00.000Z",
            run=Run(runId=RUN_IDS[0][:-2] + f"{day:02d}"), job=Job(namespace="jobs", name=name),
            producer=PRODUCER, inputs=inputs, outputs=outputs))  # fmt: skip


def emit_spark_and_dbt(spark: Path, dbt: Path, sales: str) -> None:
    """Spark writes the files ``sales`` (a ``file`` path) with a symlink to the Hive table
    ``analytics.sales``; a day later dbt reads ``analytics.sales`` by its table name and writes
    ``analytics.sales_report``. The data set is one: the chain is spark → sales → dbt."""
    written = OutputDataset(namespace="file", name=sales,
                            facets=symlinks((HIVE, "analytics.sales")))  # type: ignore[arg-type]  # fmt: skip
    emit_job(spark, "spark_write_sales", [InputDataset(namespace="file", name="data/orders.csv")],
             [written], day=7)  # fmt: skip
    emit_job(dbt, "dbt_sales_report", [InputDataset(namespace=HIVE, name="analytics.sales")],
             [OutputDataset(namespace=HIVE, name="analytics.sales_report")], day=8)  # fmt: skip
