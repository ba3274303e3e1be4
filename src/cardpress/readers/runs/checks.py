"""Checks on a run record that a JSON Schema cannot express: dates, references, files."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from cardpress.errors import Problem
from cardpress.readers.files import inside
from cardpress.readers.jsonpos import Path as JsonPath
from cardpress.readers.limits import MAX_URI_LENGTH, path_problem, uri_problem
from cardpress.readers.tables import TableError, column_names
from cardpress.readers.validate import field_name
from cardpress.xml_text import has_forbidden, visible

Where = Callable[[JsonPath], int | None]


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time with a time zone, or None if it is not one."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def semantic_problems(
    root: Path,
    run: dict[str, Any],
    name: str,
    where: Where,
    *,
    columns: bool = True,
    looked: dict[str, str | None] | None = None,
) -> list[Problem]:
    """Problems with times, data set references and the predictions file of a schema-valid run.

    ``columns=False`` skips opening the predictions file to check its columns (for records of
    published versions, whose predictions file is compared by hash instead). ``looked`` keeps
    each local path's :func:`path_problem` over one read of many records (runs share data sets:
    1,000 runs resolved the same two paths 2,000 times).
    """
    uris = _uri_problems(root, run, name, where, {} if looked is None else looked)
    problems = _time_problems(run, name, where) + uris
    dataset_ids = _dataset_problems(run, name, where, problems)
    for index, metric in enumerate(run["metrics"]):
        if metric["dataset"] not in dataset_ids:
            path: JsonPath = ("metrics", index, "dataset")
            problems.append(
                _unknown_dataset(name, where(path), path, metric["dataset"], dataset_ids)
            )
        ci = metric.get("ci")
        if isinstance(ci, dict) and ci.get("lower", 0) > ci.get("upper", math.inf):
            at: JsonPath = ("metrics", index, "ci")
            problem = f"the interval's lower bound {ci['lower']} is above its upper {ci['upper']}"
            fix = "write the lower bound in ci.lower and the upper in ci.upper"
            problems.append(Problem(name, where(at), field_name(at), problem, fix))
    problems += _curve_problems(run, name, where, dataset_ids)
    problems += _drawn_text_problems(run, name, where)
    if "predictions" in run and not any(p.field == "predictions.uri" for p in problems):
        found = _prediction_problems(root, run["predictions"], name, where, dataset_ids, columns)
        problems.extend(found)
    return problems


def _drawn_text_problems(run: dict[str, Any], name: str, where: Where) -> list[Problem]:
    """Texts the charts draw without a control character: a chart is SVG, which cannot hold one.

    Metric and curve keys, slice columns and groups, and the predictions' column names.
    """
    drawn: list[tuple[JsonPath, str]] = []
    for index, metric in enumerate(run["metrics"]):
        drawn.append((("metrics", index, "key"), metric["key"]))
        for column, group in metric.get("slice", {}).items():
            at: JsonPath = ("metrics", index, "slice", column)
            drawn += [(at, column), (at, str(group))]
    drawn += [(("curves", i, "key"), curve["key"]) for i, curve in enumerate(run.get("curves", []))]
    for role, column in run.get("predictions", {}).get("columns", {}).items():
        if isinstance(column, list):
            drawn += [(("predictions", "columns", role, i), c) for i, c in enumerate(column)]
        elif isinstance(column, dict):  # y_score_by_class: class -> column
            drawn += [(("predictions", "columns", role, k), t) for k, v in column.items()
                      for t in (k, v)]  # fmt: skip
        else:
            drawn.append((("predictions", "columns", role), column))
    fix = "remove the control character (or replace it, e.g. with a space)"
    problems = []
    for path, text in drawn:
        if isinstance(text, str) and has_forbidden(text):
            problem = f"{text!r} holds a control character, which charts cannot show"
            problems.append(Problem(name, where(path), visible(field_name(path)), problem, fix))
    return problems


def _time_problems(run: dict[str, Any], name: str, where: Where) -> list[Problem]:
    problems = []
    times: dict[str, datetime] = {}
    paths: list[JsonPath] = [("started_at",), ("ended_at",)]
    paths += [("metrics", i, "timestamp") for i, m in enumerate(run["metrics"]) if "timestamp" in m]
    for path in paths:
        value = _get(run, path)
        if value is None:
            continue
        parsed = parse_time(value)
        if parsed is None:
            fix = "write an ISO 8601 time with a time zone, e.g. 2026-05-01T12:00:00Z"
            problems.append(
                Problem(name, where(path), field_name(path), "is not a valid time", fix)
            )
        else:
            times[str(path[-1])] = parsed
    if "ended_at" in times and "started_at" in times and times["ended_at"] < times["started_at"]:
        fix = "check the two times; ended_at must not be before started_at"
        problems.append(
            Problem(name, where(("ended_at",)), "ended_at", "is before started_at", fix)
        )
    return problems


def _uri_problems(
    root: Path, run: dict[str, Any], name: str, where: Where, looked: dict[str, str | None]
) -> list[Problem]:
    """URIs with a NUL, too long, or local paths the system cannot look at (a link loop)."""
    paths: list[JsonPath] = [("datasets", i, "uri") for i in range(len(run["datasets"]))]
    paths += [("artifacts", i, "uri") for i in range(len(run.get("artifacts", [])))]
    paths += [("predictions", "uri")] if "predictions" in run else []
    derived = [("datasets", i, "derived_from", j) for i, d in enumerate(run["datasets"])
               for j in range(len(d.get("derived_from", [])))]  # fmt: skip
    problems = []
    for path in [*paths, *derived]:
        uri = _get(run, path)
        problem = uri_problem(uri)
        if problem is None and path in paths:
            if uri not in looked:
                looked[uri] = path_problem(root, uri)
            problem = looked[uri]
        if problem is not None:
            fix = (f"write a path relative to the records folder or a URI, at most "
                   f"{MAX_URI_LENGTH:,} characters (docs/records.md, Limits)")  # fmt: skip
            problems.append(Problem(name, where(path), field_name(path), problem, fix))
    return problems


def _curve_problems(
    run: dict[str, Any], name: str, where: Where, dataset_ids: set[str]
) -> list[Problem]:
    """Each curve has as many values as steps, and names a data set of the run if any."""
    problems = []
    for index, curve in enumerate(run.get("curves", [])):
        if len(curve["steps"]) != len(curve["values"]):
            path: JsonPath = ("curves", index, "values")
            problem = f"{len(curve['values'])} values for {len(curve['steps'])} steps"
            fix = "give one value per step"
            problems.append(Problem(name, where(path), field_name(path), problem, fix))
        if "dataset" in curve and curve["dataset"] not in dataset_ids:
            path = ("curves", index, "dataset")
            problems.append(
                _unknown_dataset(name, where(path), path, curve["dataset"], dataset_ids)
            )
    return problems


def _dataset_problems(
    run: dict[str, Any], name: str, where: Where, problems: list[Problem]
) -> set[str]:
    seen: set[str] = set()
    for index, dataset in enumerate(run["datasets"]):
        if dataset["id"] in seen:
            fix = "give each data set of a run its own id"
            path: JsonPath = ("datasets", index, "id")
            problem = f"{dataset['id']!r} is used twice"
            problems.append(Problem(name, where(path), field_name(path), problem, fix))
        seen.add(dataset["id"])
    return seen


def _prediction_problems(
    root: Path,
    predictions: dict[str, Any],
    name: str,
    where: Where,
    dataset_ids: set[str],
    columns: bool,
) -> list[Problem]:
    problems = []
    if predictions["dataset"] not in dataset_ids:
        path: JsonPath = ("predictions", "dataset")
        problems.append(
            _unknown_dataset(name, where(path), path, predictions["dataset"], dataset_ids)
        )
    uri_path: JsonPath = ("predictions", "uri")
    line = where(uri_path)
    file = inside(root, predictions["uri"])
    if file is None:
        problem = f"{predictions['uri']!r} is outside the records folder"
        fix = "copy the predictions file into the records folder and give its relative path"
        return [*problems, Problem(name, line, "predictions.uri", problem, fix)]
    if not file.is_file():
        problem = f"file {predictions['uri']!r} does not exist"
        fix = "give the path relative to the records folder, or write the file"
        return [*problems, Problem(name, line, "predictions.uri", problem, fix)]
    if not columns:
        return problems
    try:
        present = set(column_names(file))
    except TableError as error:
        fix = "write it again as Parquet, CSV with a header, or JSONL"
        return [
            *problems,
            Problem(name, line, "predictions.uri", f"{predictions['uri']} {error}", fix),
        ]
    return problems + _column_problems(predictions["columns"], present, name, where)


def _column_problems(
    columns: dict[str, Any], present: set[str], name: str, where: Where
) -> list[Problem]:
    problems = []
    wanted: list[tuple[JsonPath, str]] = [
        (("predictions", "columns", role), column)
        for role, column in columns.items()
        if role not in ("sensitive", "y_score_by_class")
    ]
    wanted += [
        (("predictions", "columns", "sensitive", i), column)
        for i, column in enumerate(columns.get("sensitive", []))
    ]
    wanted += [
        (("predictions", "columns", "y_score_by_class", label), column)
        for label, column in columns.get("y_score_by_class", {}).items()
    ]
    available = ", ".join(sorted(present))
    if len(present) == 1 and ";" in available:  # Excel in many locales writes ";" between fields
        available += " (one column: the file looks separated by ';' — write it comma-separated)"
    sensitive = columns.get("sensitive", [])
    for i, column in enumerate(sensitive):
        if column in sensitive[:i]:
            twice: JsonPath = ("predictions", "columns", "sensitive", i)
            problem = f"column {column!r} is listed twice"
            problems.append(Problem(name, where(twice), field_name(twice), problem,
                                    "list each sensitive column once"))  # fmt: skip
    for path, column in wanted:
        if column not in present:
            problem = f"column {column!r} is not in the predictions file"
            fix = f"use one of its columns: {available}"
            problems.append(Problem(name, where(path), field_name(path), problem, fix))
    return problems


def _unknown_dataset(
    name: str, line: int | None, path: JsonPath, value: str, known: set[str]
) -> Problem:
    fix = f"use the id of one of the run's data sets: {', '.join(sorted(known))}"
    return Problem(name, line, field_name(path), f"names unknown data set {value!r}", fix)


def _get(document: dict[str, Any], path: JsonPath) -> Any:
    value: Any = document
    for part in path:
        value = value[int(part)] if isinstance(value, list) else value.get(str(part))
        if value is None:
            return None
    return value
