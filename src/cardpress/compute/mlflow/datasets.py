"""The record's ``datasets[]`` from a run's MLflow dataset inputs.

Every input becomes a data set, whatever its source: its name, MLflow's digest, the source type
and the location quoted from the store, rows and columns from the profile and schema
``mlflow.data`` logged, and the content hash when the source is a file on this machine (a
warning, never an error, when it is not).
"""

from __future__ import annotations

import json
import re
from typing import Any

from cardpress.readers.mlflow.sources import Located
from cardpress.readers.mlflow.store import StoreDataset

_ROLES = {
    "train": "train", "training": "train",
    "validation": "validation", "valid": "validation", "val": "validation",
    "evaluation": "evaluation", "eval": "evaluation",
    "test": "test", "testing": "test",
    "reference": "reference",
}  # fmt: skip


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


def datasets_records(
    datasets: list[StoreDataset],
    ids: list[str],
    sources: list[Located],
    uris: list[str],
    measured: set[tuple[str, str]],
    where: str,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The data sets and a warning per data set whose content hash is not reachable here.

    ``measured`` holds the (name, digest) of inputs MLflow logged metrics against: one with no
    context tag is the data ``mlflow.evaluate`` measured, so an evaluation data set.
    """
    records, warnings = [], []
    for dataset, id_, source, uri in zip(datasets, ids, sources, uris, strict=True):
        record: dict[str, Any] = {"id": id_, "name": dataset.name}
        record["role"] = _role(dataset, measured)
        record["uri"] = uri
        record["source_type"] = source.source_type
        if source.file is None:
            warnings.append(_unhashed(where, dataset, source))
        else:
            record["sha256"] = source.file.sha256
            record["size_bytes"] = source.file.size_bytes
        record["other_digests"] = {"mlflow": dataset.digest}
        record.update(_profile(dataset))
        records.append(record)
    return records, warnings


def _role(dataset: StoreDataset, measured: set[tuple[str, str]]) -> str:
    if dataset.context:
        return _ROLES.get(dataset.context.lower(), "other")
    return "evaluation" if (dataset.name, dataset.digest) in measured else "other"


def _unhashed(where: str, dataset: StoreDataset, source: Located) -> str:
    """The warning for a dataset whose content hash cannot be computed here."""
    quoted = f"{dataset.name!r} (source {source.source_type} {source.code or source.uri})"
    if source.relative:
        return (
            f"{where}: dataset {quoted}: relative source {source.uri!r}, and MLflow does not "
            "record the folder it is relative to, so the file cannot be placed and its content "
            f"hash is left out (MLflow's digest {dataset.digest} is kept; it is not a content "
            "hash); log an absolute path: mlflow.data.from_pandas(df, source=os.path.abspath(PATH))"
        )
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
    rows = _rows(parse_json(dataset.profile))
    if rows is not None:
        extra["rows"] = rows
    schema = parse_json(dataset.schema)
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
            {"name": name, "type": _tensor_type(parse_json(spec))}
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


def default_dataset(datasets: list[dict[str, Any]]) -> str:
    """The data set metrics are measured on: the first evaluation, test or validation one."""
    for role in ("evaluation", "test", "validation"):
        for dataset in datasets:
            if dataset["role"] == role:
                return str(dataset["id"])
    return str(datasets[0]["id"]) if datasets else "dataset"


def parse_json(text: str | None) -> Any:
    """A tag's JSON value, or None when the tag is empty or not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
