"""Validate a run record and write it, with its predictions file, atomically.

Nothing is written until the record passes the same checks ``cardpress validate`` applies,
the content of its predictions table included. Each
file is written to a temporary name in its own folder and renamed into place, so a reader never
sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cardpress.errors import Problem, RecordExistsError, RecordsError
from cardpress.model import Source
from cardpress.readers.config import read_config
from cardpress.readers.files import relative, sha256_of
from cardpress.readers.jsonpos import Path as JsonPath
from cardpress.readers.runs.checks import semantic_problems
from cardpress.readers.runs.convert import to_run
from cardpress.readers.runs.read import line_finder
from cardpress.readers.validate import schema_problems


@dataclass(frozen=True)
class Staged:
    """A file written under a temporary name, waiting to be renamed to ``final``."""

    temporary: Path
    final: Path
    sha256: str

    def discard(self) -> None:
        """Remove the temporary file."""
        self.temporary.unlink(missing_ok=True)


def staging_path(final: Path) -> Path:
    """A free temporary name beside ``final`` that keeps its extension (readers go by it)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=final.suffix,
                                    dir=final.parent)  # fmt: skip
    os.close(handle)
    return Path(name)


def record_text(document: dict[str, Any]) -> str:
    """The record as written: two-space indented JSON, fields in the order given."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_record(
    root: Path, document: dict[str, Any], staged: Staged | None, *, overwrite: bool
) -> Path:
    """Check ``document`` and write it to ``runs/<model>-<version>.json``; return its path.

    An existing record of the same model version (at any path under ``runs/``) is replaced only
    with ``overwrite=True``; an identical one is left as it is.

    Raises:
        RecordsError: the record would not be valid; nothing was written.
        RecordExistsError: a different record of this version exists; nothing was written.
    """
    model, version = document["model"]["name"], document["model"]["version"]
    existing = _existing(root, model, version)
    target = existing[0] if existing else root / "runs" / f"{model}-{version}.json"
    text = record_text(document)
    _validate(root, document, text, relative(root, target), staged)
    unchanged = existing == [target] and target.read_bytes() == text.encode("utf-8")
    if staged is not None and staged.final.exists() and sha256_of(staged.final) != staged.sha256:
        unchanged = False
        if not overwrite:
            _refuse(root, staged.final, model, version, "a different predictions file")
    if existing and not unchanged and not overwrite:
        _refuse(root, existing[0], model, version, "a different record")
    if len(existing) > 1:
        names = ", ".join(relative(root, p) for p in existing)
        raise RecordExistsError(f"{names}: several records of {model} version {version} — "
                                "keep one of them, then log again")  # fmt: skip
    if staged is not None:
        os.replace(staged.temporary, staged.final)
    if not unchanged:
        temporary = staging_path(target)
        try:
            with temporary.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    return target


def _validate(
    root: Path, document: dict[str, Any], text: str, name: str, staged: Staged | None
) -> None:
    where = line_finder(text)
    problems = schema_problems(document, "run", name, where)
    if not problems:
        checked = document
        if staged is not None:  # check the columns of the file not yet renamed into place
            predictions = {**document["predictions"], "uri": relative(root, staged.temporary)}
            checked = {**document, "predictions": predictions}
        problems = semantic_problems(root, checked, name, where)
        if not problems and "predictions" in checked:
            problems = _table_problems(root, checked, name, where, document["predictions"])
    if problems:
        raise RecordsError(problems)


def _table_problems(
    root: Path,
    checked: dict[str, Any],
    name: str,
    where: Callable[[JsonPath], int | None],
    written: dict[str, Any],
) -> list[Problem]:
    """What ``cardpress validate`` finds in the predictions table's content.

    Its rows against the data set's, labels, scores and groups; named by the file it will be
    written as, not the temporary one checked.
    """
    from cardpress.readers.predictions.read import fairness_tables  # pandas: only when needed

    config_problems: list[Problem] = []  # the config is not the record's: validate reports it
    settings = read_config(root, config_problems).fairness
    run = to_run(checked, Source(name, 1), lambda p: Source(name, where(p)), "")
    problems: list[Problem] = []
    for _ in fairness_tables(root, [run], settings, problems):
        pass
    staged_uri = checked["predictions"]["uri"]
    return [replace(p, file=written["uri"]) if p.file == staged_uri else p for p in problems]


def _existing(root: Path, model: str, version: str) -> list[Path]:
    """Run records under ``root/runs`` of this model version (unreadable files are skipped)."""
    found = []
    for path in sorted((root / "runs").rglob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        names = document.get("model") if isinstance(document, dict) else None
        if isinstance(names, dict) and (names.get("name"), names.get("version")) == (
            model,
            version,
        ):
            found.append(path)
    return found


def _refuse(root: Path, path: Path, model: str, version: str, what: str) -> None:
    raise RecordExistsError(
        f"{relative(root, path)}: {what} of {model} version {version} already exists — log a "
        "new version, or pass overwrite=True to replace it (sign-offs of the old record become "
        "stale); nothing was written"
    )
