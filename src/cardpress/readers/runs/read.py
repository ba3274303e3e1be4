"""Read training-run records (``runs/**/*.json``, schema ``cardpress/run/1``)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from cardpress.errors import Problem
from cardpress.model import Run, Source
from cardpress.readers.files import (
    Allowed,
    files_under,
    inside,
    outside_problem,
    relative,
    sha256_of,
)
from cardpress.readers.jsonpos import Path as JsonPath
from cardpress.readers.jsonpos import line_of, value_lines
from cardpress.readers.limits import (
    MAX_JSON_DEPTH,
    MAX_METRICS,
    MAX_RUN_BYTES,
    json_too_deep,
    read_limited,
)
from cardpress.readers.runs.checks import semantic_problems
from cardpress.readers.runs.convert import to_run
from cardpress.readers.validate import schema_problems

RUN_SCHEMA = "cardpress/run/1"
_SCHEMA_FAMILY = re.compile(r"^cardpress/run/(?P<version>.+)$")


class _NonFinite(ValueError):
    pass


def read_runs(
    root: Path,
    problems: list[Problem],
    trusted: frozenset[str] = frozenset(),
    allow: Allowed = (),
) -> list[Run]:
    """Every valid run record under ``root/runs``; problems are appended, never raised."""
    runs = []
    looked: dict[str, str | None] = {}  # path_problem of each local URI, for this read
    for path in files_under(root, root / "runs", problems, _is_json, allow):
        run = read_run(root, path, problems, trusted, allow, looked)
        if run is not None:
            runs.append(run)
    return runs


def read_run(
    root: Path,
    path: Path,
    problems: list[Problem],
    trusted: frozenset[str] = frozenset(),
    allow: Allowed = (),
    looked: dict[str, str | None] | None = None,
) -> Run | None:
    """One run record, or None after appending what is wrong with it.

    ``looked``: the local paths already looked at in this read (see :func:`semantic_problems`).
    """
    name = relative(root, path)
    text = read_limited(root, path, MAX_RUN_BYTES, problems, "run record", allow)
    if text is None:
        return None
    document = parse_object(text, name, problems, "a run record", RUN_SCHEMA)
    if document is None or _too_many_metrics(document, text, name, problems):
        return None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    where = _no_lines if digest in trusted else line_finder(text)
    found = [] if digest in trusted else _version_problems(document, name, where)
    found = found or ([] if digest in trusted else schema_problems(document, "run", name, where))
    found = found or semantic_problems(
        root, document, name, where, columns=digest not in trusted, looked=looked
    )
    if found:
        problems.extend(found)
        return None
    run = to_run(document, Source(name, 1), lambda p: Source(name, where(p)), digest)
    if run.predictions is not None:
        file = inside(root, run.predictions.uri)  # checked to be a file inside root already
        if file is None:  # it was replaced by a link out since
            problems.append(outside_problem(root, root / run.predictions.uri, "predictions.uri"))
            return None
        run = replace(run, predictions=replace(run.predictions, file_sha256=sha256_of(file)))
    return run


def _is_json(path: Path) -> bool:
    return path.suffix == ".json"


def parse_object(
    text: str, name: str, problems: list[Problem], what: str, schema: str
) -> dict[str, Any] | None:
    """The JSON object in ``text`` (NaN and Infinity refused), or None after a problem."""
    deep = json_too_deep(text)
    if deep is not None:
        problem = f"arrays and objects nested deeper than {MAX_JSON_DEPTH} levels"
        fix = f"{what} needs only a few levels; write it with a JSON library"
        problems.append(Problem(name, deep, "", problem, f"{fix} (docs/records.md, Limits)"))
        return None
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                              object_pairs_hook=_unique_keys)  # fmt: skip
    except _Twice as error:
        fix = "keep one of them: JSON readers keep one of the two silently, not always the same"
        problems.append(Problem(name, None, str(error), "appears twice in one JSON object", fix))
        return None
    except _NonFinite as error:
        word = str(error)
        line = _line_of_word(text, word)
        what = "is not a number JSON allows"
        if word not in ("NaN", "Infinity", "-Infinity"):
            what = "is too large for a number (a 64-bit float: it would be infinite)"
        problems.append(Problem(name, line, "", f"{word} {what}", "write a finite number"))
        return None
    except json.JSONDecodeError as error:
        fix = "fix the JSON syntax (a missing comma, quote or bracket is usual)"
        problems.append(Problem(name, error.lineno, "", f"invalid JSON: {error.msg}", fix))
        return None
    if not isinstance(document, dict):
        fix = f'{what} is one JSON object: {{"schema": "{schema}", ...}}'
        problems.append(Problem(name, 1, "", "is not a JSON object", fix))
        return None
    return document


def _too_many_metrics(
    document: dict[str, Any], text: str, name: str, problems: list[Problem]
) -> bool:
    """True after a problem when ``metrics`` is longer than ``MAX_METRICS``.

    Checked before the schema, whose errors for each of 100,000 metrics would take minutes.
    """
    metrics = document.get("metrics")
    if not isinstance(metrics, list) or len(metrics) <= MAX_METRICS:
        return False
    line = text.count("\n", 0, max(text.find('"metrics"'), 0)) + 1
    problem = f"{len(metrics):,} metrics, more than {MAX_METRICS:,} in one run record"
    fix = "keep the final values (log training curves elsewhere) (docs/records.md, Limits)"
    problems.append(Problem(name, line, "metrics", problem, fix))
    return True


def line_finder(text: str) -> Callable[[JsonPath], int | None]:
    """The line of each value of a JSON document, by its path."""
    lines = value_lines(text)
    return lambda json_path: line_of(lines, json_path)


def _no_lines(json_path: JsonPath) -> int | None:
    return None


class _Twice(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members; a key given twice is refused (``json`` keeps the last)."""
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Twice(key)
            seen.add(key)
    return found


def _refuse_constant(word: str) -> Any:
    raise _NonFinite(word)


def _finite_float(word: str) -> float:
    """A JSON number as a float; one past float's range (1e400) is refused, not infinity."""
    value = float(word)
    if math.isinf(value):
        raise _NonFinite(word)
    return value


def _line_of_word(text: str, word: str) -> int:
    # not \b: a word that starts with "-" (-Infinity, -1e400) has no boundary after a space
    match = re.search(rf"(?<![\w.+-]){re.escape(word)}(?![\w.])", text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _version_problems(document: dict[str, Any], name: str, where: Any) -> list[Problem]:
    schema = document.get("schema")
    if not isinstance(schema, str) or schema == RUN_SCHEMA:
        return []
    match = _SCHEMA_FAMILY.match(schema)
    if match:
        problem = f"unknown schema version {match['version']!r} ({schema!r})"
        fix = f"this cardpress reads {RUN_SCHEMA!r}; upgrade cardpress or write a version 1 record"
    else:
        problem = f"{schema!r} is not a run record"
        fix = f'set "schema": "{RUN_SCHEMA}", or move the file out of runs/'
    return [Problem(name, where(("schema",)), "schema", problem, fix)]
