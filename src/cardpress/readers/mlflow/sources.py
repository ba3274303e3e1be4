"""What an MLflow dataset source is: its type, the location it names, and a local file if any.

``mlflow.data`` stores a dataset's source as a type (``local``, ``s3``, ``http``, ``code``,
``delta_table``, ``spark``, ``hugging_face``, …) and a JSON object whose keys depend on the type.
Every type becomes a location quoted from that object; only a ``local`` file (or a path with no
type) named by an absolute path that exists on this machine can be hashed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from urllib.parse import quote, unquote, urlsplit

from cardpress.readers.files import sha256_of
from cardpress.readers.mlflow.store import StoreDataset

_MAX_TEXT = 300
# The keys naming a location, in the order they are looked up, for source types not listed below.
_LOCATION_KEYS = ("uri", "url", "path", "delta_table_name", "table_name", "dataset_id", "sql")


@dataclass(frozen=True)
class LocalFile:
    """A file this machine can read, with its content hash."""

    path: Path
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class Located:
    """A dataset source: its type, the location it names (as MLflow has it), and the file here."""

    source_type: str
    uri: str
    file: LocalFile | None
    local_path: Path | None = None  # a local path the source names, whether or not it exists
    relative: bool = False  # a relative local path: relative to a folder MLflow did not record
    code: str | None = None  # data made in code: the script or notebook MLflow recorded


def locate_source(dataset: StoreDataset, run_id: str) -> Located:
    """Where ``dataset`` came from, quoted from the store; never made up."""
    kind = dataset.source_type or "unknown"
    try:
        source = json.loads(dataset.source)
    except ValueError:
        source = None
    if not isinstance(source, dict):
        return Located(kind, _short(dataset.source) or f"runs:/{run_id}", None)
    if kind == "code":
        return Located(kind, made_in_code(dataset, run_id), None, code=_script(source))
    uri = _location(kind, source, run_id)
    path = _local_path(uri) if kind in ("local", "unknown", "") else None
    if kind == "local" and path is None:
        path = Path(uri)
    if path is not None and not _absolute(path):
        # relative to the training script's working folder, which the store does not hold: a
        # file of that name where the import runs is not the run's data, so it is never read
        return Located(kind, uri, None, None, relative=True)
    if path is None or not path.is_file():
        return Located(kind, uri, None, path)
    path = path.resolve()
    return Located(kind, uri, LocalFile(path, sha256_of(path), path.stat().st_size), path)


def made_in_code(dataset: StoreDataset, run_id: str) -> str:
    """The URI of data made in code: the run that logged it, its name and MLflow's digest.

    MLflow's ``code`` source names the script that ran, not the data: two models trained by one
    script would share one data set. Such data has no location but the run's own input.
    """
    return f"runs:/{run_id}#dataset={quote(dataset.name, safe='')}&digest={dataset.digest}"


def _script(source: dict[str, object]) -> str | None:
    """The script or notebook a ``code`` source names (``mlflow.source.name``), if any."""
    tags = source.get("tags")
    name = tags.get("mlflow.source.name") if isinstance(tags, dict) else None
    return _short(str(name)) if name else None


def _location(kind: str, source: dict[str, object], run_id: str) -> str:
    if kind == "delta_table" and source.get("delta_table_name"):
        version = source.get("delta_table_version")
        name = str(source["delta_table_name"])
        return f"{name}@v{version}" if version is not None else name
    if kind == "hugging_face" and source.get("path"):
        split = source.get("split")
        path = str(source["path"])
        return f"{path} (split {split})" if split and split != "None" else path
    for key in _LOCATION_KEYS:
        value = source.get(key)
        if isinstance(value, str) and value:
            return _short(value)
    return _short(json.dumps(source, sort_keys=True)) or f"runs:/{run_id}"


def _local_path(uri: str) -> Path | None:
    """The path a ``file:`` URI or a plain path names; None for other schemes."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme == "" or (len(parts.scheme) == 1 and uri[1:3] in (":\\", ":/")):
        return Path(uri)
    return None


def _absolute(path: Path) -> bool:
    """Absolute here or on Windows (a store written there, ``C:/data/x.csv``)."""
    return path.is_absolute() or PureWindowsPath(path).is_absolute()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"
