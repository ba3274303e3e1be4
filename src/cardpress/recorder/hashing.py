"""Content hashes and row counts of data set files and DataFrames.

Files are hashed as their bytes (``sha256sum FILE``), read in 1 MiB chunks. A DataFrame has no
bytes of its own, so it is hashed in a documented canonical form (see :func:`frame_sha256`).
pandas and pyarrow are imported only when a DataFrame or Parquet file is actually given.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from cardpress.errors import ArgumentError
from cardpress.readers.files import sha256_of

if TYPE_CHECKING:
    import pandas as pd

FRAME_FORMAT = b"cardpress-dataframe/1\n"
ROW_CHUNK = 100_000
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


def is_frame(value: object) -> bool:
    """True for a pandas DataFrame, without importing pandas when it is not loaded."""
    return any(
        cls.__name__ == "DataFrame" and cls.__module__.startswith("pandas")
        for cls in type(value).__mro__
    )


def file_sha256(path: Path) -> str:
    """sha256 of the file's bytes, streamed in 1 MiB chunks; equals ``sha256sum FILE``."""
    return sha256_of(path)


def file_rows(path: Path) -> int | None:
    """Rows of a table file, counted without loading it; None when the format is not known.

    Parquet: from the file's metadata. CSV and TSV (also ``.gz``-compressed): records as the
    ``csv`` module reads them (quoted newlines are one record), blank lines skipped, minus one
    header row. JSONL: non-blank lines. Pass ``rows=`` for files without a header.
    """
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = suffixes[-2] if compressed and len(suffixes) == 2 else suffixes[-1] if suffixes else ""
    try:
        if suffix == ".parquet" and not compressed:
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        if suffix in CSV_SUFFIXES:
            with _text(path, compressed) as handle:
                reader = csv.reader(handle, delimiter=CSV_SUFFIXES[suffix])
                records = sum(1 for row in reader if row)
            return max(records - 1, 0)
        if suffix in JSONL_SUFFIXES:
            with _text(path, compressed) as handle:
                return sum(1 for line in handle if line.strip())
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as error:
        raise ArgumentError(
            f"{path}: cannot count its rows ({error}) — pass rows= with the number of rows"
        ) from None
    return None


@contextmanager
def _text(path: Path, compressed: bool) -> Iterator[IO[str]]:
    if compressed:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            yield handle
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            yield handle


def frame_sha256(frame: pd.DataFrame) -> str:
    """sha256 of a DataFrame's canonical form, the same for equal frames in the same pandas.

    The canonical form is the line ``cardpress-dataframe/1``, then a JSON header
    ``{"columns": [...], "dtypes": [...], "rows": N}`` (compact, sorted keys) and a newline,
    then for each row, in order, the little-endian 64-bit value of
    ``pandas.util.hash_pandas_object(frame, index=False)``. So the hash changes when a value,
    a column name, a dtype or the row order changes, and ignores the index. The row hashes are
    pandas' own and may change between major pandas versions; hash a file instead when the
    hash must stay comparable across environments.
    """
    import pandas as pd

    header = {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "rows": len(frame),
    }
    digest = hashlib.sha256(FRAME_FORMAT)
    digest.update(json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    for start in range(0, len(frame), ROW_CHUNK):
        part = frame.iloc[start : start + ROW_CHUNK]
        try:
            hashes = pd.util.hash_pandas_object(part, index=False)
        except TypeError as error:
            raise ArgumentError(
                f"DataFrame cannot be hashed ({error}) — convert columns holding lists or "
                "dicts to strings, or log the file it was read from"
            ) from None
        digest.update(hashes.to_numpy(dtype="<u8").tobytes())
    return digest.hexdigest()


def frame_columns(frame: Any) -> list[dict[str, str]]:
    """The columns of a DataFrame as run-record ``schema`` entries (name and dtype)."""
    return [{"name": str(c), "type": str(t)} for c, t in frame.dtypes.items()]
