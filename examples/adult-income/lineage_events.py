"""Write lineage/events.jsonl: how the example's data files were obtained, as OpenLineage events.

The files in data/ are an unmodified copy of the UCI Adult data set (data/ATTRIBUTION.md): a
job ``uci-adult/copy`` read the archive published by the UCI repository and wrote the three
files. This script records that as the run events an OpenLineage integration would have sent,
written by the openlineage-python client's file transport (the format cardpress reads). Event
times and the run id are fixed so the example builds the same site every time; the schema
facets list the columns of data/adult.names.

    python examples/adult-income/lineage_events.py   # needs: pip install openlineage-python
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import dataset_version_dataset, schema_dataset
from openlineage.client.transport.file import FileConfig, FileTransport

HERE = Path(__file__).parent
EVENTS = HERE / "lineage" / "events.jsonl"
PRODUCER = "https://github.com/cardpress/cardpress/tree/main/examples/adult-income"
ARCHIVE = "https://archive.ics.uci.edu/static/public/2"
RUN_ID = "01907a5e-0000-7000-8000-000000000001"
COLUMNS = [
    ("age", "integer"), ("workclass", "string"), ("fnlwgt", "integer"), ("education", "string"),
    ("education-num", "integer"), ("marital-status", "string"), ("occupation", "string"),
    ("relationship", "string"), ("race", "string"), ("sex", "string"),
    ("capital-gain", "integer"), ("capital-loss", "integer"), ("hours-per-week", "integer"),
    ("native-country", "string"), ("income", "string"),
]  # fmt: skip


def output(path: str, with_schema: bool) -> OutputDataset:
    """A file under data/, named relative to the records folder, with its content hash."""
    digest = hashlib.sha256((HERE / path).read_bytes()).hexdigest()
    facets: dict[str, object] = {
        "version": dataset_version_dataset.DatasetVersionDatasetFacet(
            datasetVersion=f"sha256:{digest}"
        )
    }
    if with_schema:
        fields = [schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in COLUMNS]
        facets["schema"] = schema_dataset.SchemaDatasetFacet(fields=fields)
    return OutputDataset(namespace="file", name=path, facets=facets)  # type: ignore[arg-type]


def main() -> None:
    EVENTS.parent.mkdir(exist_ok=True)
    EVENTS.unlink(missing_ok=True)
    client = OpenLineageClient(transport=FileTransport(FileConfig(str(EVENTS), append=True)))
    job = Job(namespace="uci-adult", name="copy")
    inputs = [InputDataset(namespace=ARCHIVE, name="adult.zip")]
    outputs = [
        output("data/adult.data", True),
        output("data/adult.test", True),
        output("data/adult.names", False),
    ]
    times = {
        RunState.START: "2026-04-30T08:00:00.000Z",
        RunState.COMPLETE: "2026-04-30T08:00:05.000Z",
    }
    for state, time in times.items():
        event = RunEvent(eventType=state, eventTime=time, run=Run(runId=RUN_ID), job=job,
                         producer=PRODUCER, inputs=inputs, outputs=outputs)  # fmt: skip
        client.emit(event)


if __name__ == "__main__":
    main()
