"""Why a lineage data set has no content hash: MLflow's own URIs are not files."""

from __future__ import annotations

from pathlib import Path

from cardpress.compute.lineage.graph import build_graph
from cardpress.model import Source
from cardpress.model_lineage import RUN, DataRef, Job
from cardpress.readers.lineage.paths import locate
from cardpress.render.lineage.data import hash_note


def _note(uri: str, tmp_path: Path) -> str | None:
    normalised, local = locate(tmp_path, tmp_path, uri, True)
    assert (normalised, local) == (uri, None)  # never looked up as a file, even when allowed
    output = DataRef("model", normalised, RUN, Source("runs/m-1.json"), local, role="model")
    job = Job("run:m@1", "m 1", RUN, Source("runs/m-1.json"), (), (output,), model=("m", "1"))
    graph = build_graph([job], {})
    (dataset,) = graph.datasets.values()
    return hash_note(dataset)


def test_mlflow_model_uris_are_not_files(tmp_path: Path) -> None:
    for uri in ("models:/m-0123456789abcdef", "models:/churn/3", "runs:/0a1b2c/model"):
        assert _note(uri, tmp_path) == "not computed: not a file (MLflow model URI)", uri
    code = "runs:/0a1b2c#dataset=train&digest=c26994de"
    assert _note(code, tmp_path) == (
        "not computed: made in the training code (an MLflow run's input), not a file"
    )
    assert _note("s3://b/x.csv", tmp_path) != "not computed: not a file (MLflow model URI)"
