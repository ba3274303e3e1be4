"""Column names of a predictions file (Parquet, CSV or JSONL), read without loading the rows."""

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
