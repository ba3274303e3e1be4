"""Find a run's evaluation predictions without cardpress-specific tags.

Two places are looked at, after the run tag ``cardpress.predictions``: the artifact pattern set
in ``cardpress.toml`` (``[mlflow] predictions = "eval/*.parquet"``), then the table
``mlflow.evaluate`` / ``mlflow.models.evaluate`` logs (``eval_results_table.json``, a
``{"columns": [...], "data": [[...]]}`` object), which is copied as JSON Lines.
"""

from __future__ import annotations

import fnmatch
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL_TABLE = "eval_results_table.json"
_MAX_ENTRIES = 2000
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Found:
    """An artifact that holds predictions, and how it was found (for messages)."""

    path: str
    how: str
    is_eval_table: bool = False


def find_predictions(
    client: Any, run_id: str, pattern: str | None
) -> tuple[Found | None, list[str]]:
    """The predictions artifact of the run, and warnings (several matches, none found)."""
    try:
        files = _walk(client, run_id)
    except Exception:  # no artifacts, or an artifact store this machine cannot reach
        return None, []
    warnings: list[str] = []
    if pattern:
        how = f"cardpress.toml [mlflow] predictions = {pattern!r}"
        matches = sorted(f for f in files if fnmatch.fnmatchcase(f, pattern))
        if len(matches) > 1:
            shown = ", ".join(matches[:5])
            warnings.append(f"run {run_id}: {how} matches {len(matches)} artifacts ({shown}); "
                            f"the first, {matches[0]!r}, is used")  # fmt: skip
        if matches:
            return Found(matches[0], how), warnings
        warnings.append(f"run {run_id}: {how} matches no artifact of the run")
    tables = sorted((f for f in files if f.rsplit("/", 1)[-1].endswith(EVAL_TABLE)),
                    key=lambda f: (f.count("/"), f))  # fmt: skip
    if tables:
        return Found(tables[0], "the table mlflow.evaluate logged", is_eval_table=True), warnings
    return None, warnings


def _walk(client: Any, run_id: str) -> list[str]:
    """Every artifact file path of the run, breadth first, within a few levels."""
    found: list[str] = []
    folders: list[tuple[str | None, int]] = [(None, 0)]
    while folders and len(found) < _MAX_ENTRIES:
        folder, depth = folders.pop(0)
        for entry in client.list_artifacts(run_id, folder):
            if entry.is_dir:
                if depth + 1 < _MAX_DEPTH:
                    folders.append((entry.path, depth + 1))
            else:
                found.append(str(entry.path))
    return found


class TableFormatError(ValueError):
    """The evaluation table is not the ``{"columns", "data"}`` JSON MLflow writes."""


def eval_table_lines(client: Any, run_id: str, path: str) -> bytes:
    """The evaluation table as JSON Lines: one object per row, columns in the table's order.

    Raises:
        TableFormatError: the artifact is not an MLflow table.
        Exception: MLflow's own errors when the artifact cannot be downloaded.
    """
    with tempfile.TemporaryDirectory(prefix="cardpress-mlflow-") as scratch:
        local = Path(client.download_artifacts(run_id, path, scratch))
        try:
            table = json.loads(local.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise TableFormatError(f"not JSON ({error})") from None
    columns = table.get("columns") if isinstance(table, dict) else None
    rows = table.get("data") if isinstance(table, dict) else None
    if not isinstance(columns, list) or not isinstance(rows, list):
        raise TableFormatError('not an MLflow table ({"columns": [...], "data": [[...]]})')
    lines = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise TableFormatError(f"a row has not {len(columns)} values")
        record = dict(zip((str(c) for c in columns), row, strict=True))
        try:
            lines.append(json.dumps(record, ensure_ascii=False, allow_nan=False))
        except ValueError:  # NaN or infinity: not JSON, so not a JSON Lines row
            raise TableFormatError("a value is NaN or infinite") from None
    return ("\n".join(lines) + "\n").encode("utf-8")
