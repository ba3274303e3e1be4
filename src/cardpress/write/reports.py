"""Write a check report file (JUnit XML, Markdown summary)."""

from __future__ import annotations

from pathlib import Path

from cardpress.errors import UsageError


def write_report(path: Path, text: str, *, append: bool = False) -> None:
    """Write (or append) ``text`` to ``path``; a path that cannot be written is a usage error."""
    try:
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError(f"{path}: cannot write the report ({error.strerror})") from None
