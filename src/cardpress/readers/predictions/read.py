"""Load an evaluation-predictions table (Parquet, CSV or JSONL): only the columns a report needs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from cardpress.errors import Problem
from cardpress.model import FairnessSettings, Predictions, Run
from cardpress.readers.files import inside
from cardpress.readers.predictions.checks import _row_count, checked_predictions
from cardpress.readers.predictions.multiclass import checked_multiclass, is_multiclass
from cardpress.readers.predictions.task import checked_regression, infer_task
from cardpress.readers.tables import FORMATS, jsonl_fault

JSONL = {suffix for suffix, name in FORMATS.items() if name == "JSONL"}
# the checks that turn a task's predictions into its checked table (binary: the default)
CHECKS = {"regression": checked_regression, "multiclass": checked_multiclass}


def prediction_columns(predictions: Predictions) -> list[str]:
    """The columns a fairness report reads, each once, in a stable order."""
    wanted = [predictions.y_true, predictions.y_pred]
    if predictions.y_score:
        wanted.append(predictions.y_score)
    wanted += [column for _, column in predictions.y_score_by_class]
    if predictions.weight:
        wanted.append(predictions.weight)
    wanted += list(predictions.sensitive)
    return list(dict.fromkeys(wanted))


def read_predictions(
    root: Path, predictions: Predictions, problems: list[Problem], classes: bool = False
) -> pd.DataFrame | None:
    """The needed columns of the predictions file, or None after appending why not.

    The file's existence and columns were checked when the run record was read; what can still
    go wrong here is the content (a truncated or mislabelled file). ``classes``: the labels are a
    multiclass model's (also when it names per-class scores), so Parquet text labels are read
    as categories (dictionary-encoded): a code per row instead of a string, the classes once.
    """
    path = inside(root, predictions.uri)
    if path is None:  # validated already; kept so a direct caller cannot read outside root
        return None
    columns = prediction_columns(predictions)
    try:
        classes = classes or bool(predictions.y_score_by_class)
        labels = [predictions.y_true, predictions.y_pred] if classes else []
        table = _read_table(path, columns, labels)
    except (pa.ArrowException, OSError, ValueError) as error:
        problems.append(_unreadable(path, predictions.uri, error))
        return None
    for index, field in enumerate(table.schema):  # decimals are numbers (pandas: Decimal objects)
        if pa.types.is_decimal(field.type):
            table = table.set_column(index, field.name, table.column(index).cast(pa.float64()))
    nested = [f.name for f in table.schema if pa.types.is_nested(f.type)]
    if nested:  # a list or a record in a cell is no label, score or group
        kind = table.schema.field(nested[0]).type
        fix = "write one plain value (a number or a text) in each cell of the column"
        problem = f"holds nested values ({kind}), not one value a row"
        problems.append(Problem(predictions.uri, None, nested[0], problem, fix))
        return None
    # whole-number groups with a missing value stay whole (pandas makes them floats: "1.0")
    holed = [c for c in predictions.sensitive if _whole_with_holes(table, c)]
    # the Arrow buffers are released column by column as pandas takes them: half the peak memory
    frame: pd.DataFrame = table.to_pandas(split_blocks=True, self_destruct=True)
    for column in holed:
        frame[column] = frame[column].astype("Int64")
    return frame


def _unreadable(path: Path, uri: str, error: Exception) -> Problem:
    """Why a predictions file cannot be read: for JSONL, the line at fault when it is found."""
    fault = jsonl_fault(path) if path.suffix.lower() in JSONL else None
    if fault is None:
        fix = "write it again as Parquet, CSV with a header, or JSONL, one object per line"
        reason = re.sub(r" in row \d+$", "", str(error))  # Arrow's row counts within a block
        return Problem(uri, None, "", f"cannot be read as a table ({reason})", fix)
    line, key, problem = fault
    fix = (
        f"write {key!r} as the same kind of value on every line (a number without quotes)"
        if key
        else "write one JSON object on each line"
    )
    return Problem(uri, line, key, problem, fix)


def _read_table(path: Path, columns: list[str], labels: list[str]) -> pa.Table:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        schema = pq.read_schema(path)
        text = [c for c in labels if c in schema.names and _is_text(schema.field(c).type)]
        # pre_buffer off: the column chunks are not all held compressed next to the decoded
        # table (at 10M rows that was a third of the peak memory); a local file loses nothing
        return pq.read_table(path, columns=columns, read_dictionary=text or None, pre_buffer=False)
    if suffix == ".csv":
        # an empty cell is a missing value, as in any other column (not the text "")
        options = pacsv.ConvertOptions(include_columns=columns, strings_can_be_null=True)
        return pacsv.read_csv(path, convert_options=options)
    return pajson.read_json(path).select(columns)


def _whole_with_holes(table: pa.Table, column: str) -> bool:
    return bool(pa.types.is_integer(table.schema.field(column).type)) and bool(
        table.column(column).null_count
    )


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def fairness_tables(
    root: Path, runs: list[Run], settings: FairnessSettings, problems: list[Problem]
) -> Iterator[tuple[Run, str, pd.DataFrame]]:
    """Each run that names sensitive columns, its task, and its checked table, one at a time.

    The task is the run record's ``model.task``, else inferred from the table
    (:func:`cardpress.readers.prediction_task.infer_task`).

    One table is in memory at a time. Problems are appended to ``problems``; the caller raises
    them once every table has been read, so a user sees them all at once.
    """
    reference = dict(settings.reference)
    for run in runs:
        predictions = run.predictions
        if predictions is None or not predictions.sensitive:
            continue
        frame = read_predictions(root, predictions, problems, run.task == "multiclass")
        if frame is None:
            continue
        if len(frame) == 0:  # a header alone: no task to infer, no column type to complain about
            problems += _row_count(frame, predictions, run.datasets)
            continue
        task, found = infer_task(frame, predictions, run.task, run.source.file)
        problems += found
        if task is None:
            continue
        if task == "binary" and is_multiclass(run, frame):  # per-class scores named
            task = "multiclass"
        check = CHECKS.get(task, checked_predictions)
        checked, found = check(frame, predictions, run.datasets, reference)
        del frame
        problems += found
        if checked is not None:
            yield run, task, checked
