"""Build the ``datasets[]``, ``metrics[]`` and ``predictions`` entries of a run record."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cardpress.errors import ArgumentError
from cardpress.readers.files import inside, relative
from cardpress.readers.tables import FORMATS, TableError, column_names
from cardpress.recorder import arguments as a
from cardpress.recorder.hashing import (
    file_rows,
    file_sha256,
    frame_columns,
    frame_sha256,
    is_frame,
)
from cardpress.recorder.writing import Staged, staging_path

PathLike = str | Path


def dataset_entry(
    root: Path,
    id: str,
    data: Any,
    *,
    role: str,
    source: str | None,
    name: str | None,
    description: str | None,
    rows: int | None,
    columns: Iterable[Mapping[str, str]] | None,
    derived_from: Iterable[str] | None,
    other_digests: Mapping[str, str] | None,
) -> dict[str, Any]:
    """One ``datasets[]`` entry; hashes the file or DataFrame given as ``data``."""
    what = f"dataset {id!r}"
    entry: dict[str, Any] = {"id": a.check_name("dataset id", id)}
    if name is not None:
        entry["name"] = str(name)
    entry["role"] = a.check_role(f"{what}: role", role)
    if is_frame(data):
        if source is None:
            raise ArgumentError(
                f"{what}: a DataFrame has no location — pass source= with where it came from "
                "(a URI, or a path relative to the records folder)"
            )
        entry["uri"] = str(source)
        entry["sha256"] = frame_sha256(data)
        counted: int | None = len(data)
        columns = frame_columns(data) if columns is None else columns
        size = None
    elif isinstance(data, str | Path):
        path = Path(data)
        if not path.is_file():
            raise ArgumentError(f"{what}: {str(data)!r} is not a file — give the path of the "
                                "data file, or a pandas DataFrame")  # fmt: skip
        entry["uri"] = str(source) if source is not None else _uri(root, path)
        entry["sha256"] = file_sha256(path)
        counted = file_rows(path) if rows is None else None
        size = path.stat().st_size
    else:
        raise ArgumentError(f"{what}: {type(data).__name__} is neither a file path nor a pandas "
                            "DataFrame — pass one of those")  # fmt: skip
    if other_digests:
        entry["other_digests"] = {str(k): str(v) for k, v in other_digests.items()}
    if rows is not None:
        if isinstance(rows, bool) or not isinstance(a.plain(rows), int) or rows < 0:
            raise ArgumentError(f"{what}: rows={rows!r} is not a whole number ≥ 0 — pass the "
                                "row count, or leave rows out to count them")  # fmt: skip
        counted = int(rows)
    if counted is not None:
        entry["rows"] = counted
    if size is not None:
        entry["size_bytes"] = size
    if description is not None:
        entry["description"] = str(description)
    if columns is not None:
        entry["schema"] = [dict(column) for column in columns]
    if derived_from is not None:
        if isinstance(derived_from, str):
            derived_from = [derived_from]
        entry["derived_from"] = [str(upstream) for upstream in derived_from]
    return entry


def _uri(root: Path, path: Path) -> str:
    """The path relative to the records folder when inside it, else a ``file://`` URI."""
    within = inside(root, str(path.resolve()))
    return relative(root.resolve(), within) if within is not None else path.resolve().as_uri()


def metric_entry(
    key: str,
    value: Any,
    *,
    dataset: str,
    slice: Mapping[str, Any] | None,
    ci: Any,
    threshold: Any,
    step: int | None,
    timestamp: str,
    description: str | None,
) -> dict[str, Any]:
    """One ``metrics[]`` entry, in the field order of the example records."""
    key = a.check_key("metric key", key)
    what = f"metric {key!r}"
    entry: dict[str, Any] = {"key": key, "value": a.check_number(f"{what}: value", value)}
    if ci is not None:
        entry["ci"] = a.check_ci(f"{what}: ci", ci)
    if threshold is not None:
        entry["threshold"] = a.check_number(f"{what}: threshold", threshold)
    if slice:
        entry["slice"] = a.check_slice(f"{what}: slice", slice)
    if not isinstance(dataset, str):
        raise ArgumentError(f"{what}: dataset={dataset!r} — pass the id of a logged data set")
    entry["dataset"] = dataset
    if step is not None:
        step = a.plain(step)
        if isinstance(step, bool) or not isinstance(step, int):
            raise ArgumentError(f"{what}: step={step!r} is not a whole number — pass the "
                                "training step, or leave it out")  # fmt: skip
        entry["step"] = step
    entry["timestamp"] = timestamp
    if description is not None:
        entry["description"] = str(description)
    return entry


def stage_predictions(root: Path, data: Any, final: Path) -> tuple[str, Staged | None]:
    """The records-relative uri of the predictions, and the staged copy if one was written.

    A DataFrame is written as Parquet (pyarrow, no index, zstd); a file inside the records
    folder is referred to where it is; a file outside it is copied to ``final`` (keeping its
    extension).
    """
    if is_frame(data):
        temporary = staging_path(final)
        try:
            data.to_parquet(temporary, index=False, compression="zstd")
        except Exception:
            temporary.unlink(missing_ok=True)
            raise
        return relative(root, final), Staged(temporary, final, file_sha256(temporary))
    if not isinstance(data, str | Path) or not Path(data).is_file():
        raise ArgumentError(f"predictions: {data!r} is neither a DataFrame nor a file — pass "
                            "one of those")  # fmt: skip
    path = Path(data)
    if path.suffix.lower() not in FORMATS:
        raise ArgumentError(f"predictions: {path.name!r} has an unsupported extension — write "
                            f"it as {', '.join(FORMATS)}")  # fmt: skip
    within = inside(root, str(path.resolve()))
    if within is not None:
        return relative(root.resolve(), within), None
    final = final.with_suffix(path.suffix.lower())
    temporary = staging_path(final)
    shutil.copyfile(path, temporary)
    return relative(root, final), Staged(temporary, final, file_sha256(temporary))


def check_columns(file: Path, wanted: Mapping[str, Any]) -> None:
    """Each named column exists in the predictions file, else an error listing those present."""
    try:
        present = column_names(file)
    except TableError as error:
        raise ArgumentError(f"predictions: the file {error} — write it again") from None
    for role, column in wanted.items():
        names = column.values() if isinstance(column, dict) else column
        for name in names if isinstance(column, list | dict) else [column]:
            if name not in present:
                raise ArgumentError(
                    f"predictions: {role}={name!r} is not a column — use one of "
                    f"{', '.join(map(repr, present))}"
                )


def artifact_entry(root: Path, path: PathLike, kind: str | None) -> dict[str, Any]:
    """One ``artifacts[]`` entry: where the file is, what it is, its sha256 and size."""
    file = Path(path)
    if not file.is_file():
        raise ArgumentError(f"artifact: {str(path)!r} is not a file — write it first")
    entry: dict[str, Any] = {"uri": _uri(root, file)}
    if kind is not None:
        entry["kind"] = str(kind)
    return entry | {"sha256": file_sha256(file), "size_bytes": file.stat().st_size}


def check_references(document: dict[str, Any]) -> None:
    """At least one data set, and every metric and the predictions name a logged one."""
    if not document["datasets"]:
        raise ArgumentError("datasets: none logged — call run.dataset(id, path_or_frame, "
                            "role=...) for each data set the run read")  # fmt: skip
    known = {d["id"] for d in document["datasets"]}
    used = [(f"metric {m['key']!r}", m["dataset"]) for m in document["metrics"]]
    if "predictions" in document:
        used.append(("predictions", document["predictions"]["dataset"]))
    for what, dataset in used:
        if dataset not in known:
            raise ArgumentError(
                f"{what}: dataset={dataset!r} was not logged — use one of "
                f"{', '.join(map(repr, sorted(known)))}, or log it with run.dataset()"
            )
