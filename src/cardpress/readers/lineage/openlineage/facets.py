"""The OpenLineage facets cardpress shows; every other facet is ignored.

Dataset: ``schema``, ``version``, ``dataSource``, ``columnLineage`` (with transformation types
and descriptions), ``symlinks`` (other names of the same data set), ``dataQualityMetrics`` and
``outputStatistics``. Job: ``sql``,
``sourceCodeLocation``, ``documentation``. Run: ``executionParameters``. A facet of an
unexpected shape is treated as absent; a malformed ``symlinks`` facet also gives a warning,
since a name left out of it splits a data set in two.

A data set whose namespace (or ``dataSource`` URI) is not a file system or object store
(``postgres://``, ``bigquery``, ``warehouse://``) is a table: it has no file content to hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cardpress.model import Source
from cardpress.model_lineage import OPENLINEAGE, ColumnLink, DataRef, Symlink

Locate = Callable[[str], tuple[str, Path | None]]
ModelOf = Callable[[str, str], "tuple[str, str] | None"]
# Schemes whose data sets are files (local, object stores, web): anything else is a table.
FILE_SCHEMES = frozenset({
    "file", "s3", "s3a", "s3n", "gs", "gcs", "hdfs", "abfs", "abfss", "wasb", "wasbs", "adl",
    "dbfs", "oss", "http", "https", "ftp", "sftp", "webhdfs", "azure",
})  # fmt: skip
SHA256 = re.compile(r"^(?:sha256:)?([0-9a-f]{64})$")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def dataset_name(namespace: str, name: str) -> str:
    """How a data set is shown: its name for files, else ``namespace/name``."""
    return name if namespace == "file" else f"{namespace.rstrip('/')}/{name.lstrip('/')}"


def dataset_uri(namespace: str, name: str) -> str:
    """The URI a data set names: a path for ``file``, else namespace and name joined."""
    if namespace == "file" or namespace.startswith("file://"):
        return name
    if "://" in namespace:
        return f"{namespace.rstrip('/')}/{name.lstrip('/')}"
    return f"openlineage://{namespace}/{name.lstrip('/')}"


def is_table(namespace: str, data_source: str | None = None) -> bool:
    """Whether a data set of ``namespace`` is a table (its store is not a file system)."""
    for text in (namespace, data_source or ""):
        scheme = text.split("://", 1)[0].split(":", 1)[0].lower() if text else ""
        if scheme and scheme not in FILE_SCHEMES:
            return True
    return False


def dataset_ref(
    item: Any, source: Source, when: str | None, locate: Locate, model_of: ModelOf | None = None
) -> DataRef | None:
    """One input or output data set of an event, or None when it has no namespace and name."""
    item = _dict(item)
    namespace, name = item.get("namespace"), item.get("name")
    if not isinstance(namespace, str) or not isinstance(name, str):
        return None
    facets = _dict(item.get("facets"))
    store = _dict(facets.get("dataSource"))
    store_name, store_uri = (store.get(k) if isinstance(store.get(k), str) else None
                             for k in ("name", "uri"))  # fmt: skip
    about = [("data source", store_name)] if store_name else []
    about += [("data source URI", store_uri)] if store_uri else []
    table = is_table(namespace, store_uri)
    uri, local = locate(dataset_uri(namespace, name))
    stats = {**_dict(_dict(item.get("inputFacets")).get("dataQualityMetrics")),
             **_dict(_dict(item.get("outputFacets")).get("outputStatistics"))}  # fmt: skip
    return DataRef(
        name=dataset_name(namespace, name), uri=uri, origin=OPENLINEAGE, source=source,
        local=local, digests=_version(facets), size=_int(stats.get("size", stats.get("bytes"))),
        rows=_int(stats.get("rowCount")), columns=tuple(_fields(facets)), seen_at=when,
        namespace=namespace, table=table, about=tuple(about),
        model=model_of(namespace, name) if model_of else None,
    )  # fmt: skip


SYMLINKS_FIX = 'write {"identifiers": [{"namespace": …, "name": …, "type": "TABLE"}]}'


def symlinks(
    item: Any, where: str, source: Source, locate: Locate, warnings: list[str]
) -> tuple[Symlink, ...]:
    """The ``symlinks`` facet of an input or output (``where``, as ``outputs[0]``): other names.

    Each identifier's namespace and name are located as the data set's own are, so a ``file``
    symlink to ``data/x.csv`` is the location a run record's ``data/x.csv`` is. A malformed
    facet or identifier is left out with a warning naming the event; one naming the data set
    itself adds nothing.
    """
    item = _dict(item)
    facet = _dict(item.get("facets")).get("symlinks")
    if facet is None:
        return ()
    field = f"{where}.facets.symlinks"
    identifiers = facet.get("identifiers") if isinstance(facet, dict) else None
    if not isinstance(identifiers, list):
        what = "not an object" if not isinstance(facet, dict) else "identifiers is not a list"
        warnings.append(f"{source}: {field}: {what}; ignored — {SYMLINKS_FIX}")
        return ()
    own = locate(dataset_uri(str(item["namespace"]), str(item["name"])))[0]
    found: list[Symlink] = []
    for number, entry in enumerate(identifiers):
        problem = _identifier_problem(entry)
        if problem:
            warnings.append(f"{source}: {field}.identifiers[{number}]: {problem}; ignored — "
                            f"{SYMLINKS_FIX}")  # fmt: skip
            continue
        namespace, name, kind = entry["namespace"], entry["name"], entry.get("type")
        uri = locate(dataset_uri(namespace, name))[0]
        if uri and uri != own:
            found.append(Symlink(dataset_name(namespace, name), uri, kind, source))
    return distinct_symlinks(found)


def distinct_symlinks(links: Iterable[Symlink]) -> tuple[Symlink, ...]:
    """The first of each (location, type), in location order: the page does not depend on order."""
    found: dict[tuple[str, str | None], Symlink] = {}
    for link in links:
        found.setdefault((link.uri, link.kind), link)
    return tuple(found[key] for key in sorted(found, key=lambda k: (k[0], k[1] or "")))


def _identifier_problem(entry: Any) -> str | None:
    """What is wrong with one symlink identifier, or None: namespace and name are required."""
    if not isinstance(entry, dict):
        return "not an object"
    for key in ("namespace", "name"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            return f"{key} is {'missing' if key not in entry else 'not a non-empty string'}"
    if "type" in entry and entry["type"] is not None and not isinstance(entry["type"], str):
        return "type is not a string"
    return None


def _version(facets: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    version = _dict(facets.get("version")).get("datasetVersion")
    if not isinstance(version, str) or not version:
        return ()
    match = SHA256.match(version.lower())
    return (("sha256", match.group(1)),) if match else (("OpenLineage version", version),)


def _fields(facets: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    for entry in _list(_dict(facets.get("schema")).get("fields")):
        entry = _dict(entry)
        if isinstance(entry.get("name"), str):
            kind = entry.get("type")
            yield entry["name"], kind if isinstance(kind, str) else None


def column_links(item: dict[str, Any], output: str) -> Iterator[ColumnLink]:
    """The ``columnLineage`` facet of an output data set as one link per input column."""
    fields = _dict(_dict(_dict(item.get("facets")).get("columnLineage")).get("fields"))
    for out_field, spec in fields.items():
        for source in _list(_dict(spec).get("inputFields")):
            source = _dict(source)
            namespace, name, field = (source.get(k) for k in ("namespace", "name", "field"))
            if not all(isinstance(v, str) for v in (namespace, name, field)):
                continue
            kind, description = _transformation(source, _dict(spec))
            yield ColumnLink(
                output, str(out_field), dataset_name(str(namespace), str(name)), str(field),
                kind, description,
            )  # fmt: skip


def _transformation(source: dict[str, Any], spec: dict[str, Any]) -> tuple[str | None, str | None]:
    """Type (with subtype, and "masking") and description of how a column was made.

    The ``transformations`` of an input field come first; the older ``transformationType`` and
    ``transformationDescription`` of the output field are used when it has none.
    """
    kinds, descriptions = [], []
    for item in _list(source.get("transformations")):
        item = _dict(item)
        words = [str(item[k]) for k in ("type", "subtype") if isinstance(item.get(k), str)]
        if item.get("masking") is True:
            words.append("(masking)")
        if words:
            kinds.append(" ".join(words))
        if isinstance(item.get("description"), str) and item["description"].strip():
            descriptions.append(item["description"].strip())
    if not kinds and isinstance(spec.get("transformationType"), str):  # deprecated form
        kinds.append(spec["transformationType"])
    old = spec.get("transformationDescription")
    if not descriptions and isinstance(old, str) and old.strip():
        descriptions.append(old.strip())
    kind = ", ".join(dict.fromkeys(kinds)) or None
    return kind, "; ".join(dict.fromkeys(descriptions)) or None


def job_facts(facets: Any) -> dict[str, Any]:
    """Command (SQL or source location) and description of a job's facets."""
    facets = _dict(facets)
    facts: dict[str, Any] = {}
    query = _dict(facets.get("sql")).get("query")
    location = _dict(facets.get("sourceCodeLocation")).get("url")
    if isinstance(query, str):
        facts["command"] = query
    elif isinstance(location, str):
        facts["command"] = location
    description = _dict(facets.get("documentation")).get("description")
    if isinstance(description, str):
        facts["description"] = description
    return facts


def run_params(facets: Any) -> dict[str, str]:
    """The ``executionParameters`` run facet as key → value text."""
    params = {}
    for entry in _list(_dict(_dict(facets).get("executionParameters")).get("parameters")):
        entry = _dict(entry)
        if isinstance(entry.get("key"), str):
            params[entry["key"]] = str(entry.get("value", ""))
    return params
