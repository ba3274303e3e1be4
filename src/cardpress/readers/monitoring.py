"""Monitoring rows as one checked Ibis table: Parquet, CSV or JSONL, one file or a folder.

Every file is opened on its own first, so a problem names its file and column: a file that is
not what its extension says, a column whose type differs from the other files', a timestamp
column that is missing, empty or unparsable, or naive and time-zoned timestamps mixed. Naive
timestamps are read as UTC (stated on the page); every window boundary is in UTC.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow.parquet as pq

from cardpress.errors import Problem
from cardpress.model_drift import Engine
from cardpress.readers.csv_files import case_twins, csv_table, twins_problem
from cardpress.readers.drift.engines import query_rows, read_parquet
from cardpress.readers.files import Allowed, contained, files_under, outside_problem

SUFFIXES = (".parquet", ".csv", ".jsonl", ".json")
TIME = "cardpress_time"  # the checked, UTC timestamp column added to every table
SOURCE = "cardpress_file"  # the file a row came from, while the rows are checked


@dataclass(frozen=True)
class Rows:
    """The union of the files' rows, with ``TIME`` added, and the files read."""

    table: ir.Table
    files: tuple[str, ...]
    # file name -> whether its timestamps carry a zone, for files that store them typed (text
    # timestamps are looked at row by row: :func:`zoned_text`)
    typed_zones: Mapping[str, bool]


def data_files(
    root: Path, folder: Path, problems: list[Problem], allow: Allowed = ()
) -> list[Path]:
    """Monitoring files of a file or folder (recursively), sorted; the labels sub-folder apart.

    One that resolves outside the records folder (and ``allow``) is a problem instead. Files
    are returned as named in the folder: their extension says their format, a link's target
    may have none.
    """
    if not folder.is_file():
        return files_under(root, folder, problems, lambda p: _is_data(folder, p), allow)
    if contained(root, folder, allow) is None:
        problems.append(outside_problem(root, folder))
        return []
    return [folder]


def unread_files(root: Path, folder: Path) -> list[str]:
    """A warning naming the files of a monitoring folder that are not read (a ``.csv.gz``…).

    Hidden files and folders are left out (``.DS_Store``, a cache); links are not followed.
    """
    if not folder.is_dir():
        return []
    found = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found += [Path(top, f) for f in files if not f.startswith(".")
                  and Path(f).suffix not in SUFFIXES]  # fmt: skip
    if not found:
        return []
    names = [name_of(root, p) for p in sorted(found)]
    shown = ", ".join(names[:5]) + (f", … {len(names) - 5:,} more" if len(names) > 5 else "")
    return [f"{len(names):,} file{'' if len(names) == 1 else 's'} in {name_of(root, folder)} "
            f"not read: {shown} — monitoring rows are read from .parquet, .csv, .jsonl and "
            ".json files (decompress a .csv.gz, or write Parquet)"]  # fmt: skip


def _is_data(folder: Path, path: Path) -> bool:
    return path.suffix in SUFFIXES and "labels" not in path.relative_to(folder).parts


def open_file(
    con: Any,
    root: Path,
    path: Path,
    problems: list[Problem],
    known: Mapping[str, dt.DataType] | None = None,
) -> ir.Table | None:
    """One file as a table, or None with a problem naming the file (and line, for CSV).

    A CSV file's columns take the types in ``known`` (the other files', the config's): CSV has
    none of its own.
    """
    name = name_of(root, path)
    try:
        if path.suffix == ".parquet":
            return con.read_parquet(path)
        if path.suffix == ".csv":
            return csv_table(con, path, name, known or {}, problems)
        return con.read_json(path)
    except Exception as error:  # DuckDB names the format problem; the user needs the file
        first = str(error).strip().splitlines()[0][:200]
        fix = f"check that the file is {path.suffix[1:].upper()} (its extension says so)"
        problems.append(Problem(name, None, "", f"cannot be read: {first}", fix))
        return None


def read_rows(
    con: Any,
    engine: Engine,
    root: Path,
    paths: list[Path],
    timestamp: str,
    problems: list[Problem],
    fresh: list[Path] | None = None,
    config_types: Mapping[str, dt.DataType] | None = None,
) -> Rows | None:
    """Every file's rows as one table with a UTC ``TIME`` column; None after a problem.

    Parquet files are checked from their footers and then read as one table (one scan per
    query, however many files); CSV and JSONL files are opened one by one. Timestamps are
    checked row by row in the ``fresh`` files only (default: all), since the others were checked
    when their summaries were kept. The table keeps each row's file in ``SOURCE``.
    CSV files are read last, typed like the Parquet and JSONL files (else ``config_types``).
    """
    schemas: list[tuple[str, ibis.Schema]] = []
    tables: list[ir.Table] = []
    parquet = [p for p in paths if p.suffix == ".parquet"]
    for path in parquet:
        schema = _parquet_schema(root, path, problems)
        if schema is not None:
            schemas.append((name_of(root, path), schema))
            if engine == "spark":
                problems += _nanoseconds(name_of(root, path), schema)
    others = sorted((p for p in paths if p.suffix != ".parquet"), key=lambda p: p.suffix == ".csv")
    for path in others:
        known = {**(config_types or {}), **_first_types(schemas)}
        known[timestamp] = dt.string  # checked as text: a file may write it any way
        table = open_file(con, root, path, problems, known)
        if table is not None:
            schemas.append((name_of(root, path), table.schema()))
            tables.append(table.mutate(**{SOURCE: ibis.literal(source_of(path))}))
    for name, schema in schemas:
        twins = case_twins(list(schema.names))
        if twins is not None:
            problems.append(twins_problem(name, twins))
    if problems or not schemas:
        return None
    if not _same_columns(schemas, timestamp, problems) or not _times_agree(
        schemas, timestamp, problems
    ):
        return None
    if parquet:  # their schemas come first, one per file (a problem has returned above)
        typed = {source_of(p): schema for p, (_, schema) in zip(parquet, schemas, strict=False)}
        tables.insert(0, read_parquet(con, engine, typed, SOURCE))
    # the raw column as text: files may store it as text or as timestamps (engines differ)
    checked = [
        t.mutate(**{TIME: _utc(t[timestamp]), timestamp: t[timestamp].cast("string")})
        for t in tables
    ]
    union = checked[0] if len(checked) == 1 else ibis.union(*checked)
    every = [source_of(p) for p in paths]
    chosen = every if fresh is None else [source_of(p) for p in fresh]
    if chosen and not _times_parse(root, rows_of(union, chosen, every), timestamp, problems):
        return None
    typed = {name: bool(schema[timestamp].timezone)
             for name, schema in schemas if schema[timestamp].is_timestamp()}  # fmt: skip
    return Rows(union, tuple(sorted(name for name, _ in schemas)), typed)


# a time of day, then an offset (Z, +02:00, -0500, +02) or a zone's name (UTC, Europe/Paris)
_ZONE = r"\d:\d\d(:\d\d([.,]\d+)?)?\s*([zZ]|[+-]\d\d(:?\d\d)?|[A-Za-z][A-Za-z_/+-]*)\s*$"


def zoned_text(timestamp: ir.StringValue) -> ir.BooleanValue:
    """Whether a timestamp written as text carries its time zone (an offset or a zone's name)."""
    return timestamp.re_search(_ZONE)


def _first_types(schemas: list[tuple[str, ibis.Schema]]) -> dict[str, dt.DataType]:
    """Each column's type in the first file that has it."""
    types: dict[str, dt.DataType] = {}
    for _, schema in reversed(schemas):
        types.update(schema.items())
    return types


def _nanoseconds(name: str, schema: ibis.Schema) -> list[Problem]:
    """Spark cannot read Parquet timestamps in nanoseconds (pandas writes them by default)."""
    found = [c for c, kind in schema.items() if kind.is_timestamp() and (kind.scale or 0) > 6]
    if not found:
        return []
    fix = ("write them in microseconds (pandas: to_parquet(path, coerce_timestamps=\"us\", "
           "allow_truncated_timestamps=True)), or use the duckdb engine")  # fmt: skip
    problem = "timestamps in nanoseconds, which Spark cannot read from Parquet"
    return [Problem(name, None, found[0], problem, fix)]


def _parquet_schema(root: Path, path: Path, problems: list[Problem]) -> ibis.Schema | None:
    try:
        return ibis.Schema.from_pyarrow(pq.read_schema(path))
    except Exception as error:  # pyarrow names the format problem; the user needs the file
        first = str(error).strip().splitlines()[0][:200]
        fix = "check that the file is PARQUET (its extension says so)"
        problems.append(Problem(name_of(root, path), None, "", f"cannot be read: {first}", fix))
        return None


def _same_columns(
    schemas: list[tuple[str, ibis.Schema]], timestamp: str, problems: list[Problem]
) -> bool:
    first_name, first = schemas[0]
    expected = dict(first.items())
    for name, schema in schemas[1:]:
        found = dict(schema.items())
        for column in sorted(set(expected) | set(found)):
            if column not in found or column not in expected:
                where = first_name if column not in expected else name
                message = f"column {column!r} is in one file but not in {where}"
                fix = f"give every monitoring file the same columns (compare with {first_name})"
                problems.append(Problem(name, None, column, message, fix))
            elif not _compatible(expected[column], found[column], column == timestamp):
                message = f"type {found[column]} here, {expected[column]} in {first_name}"
                fix = "write the column with one type in every file"
                problems.append(Problem(name, None, column, message, fix))
    return not problems


def _compatible(a: Any, b: Any, is_time: bool) -> bool:
    # timestamps may be text in one file (JSON has no timestamp type) and typed in another
    if is_time and all(k.is_string() or k.is_timestamp() for k in (a, b)):
        return True
    if a.is_numeric() and b.is_numeric() and not (a.is_boolean() or b.is_boolean()):
        return True
    if a.is_timestamp() and b.is_timestamp():
        return True
    return bool(a == b) or (a.is_null() or b.is_null())


def _times_agree(
    schemas: list[tuple[str, ibis.Schema]], timestamp: str, problems: list[Problem]
) -> bool:
    zones: dict[str, str] = {}
    for name, schema in schemas:
        if timestamp not in schema.names:
            fix = 'name the timestamp column in [drift] timestamp = "..." of cardpress.toml'
            problems.append(Problem(name, None, timestamp, "no timestamp column", fix))
            continue
        kind = schema[timestamp]
        if kind.is_timestamp():
            zones[name] = "with a time zone" if kind.timezone else "without a time zone"
    if len(set(zones.values())) > 1:
        naive = sorted(n for n, z in zones.items() if z == "without a time zone")
        zoned = sorted(n for n, z in zones.items() if z == "with a time zone")
        message = f"timestamps without a time zone here, with one in other files ({zoned[0]})"
        fix = "write every timestamp with its offset (e.g. 2026-03-01T10:00:00Z)"
        problems.append(Problem(naive[0], None, "", message, fix))
    return not problems


def _utc(column: Any) -> Any:
    """As a UTC timestamp; naive ones are read as UTC (the session time zone is UTC)."""
    kind = column.type()
    if kind.is_timestamp():
        return column.cast("timestamp('UTC')")
    return column.try_cast("timestamp('UTC')")


def rows_of(table: ir.Table, sources: Collection[str], every: Collection[str]) -> ir.Table:
    """The rows of the files ``sources`` (SOURCE values) of ``every`` file in ``table``.

    When that is every file (a first build) the table is returned unfiltered: a filter on the
    file would cost a comparison per row for nothing.
    """
    if set(sources) >= set(every):
        return table
    return table.filter(table[SOURCE].isin(sorted(sources)))


def _times_parse(root: Path, chosen: ir.Table, timestamp: str, problems: list[Problem]) -> bool:
    """No missing or unparsable timestamp in ``chosen``: the first bad one is named."""
    bad = chosen.filter(chosen[TIME].isnull()).select(
        value=chosen[timestamp].cast("string"), file=chosen[SOURCE]
    )
    found = query_rows(bad.order_by(["file", "value"]).limit(1))
    if not found:
        return True
    value = found[0]["value"]
    what = "missing" if value is None else f"not a timestamp: {value!r}"
    fix = "write ISO 8601 timestamps with an offset, e.g. 2026-03-01T10:00:00Z"
    name = name_of(root, Path(found[0]["file"]))
    problems.append(Problem(name, None, timestamp, f"a timestamp is {what}", fix))
    return False


def source_of(path: Path) -> str:
    """The value of ``SOURCE`` for the rows of ``path``: its absolute, resolved path."""
    return str(path.resolve())


def name_of(root: Path, path: Path) -> str:
    """A file's name relative to the records folder (as given when outside it)."""
    resolved, top = path.resolve(), root.resolve()
    return resolved.relative_to(top).as_posix() if resolved.is_relative_to(top) else str(path)
