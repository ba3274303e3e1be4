"""OpenLineage events written by the real openlineage-python client's file transport."""

from __future__ import annotations

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
    schema_dataset,
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
