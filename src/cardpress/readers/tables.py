"""Predictions files as tables (Parquet, CSV or JSONL) without loading their rows.

Their column names, and the line of a JSONL file that Arrow cannot read.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

FORMATS = {".parquet": "Parquet", ".csv": "CSV", ".jsonl": "JSONL", ".ndjson": "JSONL"}


class TableError(ValueError):
    """The file is not a readable table of the format its extension names."""


def column_names(path: Path) -> list[str]:
    """The columns of a table file; raises :class:`TableError` with the reason."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise TableError(f"has an unsupported extension {suffix!r}")
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq  # here: the run recorder needs no pyarrow otherwise

            return list(pq.read_schema(path).names)
        if suffix == ".csv":
            return _csv_header(path)
        return _jsonl_keys(path)
    except TableError:
        raise
    except Exception as error:  # pyarrow, csv and json each raise their own kinds
        raise TableError(f"is not a valid {FORMATS[suffix]} file ({error})") from error


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:  # a BOM is not the first name
        header = next(csv.reader(handle), None)
    if not header:
        raise TableError("is empty: a CSV file needs a header row")
    return header


def _jsonl_keys(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line.strip():
                first = json.loads(line)
                if not isinstance(first, dict):
                    raise TableError("line 1 is not a JSON object")
                return list(first)
    raise TableError("is empty")


def jsonl_fault(path: Path) -> tuple[int, str, str] | None:
    """The first line of a JSONL file that Arrow cannot read as a table: (line, key, problem).

    Arrow's own "in row N" counts rows from the start of the block of the file it was reading
    (in a 300,000-line file, line 250,001 was "row 80134"), so its number cannot be shown.
    None when every line is an object whose keys keep one kind of value (Arrow said something
    else).
    """
    first_kind: dict[str, tuple[str, int]] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                return number, "", f"invalid JSON: {error.msg}"
            if not isinstance(row, dict):
                return number, "", "is not a JSON object"
            for key, value in row.items():
                if value is None:
                    continue
                kind, line_before = first_kind.setdefault(key, (_kind(value), number))
                if kind != _kind(value):
                    return number, key, f"is {_kind(value)} where line {line_before} has {kind}"
    return None


def _kind(value: object) -> str:
    if isinstance(value, bool):  # before int: True is an int to Python
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"
