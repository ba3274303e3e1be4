"""Map one registered MLflow model version and its run to a ``cardpress/run/1`` record.

Pure: everything read from the store or from files arrives as arguments. Problems that stop the
import are collected (all of them, not just the first); things left out are warnings.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cardpress.compute.mlflow.datasets import dataset_ids, datasets_records, default_dataset
from cardpress.compute.mlflow.model import environment_of, model_fields
from cardpress.compute.mlflow.predictions import Prediction, predictions_record
from cardpress.readers.mlflow.models import ModelFiles
from cardpress.readers.mlflow.sources import Located
from cardpress.readers.mlflow.store import StoreMetric, StoreVersion

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MAX_CURVE_POINTS = 1000
_STATUSES = ("FINISHED", "FAILED", "KILLED", "RUNNING")
_CODE_TAGS = {
    "commit": "mlflow.source.git.commit",
    "repo_url": "mlflow.source.git.repoURL",
    "branch": "mlflow.source.git.branch",
    "path": "mlflow.source.name",
}
# Tags MLflow and cardpress set for themselves: read into their own fields, not run tags.
_SYSTEM_TAG_PREFIXES = ("mlflow.", "cardpress.")


@dataclass
class Mapped:
    """A run record, and what stopped or was left out of it."""

    document: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def map_version(
    version: StoreVersion,
    sources: list[Located],
    uris: list[str],
    prediction: Prediction | None,
    model: ModelFiles,
    origin: dict[str, str],
) -> Mapped:
    """The record of ``version``.

    ``sources[i]`` is where the run's i-th dataset input came from (with its local file, if
    this machine has it) and ``uris[i]`` its location as written in the record; ``model`` holds
    the registered model's ``MLmodel`` and environment files.
    """
    run = version.run
    where = f"{version.model} version {version.version} (run {run.run_id})"
    out = Mapped({"schema": "cardpress/run/1", "run_id": run.run_id})
    doc = out.document
    if not NAME.match(version.model):
        fix = "register the model under a name of letters, digits, '.', '_' and '-'"
        out.problems.append(
            f"{where}: model name {version.model!r} cannot be a URL segment — {fix}"
        )
    if run.deleted:
        out.warnings.append(
            f"{where}: the run is deleted in MLflow (in its trash); imported from what the store "
            "still holds — restore the run or delete the version"
        )
    if run.name:
        doc["run_name"] = run.name
    if run.tags.get("mlflow.parentRunId"):
        doc["parent_run_id"] = run.tags["mlflow.parentRunId"]
    doc["model"] = {"name": version.model, "version": version.version}
    doc["model"].update(model_fields(model.mlmodel, run.tags))
    if run.tags.get("mlflow.note.content"):
        doc["description"] = run.tags["mlflow.note.content"]
    doc["started_at"] = iso(run.start_time_ms)
    if run.end_time_ms is not None and run.end_time_ms >= run.start_time_ms:
        doc["ended_at"] = iso(run.end_time_ms)
    doc["status"] = run.status if run.status in _STATUSES else "RUNNING"
    if run.tags.get("mlflow.user"):
        doc["user"] = run.tags["mlflow.user"]
    tags = {k: v for k, v in sorted(run.tags.items()) if not k.startswith(_SYSTEM_TAG_PREFIXES)}
    if tags:
        doc["tags"] = tags
    code = _code(run.tags)
    if code:
        doc["code"] = code
    if run.params:
        doc["params"] = dict(sorted(run.params.items()))
    _data_and_results(version, sources, uris, prediction, where, out)
    if model.uri:
        doc["artifacts"] = [{"uri": model.uri, "kind": "model"}]
    packages = environment_of(model.environment)
    if packages:
        doc["environment"] = packages
    doc["origin"] = origin
    return out


def _code(tags: dict[str, str]) -> dict[str, str | bool]:
    code: dict[str, str | bool] = {
        key: tags[tag] for key, tag in _CODE_TAGS.items() if tags.get(tag)
    }
    if tags.get("mlflow.source.git.dirty") in ("true", "false"):
        code["dirty"] = tags["mlflow.source.git.dirty"] == "true"
    return code


def _data_and_results(
    version: StoreVersion,
    sources: list[Located],
    uris: list[str],
    prediction: Prediction | None,
    where: str,
    out: Mapped,
) -> None:
    """``datasets``, ``metrics``, ``curves`` and ``predictions`` of the record."""
    run, doc = version.run, out.document
    if not run.datasets:
        fix = "log the data with mlflow.log_input(mlflow.data.from_pandas(df, source=PATH))"
        out.problems.append(
            f"{where}: the run logged no dataset inputs; a record needs one — {fix}"
        )
    ids = dataset_ids(run.datasets)
    links = {m.key: _link(m, version) for m in run.metrics}
    measured = {link for link in links.values() if link[0]}
    doc["datasets"], unhashed = datasets_records(run.datasets, ids, sources, uris, measured, where)
    out.warnings += unhashed
    default = default_dataset(doc["datasets"])
    by_input = {(d.name, d.digest): i for d, i in zip(run.datasets, ids, strict=True)}
    finals = [m for m in run.metrics if not m.is_curve]
    if not run.metrics:
        out.warnings.append(f"{where}: the run logged no metrics; its card will show no results")
    doc["metrics"] = _metrics(finals, links, by_input, default, where, out.warnings)
    found = [_curve(m, links, by_input, where, out.warnings) for m in run.metrics if m.is_curve]
    curves = [c for c in found if c is not None]
    if curves:
        doc["curves"] = curves
    if prediction is not None:
        outcome = predictions_record(version, ids, default, prediction, where)
        out.problems += outcome.problems
        out.warnings += outcome.warnings
        if outcome.record is not None:
            doc["predictions"] = outcome.record


def iso(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC, e.g. ``2026-05-01T12:00:00.123Z``."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    text = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return text.replace(".000Z", "Z")


def _link(metric: StoreMetric, version: StoreVersion) -> tuple[str, str]:
    """The (name, digest) of the dataset a metric was measured on, if MLflow linked one."""
    if metric.dataset_name:
        return metric.dataset_name, metric.dataset_digest or ""
    return version.metric_datasets.get(metric.key, ("", ""))


def _metrics(
    metrics: list[StoreMetric],
    links: dict[str, tuple[str, str]],
    by_input: dict[tuple[str, str], str],
    default: str,
    where: str,
    warnings: list[str],
) -> list[dict[str, Any]]:
    """Final results: metrics logged at one step (MLflow's latest value at it)."""
    found = []
    for metric in metrics:
        if not math.isfinite(metric.value):
            warnings.append(
                f"{where}: metric {metric.key!r} is {metric.value}; left out (a record holds "
                "finite numbers only)"
            )
            continue
        dataset = by_input.get(links[metric.key], default)
        found.append(
            {"key": metric.key, "value": metric.value, "dataset": dataset,
             "step": metric.step, "timestamp": iso(metric.timestamp_ms)}
        )  # fmt: skip
    return found


def _curve(
    metric: StoreMetric,
    links: dict[str, tuple[str, str]],
    by_input: dict[tuple[str, str], str],
    where: str,
    warnings: list[str],
) -> dict[str, Any] | None:
    """A metric logged at several steps: every finite step, thinned evenly past a limit."""
    points = [(s, v) for s, v in metric.history if math.isfinite(v)]
    if len(points) < len(metric.history):
        warnings.append(f"{where}: curve {metric.key!r}: {len(metric.history) - len(points)} "
                        "step(s) with NaN or infinite values left out")  # fmt: skip
    if len(points) < 2:
        return None
    if len(points) > MAX_CURVE_POINTS:
        warnings.append(f"{where}: curve {metric.key!r} has {len(points):,} steps; "
                        f"{MAX_CURVE_POINTS:,} evenly spaced ones, first and last included, "
                        "are kept")  # fmt: skip
        last = len(points) - 1
        keep = sorted({round(i * last / (MAX_CURVE_POINTS - 1)) for i in range(MAX_CURVE_POINTS)})
        points = [points[i] for i in keep]
    curve: dict[str, Any] = {"key": metric.key}
    dataset = by_input.get(links[metric.key])
    if dataset:
        curve["dataset"] = dataset
    curve["steps"] = [s for s, _ in points]
    curve["values"] = [v for _, v in points]
    return curve
