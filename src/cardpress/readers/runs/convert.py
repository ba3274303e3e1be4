"""Turn a validated run-record document into a :class:`cardpress.model.Run`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cardpress.model import (
    Artifact,
    CodeVersion,
    Curve,
    Dataset,
    Environment,
    Interval,
    Metric,
    Predictions,
    Run,
    Source,
)
from cardpress.readers.jsonpos import Path as JsonPath
from cardpress.readers.runs.checks import parse_time

SourceOf = Callable[[JsonPath], Source]


def to_run(doc: dict[str, Any], source: Source, source_of: SourceOf, digest: str) -> Run:
    """Build the typed run; ``doc`` has passed schema and semantic checks."""
    started = parse_time(doc["started_at"])
    assert started is not None, "checked by semantic_problems"
    ended = parse_time(doc["ended_at"]) if "ended_at" in doc else None
    return Run(
        run_id=doc["run_id"],
        model=doc["model"]["name"],
        version=doc["model"]["version"],
        model_type=doc["model"].get("type"),
        library=doc["model"].get("library"),
        task=doc["model"].get("task"),
        defaults=tuple(sorted(doc["model"].get("defaults", {}).items())),
        description=doc.get("description"),
        started_at=started,
        ended_at=ended,
        status=doc["status"],
        source=source,
        datasets=tuple(
            _dataset(d, source_of(("datasets", i))) for i, d in enumerate(doc["datasets"])
        ),
        metrics=tuple(_metric(m, source_of(("metrics", i))) for i, m in enumerate(doc["metrics"])),
        code=CodeVersion(**doc.get("code", {})),
        params=tuple(sorted(doc.get("params", {}).items())),
        predictions=_predictions(doc["predictions"], source_of) if "predictions" in doc else None,
        artifacts=tuple(_artifact(a) for a in doc.get("artifacts", [])),
        environment=_environment(doc.get("environment", {})),
        origin=tuple(sorted((k, str(v)) for k, v in doc.get("origin", {}).items())),
        digest=digest,
        version_source=source_of(("model", "version")),
        name_source=source_of(("model", "name")),
        run_name=doc.get("run_name"),
        parent_run_id=doc.get("parent_run_id"),
        tags=tuple(sorted(doc.get("tags", {}).items())),
        curves=tuple(
            _curve(c, source_of(("curves", i))) for i, c in enumerate(doc.get("curves", []))
        ),
        signature_inputs=_columns(doc["model"].get("signature", {}).get("inputs", [])),
        signature_outputs=_columns(doc["model"].get("signature", {}).get("outputs", [])),
    )


def _curve(doc: dict[str, Any], source: Source) -> Curve:
    values = tuple(float(v) for v in doc["values"])
    return Curve(doc["key"], tuple(doc["steps"]), values, source, doc.get("dataset"))


def _columns(docs: list[dict[str, Any]]) -> tuple[tuple[str | None, str], ...]:
    return tuple((d.get("name"), d["type"]) for d in docs)


def _dataset(doc: dict[str, Any], source: Source) -> Dataset:
    columns = tuple((c["name"], c.get("type"), c.get("description")) for c in doc.get("schema", []))
    return Dataset(
        id=doc["id"],
        role=doc["role"],
        uri=doc["uri"],
        sha256=doc.get("sha256", ""),  # absent: not hashed where the record was written
        source=source,
        name=doc.get("name"),
        rows=doc.get("rows"),
        size_bytes=doc.get("size_bytes"),
        description=doc.get("description"),
        other_digests=tuple(sorted(doc.get("other_digests", {}).items())),
        columns=columns,
        derived_from=tuple(doc.get("derived_from", [])),
        source_type=doc.get("source_type"),
    )


def _metric(doc: dict[str, Any], source: Source) -> Metric:
    ci = doc.get("ci")
    interval = None
    if ci is not None:
        interval = Interval(ci["lower"], ci["upper"], ci.get("level"), ci.get("method"))
    return Metric(
        key=doc["key"],
        value=float(doc["value"]),
        dataset=doc["dataset"],
        source=source,
        slice=tuple(sorted((str(k), str(v)) for k, v in doc.get("slice", {}).items())),
        ci=interval,
        threshold=doc.get("threshold"),
        step=doc.get("step"),
        description=doc.get("description"),
    )


def _predictions(doc: dict[str, Any], source_of: SourceOf) -> Predictions:
    columns = doc["columns"]
    return Predictions(
        uri=doc["uri"],
        dataset=doc["dataset"],
        y_true=columns["y_true"],
        y_pred=columns["y_pred"],
        y_score=columns.get("y_score"),
        id_column=columns.get("id"),
        sensitive=tuple(columns.get("sensitive", [])),
        sha256=doc.get("sha256"),
        positive_label=doc.get("positive_label", 1),
        y_score_by_class=tuple(columns.get("y_score_by_class", {}).items()),
        weight=columns.get("weight"),
        threshold=doc.get("threshold"),
        source=source_of(("predictions",)),
    )


def _artifact(doc: dict[str, Any]) -> Artifact:
    return Artifact(doc["uri"], doc.get("kind"), doc.get("sha256"), doc.get("size_bytes"))


def _environment(doc: dict[str, Any]) -> Environment:
    packages = tuple(sorted(doc.get("packages", {}).items()))
    return Environment(python=doc.get("python"), platform=doc.get("platform"), packages=packages)
