"""A monitoring CSV file checked and typed before it is read: one problem, with its line.

CSV has no types, and a guess from the values (DuckDB's sniffer) differs from file to file and
from the Parquet written from the same data: ``model_version`` "1" becomes a number. So the
types come from the other files of the model (Parquet footers, JSONL) or the config, and are
inferred from the values only for the columns nothing else types: a whole column of integers is
an integer, of numbers a float, anything else text. One DuckDB pass reads every value as text,
checks the row shape (strict mode) and counts the values that are not of their column's type;
only when that finds something is the file scanned again, in Python, for the line to name.
Every engine then reads the file as text and casts to those types, so DuckDB and Spark agree.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from cardpress.errors import Problem
from cardpress.model_drift import DriftSettings

_OPTIONS = "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"'"


def csv_table(
    con: Any, path: Path, name: str, known: Mapping[str, dt.DataType], problems: list[Problem]
) -> ir.Table | None:
    """The file's rows with one type per column, or None with the problem that stops it."""
    header = _header(path, name, problems)
    if header is None:
        return None
    types = _types(path, name, header, known, problems)
    if types is None:
        return None
    if con.name == "pyspark":  # every column as text: the casts below type them
        table = con.read_csv(str(path), inferSchema=False, header=True, escape='"')
    else:
        text = dict.fromkeys(header, "VARCHAR")
        table = con.read_csv(path, columns=text, header=True, auto_detect=False, delim=",",
                             quote='"', escape='"')  # fmt: skip
    return table.select(*(table[c].cast(types[c]).name(c) for c in header))


def _header(path: Path, name: str, problems: list[Problem]) -> list[str] | None:
    try:
        first = next(_rows(path), None)
    except (UnicodeDecodeError, csv.Error) as error:
        problems.append(Problem(name, 1, "", f"cannot be read: {error}", "save it as UTF-8 CSV"))
        return None
    if first is None or not any(c.strip() for c in first[1]):
        fix = "write the column names on the first line (or remove the file)"
        problems.append(Problem(name, None, "", "is empty: a CSV file needs a header row", fix))
        return None
    header = first[1]
    blank = [i + 1 for i, c in enumerate(header) if not c.strip()]
    twice = sorted({c for c in header if header.count(c) > 1})
    twins = case_twins(header)
    if blank or twice or twins:
        if blank:
            what = f"column {blank[0]} has no name"
        elif twice:
            what = f"column {twice[0]!r} is named twice"
        else:
            what = _twins_text(twins)
        fix = "give every column of the header row its own name"
        problems.append(Problem(name, first[0], "", f"header row: {what}", fix))
        return None
    return header


def case_twins(names: list[str]) -> tuple[str, str] | None:
    """The first two column names that differ only in case, if any.

    SQL engines (DuckDB, Spark) match column names without regard to case, so such a pair is
    one column to them: DuckDB renames the second (``amount_1``), and which values a name gets
    can depend on the file's column order.
    """
    seen: dict[str, str] = {}
    for name in names:
        other = seen.setdefault(name.casefold(), name)
        if other != name:
            return other, name
    return None


def _twins_text(twins: tuple[str, str] | None) -> str:
    assert twins is not None
    return (f"columns {twins[0]!r} and {twins[1]!r} differ only in case: the engines that read "
            "monitoring rows (DuckDB, Spark) take them for one column")  # fmt: skip


def twins_problem(name: str, twins: tuple[str, str]) -> Problem:
    """The problem of a file whose columns ``twins`` differ only in case."""
    return Problem(name, None, twins[1], _twins_text(twins), "rename one of the two columns")


def _types(
    path: Path,
    name: str,
    header: list[str],
    known: Mapping[str, dt.DataType],
    problems: list[Problem],
) -> dict[str, dt.DataType] | None:
    """Each column's type; None with a problem naming the line of a ragged row or bad value."""
    import duckdb

    wanted = {c: _checkable(known[c]) for c in header if c in known}
    checks = [(c, t) for c, t in wanted.items() if t is not None and not t.is_string()]
    guesses = [(c, t) for c in header if c not in wanted for t in (dt.int64, dt.float64)]
    counts = [f"count_if({_q(c)} IS NOT NULL AND {_not_of(c, t)})"
              for c, t in [*checks, *guesses]]  # fmt: skip
    columns = ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header)
    source = f"read_csv(?, {_OPTIONS}, columns = {{{columns}}}, strict_mode = true)"
    with duckdb.connect() as db:
        try:
            found = db.execute(f"SELECT 0, {', '.join(counts) or '0'} FROM {source}",
                               [str(path)]).fetchone()  # fmt: skip
        except duckdb.Error as error:
            problems.append(_shape_problem(path, name, len(header), error))
            return None
        bad = dict(zip(checks, (found or [])[1:], strict=False))
        for (column, kind), count in bad.items():
            if count:
                problems.append(_value_problem(db, source, path, name, header, column, kind))
                return None
    guessed = dict(zip(guesses, (found or [])[1 + len(checks) :], strict=False))
    types: dict[str, dt.DataType] = {}
    for column in header:
        kind = wanted.get(column)
        if column in wanted:
            types[column] = known[column] if kind is not None else dt.string
        elif guessed[(column, dt.int64)] == 0:
            types[column] = dt.int64
        else:
            types[column] = dt.float64 if guessed[(column, dt.float64)] == 0 else dt.string
    return types


def _checkable(kind: dt.DataType) -> dt.DataType | None:
    """The type a text value is checked against, or None when it stays text (e.g. a struct)."""
    if kind.is_numeric() or kind.is_boolean() or kind.is_string() or kind.is_date():
        return kind
    return kind if kind.is_timestamp() else None


def _shape_problem(path: Path, name: str, width: int, error: Exception) -> Problem:
    """The first row whose field count is not the header's, else DuckDB's own words."""
    try:
        for line, row in _rows(path):
            if row and len(row) != width and line > 1:
                fix = "add the missing fields (empty for none)"
                if len(row) > width:
                    fix = "remove the extra fields, or quote values that contain a comma"
                message = f"row has {len(row)} fields, header has {width}"
                return Problem(name, line, "", message, fix)
    except (UnicodeDecodeError, csv.Error) as problem:
        return Problem(name, None, "", f"cannot be read: {problem}", "save it as UTF-8 CSV")
    first = str(error).strip().splitlines()[0][:200]
    return Problem(name, None, "", f"cannot be read: {first}", "check that the file is CSV")


def _value_problem(
    db: Any, source: str, path: Path, name: str, header: list[str], column: str, kind: Any
) -> Problem:
    """The first line whose value in ``column`` is not of ``kind`` (the other files' type)."""
    query = (f"SELECT DISTINCT {_q(column)} FROM {source} WHERE {_q(column)} IS NOT NULL "
             f"AND {_not_of(column, kind)} LIMIT 10000")  # fmt: skip
    values = {row[0] for row in db.execute(query, [str(path)]).fetchall()}
    index = header.index(column)
    line, value = next(((n, r[index]) for n, r in _rows(path) if n > 1 and r[index] in values),
                       (None, min(values)))  # fmt: skip
    fix = f"write a {kind} there, or leave it empty for a missing value"
    message = f"{value!r} is not a {kind} (the column's type in the other files or the config)"
    return Problem(name, line, column, message, fix)


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank row with the line it starts on."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        start = 1
        for row in reader:
            if row:
                yield start, row
            start = reader.line_num + 1


def _not_of(column: str, kind: Any) -> str:
    """SQL true when a (non-null) text value of ``column`` is not a value of ``kind``.

    DuckDB casts the text "67.885" to the integer 68: a whole-number type also needs digits
    only, or a column of decimals would be read as integers, rounded.
    """
    cast = f"TRY_CAST({_q(column)} AS {_sql(kind)}) IS NULL"
    if not kind.is_integer():
        return cast
    return f"({cast} OR NOT regexp_full_match(trim({_q(column)}), '[+-]?[0-9]+'))"


def _sql(kind: Any) -> str:
    from ibis.backends.sql.datatypes import DuckDBType

    return str(DuckDBType.to_string(kind))


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(column: str) -> str:
    return "'" + column.replace("'", "''") + "'"


def text_types(names: list[str]) -> dict[str, dt.DataType]:
    """Columns typed as text (a config's id, version and categorical columns)."""
    return dict.fromkeys(names, ibis.dtype("string"))


def config_types(settings: DriftSettings) -> dict[str, dt.DataType]:
    """The types cardpress.toml implies: ids, versions and categorical features are text."""
    types: dict[str, dt.DataType] = dict.fromkeys(settings.numeric, dt.float64)
    text = (settings.id, settings.version, *settings.categorical)
    types.update(dict.fromkeys(text, dt.string))
    return types
