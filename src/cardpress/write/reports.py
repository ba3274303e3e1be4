"""Write report and export files: check results (JUnit XML, Markdown), exported cards."""

from __future__ import annotations

import os
from pathlib import Path

from cardpress.errors import UsageError


def write_report(path: Path, text: str, *, append: bool = False) -> None:
    """Write (or append) ``text`` to ``path``; a path that cannot be written is a usage error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # e.g. --junit reports/check.xml in CI
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError(f"{path}: cannot write the report ({error.strerror})") from None


def write_whole(path: Path, text: str) -> None:
    """Write ``path`` so that it is either its old self or complete: a temp file, then a rename."""
    temporary = path.with_name(f".{path.name}.cardpress-tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot write it ({error.strerror})") from None
