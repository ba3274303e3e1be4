"""Map one registered MLflow model version and its run to a ``cardpress/run/1`` record.

Pure: everything read from the store or from files arrives as arguments. Problems that stop the
import are collected (all of them, not just the first); things left out are warnings.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import yaml

from cardpress.readers.mlflow.sources import Located
from cardpress.readers.mlflow.store import StoreDataset, StoreVersion

PREDICTIONS_TAG = "cardpress.predictions"
COLUMNS_TAG = "cardpress.predictions.columns"
DATASET_TAG = "cardpress.predictions.dataset"
POSITIVE_TAG = "cardpress.predictions.positive_label"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_ROLES = {
    "train": "train", "training": "train",
    "validation": "validation", "valid": "validation", "val": "validation",
    "evaluation": "evaluation", "eval": "evaluation",
    "test": "test", "testing": "test",
    "reference": "reference",
}  # fmt: skip
_GUESSES = {
    "y_true": ("y_true", "label", "target", "true", "actual"),
    "y_pred": ("y_pred", "pred", "prediction", "predicted"),
    "y_score": ("y_score", "score", "proba", "probability"),
    "id": ("id", "row_id"),
}
_CODE_TAGS = {
    "commit": "mlflow.source.git.commit",
    "repo_url": "mlflow.source.git.repoURL",
    "branch": "mlflow.source.git.branch",
    "path": "mlflow.source.name",
}


@dataclass(frozen=True)
class Prediction:
    """The predictions file as copied into the records folder."""

    uri: str
    sha256: str
    columns: list[str]


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
    environment: dict[str, str],
    origin: dict[str, str],
) -> Mapped:
    """The record of ``version``.

    ``sources[i]`` is where the run's i-th dataset input came from (with its local file, if
    this machine has it) and ``uris[i]`` its location as written in the record.
    """
    run = version.run
    where = f"{version.model} version {version.version} (run {run.run_id})"
    out = Mapped({"schema": "cardpress/run/1", "run_id": run.run_id})
    if not NAME.match(version.model):
        fix = "register the model under a name of letters, digits, '.', '_' and '-'"
        out.problems.append(
            f"{where}: model name {version.model!r} cannot be a URL segment — {fix}"
        )
    out.document["model"] = {"name": version.model, "version": version.version}
    if run.tags.get("mlflow.note.content"):
        out.document["description"] = run.tags["mlflow.note.content"]
    out.document["started_at"] = iso(run.start_time_ms)
    if run.end_time_ms is not None and run.end_time_ms >= run.start_time_ms:
        out.document["ended_at"] = iso(run.end_time_ms)
    out.document["status"] = run.status if run.status in _STATUSES else "RUNNING"
    if run.tags.get("mlflow.user"):
        out.document["user"] = run.tags["mlflow.user"]
    code: dict[str, str | bool] = {
        key: run.tags[tag] for key, tag in _CODE_TAGS.items() if run.tags.get(tag)
    }
    if run.tags.get("mlflow.source.git.dirty") in ("true", "false"):
        code["dirty"] = run.tags["mlflow.source.git.dirty"] == "true"
    if code:
        out.document["code"] = code
    if run.params:
        out.document["params"] = dict(sorted(run.params.items()))
    ids = dataset_ids(run.datasets)
    out.document["datasets"] = _datasets(run.datasets, ids, sources, uris, where, out)
    default = _default_dataset(out.document["datasets"])
    out.document["metrics"] = _metrics(version, ids, default, where, out.warnings)
    if prediction is not None:
        out.document["predictions"] = _predictions(version, ids, default, prediction, where, out)
    packages = environment_of(environment)
    if packages:
        out.document["environment"] = packages
    out.document["origin"] = origin
    return out


_STATUSES = ("FINISHED", "FAILED", "KILLED", "RUNNING")


def iso(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC, e.g. ``2026-05-01T12:00:00.123Z``."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    text = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return text.replace(".000Z", "Z")


def dataset_ids(datasets: list[StoreDataset]) -> list[str]:
    """An id per dataset input: its name with other characters as ``-``, made unique."""
    ids: list[str] = []
    for dataset in datasets:
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", dataset.name).lstrip("._-")[:120] or "dataset"
        candidate, number = base, 2
        while candidate in ids:
            candidate, number = f"{base}-{number}", number + 1
        ids.append(candidate)
    return ids


def _datasets(
    datasets: list[StoreDataset],
    ids: list[str],
    sources: list[Located],
    uris: list[str],
    where: str,
    out: Mapped,
) -> list[dict[str, Any]]:
    if not datasets:
        fix = "log the data with mlflow.log_input(mlflow.data.from_pandas(df, source=PATH))"
        out.problems.append(
            f"{where}: the run logged no dataset inputs; a record needs one — {fix}"
        )
    records = []
    for dataset, id_, source, uri in zip(datasets, ids, sources, uris, strict=True):
        record: dict[str, Any] = {"id": id_, "name": dataset.name}
        record["role"] = _ROLES.get((dataset.context or "").lower(), "other")
        record["uri"] = uri
        record["source_type"] = source.source_type
        if source.file is None:
            out.warnings.append(_unhashed(where, dataset, source))
        else:
            record["sha256"] = source.file.sha256
            record["size_bytes"] = source.file.size_bytes
        record["other_digests"] = {"mlflow": dataset.digest}
        record.update(_profile(dataset))
        records.append(record)
    return records


def _unhashed(where: str, dataset: StoreDataset, source: Located) -> str:
    """The warning for a dataset whose content hash cannot be computed here."""
    quoted = f"{dataset.name!r} (source {source.source_type} {source.uri})"
    if source.local_path is not None:
        why = f"no such file {str(source.local_path)!r} on this machine"
    elif source.source_type == "code":
        why = "made in the training code, not read from a file"
    else:
        why = "not a file on this machine"
    return (
        f"{where}: dataset {quoted}: {why}, so its content hash is not reachable here and is "
        f"left out (MLflow's digest {dataset.digest} is kept; it is not a content hash)"
    )


def _profile(dataset: StoreDataset) -> dict[str, Any]:
    """Rows and columns from the dataset's profile and schema, as ``mlflow.data`` logged them."""
    extra: dict[str, Any] = {}
    rows = _rows(_json(dataset.profile))
    if rows is not None:
        extra["rows"] = rows
    schema = _json(dataset.schema)
    columns = schema.get("mlflow_colspec") if isinstance(schema, dict) else None
    if isinstance(columns, list):
        extra["schema"] = [
            {"name": str(c["name"]), "type": str(c.get("type", ""))}
            for c in columns
            if isinstance(c, dict) and "name" in c
        ]
    tensors = schema.get("mlflow_tensorspec") if isinstance(schema, dict) else None
    if isinstance(tensors, dict):  # a NumPy dataset: features and targets as tensors
        extra["schema"] = [
            {"name": name, "type": _tensor_type(_json(spec))}
            for name, spec in tensors.items()
            if isinstance(spec, str)
        ]
    return extra


def _rows(profile: Any) -> int | None:
    """``num_rows`` (pandas, polars, Hugging Face), ``approx_count`` (Spark) or NumPy's shape."""
    if not isinstance(profile, dict):
        return None
    for key in ("num_rows", "approx_count"):
        if isinstance(profile.get(key), int) and profile[key] >= 0:
            return int(profile[key])
    shape = profile.get("features_shape")
    if isinstance(shape, list) and shape and isinstance(shape[0], int) and shape[0] >= 0:
        return int(shape[0])
    return None


def _tensor_type(spec: Any) -> str:
    """``tensor float64 [-1, 3]`` from a tensor spec list; ``tensor`` when it says no more."""
    first = spec[0] if isinstance(spec, list) and spec else {}
    tensor = first.get("tensor-spec") if isinstance(first, dict) else None
    if not isinstance(tensor, dict):
        return "tensor"
    return f"tensor {tensor.get('dtype', '')} {tensor.get('shape', '')}".replace("  ", " ").strip()


def _default_dataset(datasets: list[dict[str, Any]]) -> str:
    """The data set metrics are measured on: the first evaluation, test or validation one."""
    for role in ("evaluation", "test", "validation"):
        for dataset in datasets:
            if dataset["role"] == role:
                return str(dataset["id"])
    return str(datasets[0]["id"]) if datasets else "dataset"


def _metrics(
    version: StoreVersion, ids: list[str], default: str, where: str, warnings: list[str]
) -> list[dict[str, Any]]:
    by_input = {(d.name, d.digest): i for d, i in zip(version.run.datasets, ids, strict=True)}
    metrics = []
    for metric in version.run.metrics:
        if not math.isfinite(metric.value):
            warnings.append(
                f"{where}: metric {metric.key!r} is {metric.value}; left out (a record holds "
                "finite numbers only)"
            )
            continue
        dataset = by_input.get((metric.dataset_name or "", metric.dataset_digest or ""), default)
        metrics.append(
            {"key": metric.key, "value": metric.value, "dataset": dataset,
             "step": metric.step, "timestamp": iso(metric.timestamp_ms)}
        )  # fmt: skip
    return metrics


def _predictions(
    version: StoreVersion,
    ids: list[str],
    default: str,
    prediction: Prediction,
    where: str,
    out: Mapped,
) -> dict[str, Any]:
    tags = version.run.tags
    record: dict[str, Any] = {"uri": prediction.uri, "sha256": prediction.sha256}
    record["dataset"] = default
    wanted = tags.get(DATASET_TAG)
    if wanted:
        names = {d.name: i for d, i in zip(version.run.datasets, ids, strict=True)}
        if wanted in names or wanted in ids:
            record["dataset"] = names.get(wanted, wanted)
        else:
            known = ", ".join(d.name for d in version.run.datasets)
            out.problems.append(
                f"{where}: tag {DATASET_TAG}={wanted!r} names no dataset input of the run — "
                f"use one of: {known}"
            )
    if POSITIVE_TAG in tags:
        label = _json(tags[POSITIVE_TAG])
        record["positive_label"] = (
            label if isinstance(label, str | int | bool) else tags[POSITIVE_TAG]
        )
    record["columns"] = _columns(tags.get(COLUMNS_TAG), prediction.columns, where, out.problems)
    return record


def _columns(
    tag: str | None, present: list[str], where: str, problems: list[str]
) -> dict[str, Any]:
    if tag is not None:
        given = _json(tag)
        if isinstance(given, dict):
            return given
        problems.append(
            f"{where}: tag {COLUMNS_TAG} is not a JSON object — write e.g. "
            '{"y_true": "label", "y_pred": "pred", "sensitive": ["sex"]}'
        )
        return {}
    lower = {name.lower(): name for name in present}
    columns: dict[str, Any] = {}
    for role, guesses in _GUESSES.items():
        found = next((lower[g] for g in guesses if g in lower), None)
        if found is not None:
            columns[role] = found
    if "y_true" not in columns or "y_pred" not in columns:
        problems.append(
            f"{where}: cannot tell the true-label and predicted-label columns of the predictions "
            f"(columns: {', '.join(present)}) — set the run tag {COLUMNS_TAG} to e.g. "
            '{"y_true": "label", "y_pred": "pred"}'
        )
    return columns


def environment_of(files: dict[str, str]) -> dict[str, Any]:
    """Python version and pinned packages from python_env.yaml, conda.yaml, requirements.txt."""
    python: str | None = None
    requirements: list[str] = []
    python_env = _yaml(files.get("python_env.yaml"))
    if isinstance(python_env, dict):
        python = str(python_env["python"]) if python_env.get("python") else None
        requirements += [str(d) for d in python_env.get("dependencies") or []]
    conda = _yaml(files.get("conda.yaml"))
    for item in conda.get("dependencies") or [] if isinstance(conda, dict) else []:
        if isinstance(item, str) and item.startswith("python="):
            python = python or item.removeprefix("python=")
        elif isinstance(item, dict):
            requirements += [str(p) for p in item.get("pip") or []]
    requirements += (files.get("requirements.txt") or "").splitlines()
    packages: dict[str, str] = {}
    for line in requirements:
        name, sep, pinned = line.split("#", 1)[0].strip().partition("==")
        if sep and name and pinned:
            packages.setdefault(name.strip(), pinned.split(";", 1)[0].strip())
    environment: dict[str, Any] = {}
    if python:
        environment["python"] = python
    if packages:
        environment["packages"] = dict(sorted(packages.items()))
    return environment


def predictions_name(version: StoreVersion, artifact: str) -> str:
    """Where the predictions go in the records folder: ``predictions/<model>-<version>.<ext>``."""
    suffix = PurePosixPath(artifact).suffix.lower()
    return f"predictions/{version.model}-{version.version}{suffix}"


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _yaml(text: str | None) -> Any:
    if not text:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None
