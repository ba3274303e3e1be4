"""Write imported records into a records folder: all staged first, then moved into place.

An import that fails part-way leaves the records folder as it was: every file is written into a
staging folder inside it, and only when all are written are they moved to their places.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cardpress.errors import CardpressError

STAGING = ".cardpress-import"


@contextmanager
def staging(records: Path) -> Iterator[Path]:
    """A fresh, empty staging folder inside ``records``, removed when the block ends."""
    folder = records.absolute() / STAGING
    created = not records.exists()
    try:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    except OSError as error:
        raise _cannot_write(records, error) from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if created:
            _remove_if_empty(records)


def record_bytes(document: dict[str, Any]) -> bytes:
    """A run record as written: indented JSON, keys in the order given, a final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def stage_file(folder: Path, name: str, content: bytes) -> None:
    """Write ``content`` to ``folder/name`` (``name`` relative, with forward slashes)."""
    target = folder / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    except OSError as error:
        raise _cannot_write(folder.parent, error) from None


def commit(folder: Path, records: Path) -> list[str]:
    """Move every staged file to the same place under ``records``; returns their names.

    Raises:
        CardpressError: a file could not be moved (the disk refused).
    """
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    try:
        for name in names:
            target = records / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(folder / name, target)
    except OSError as error:
        raise _cannot_write(records, error) from None
    return names


def _remove_if_empty(records: Path) -> None:
    with contextlib.suppress(OSError):  # only succeeds if the failed import left it empty
        records.rmdir()


def _cannot_write(records: Path, error: OSError) -> CardpressError:
    where = error.filename or records
    fix = "check free space and write permission of the records folder"
    return CardpressError(f"{where}: cannot write ({error.strerror}) — {fix}")
