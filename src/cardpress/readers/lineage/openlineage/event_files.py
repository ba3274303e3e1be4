"""The JSON values of an OpenLineage events file, each with the line it starts on.

The openlineage-python file transport writes one event per line (``append: true``) or one
pretty-printed event a file; users concatenate them, or write a JSON array. Every form is read,
and a broken event is skipped with a warning, reading on at the next line that starts a value.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cardpress.readers.limits import MAX_JSON_DEPTH, MAX_LINEAGE_BYTES, json_too_deep

MAX_FILE_WARNINGS = 5
NEWLINE, SPACE = re.compile(r"\n"), re.compile(r"\s*")
FORMATS = (
    "JSON Lines (one event per line, as the openlineage-python file transport writes "
    "them), one pretty-printed event, events one after the other, or a JSON array"
)


def events_of(path: Path, name: str, warnings: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The events of one file with the line each starts on.

    JSON Lines, one (pretty-printed) event, events one after the other, or a JSON array of
    events are all read. A broken event is skipped with a warning and reading resumes at the
    next line that starts an object; past :data:`MAX_FILE_WARNINGS` the rest are counted, and a
    file of which nothing could be read is one warning that says which formats are read.
    """
    try:
        if path.stat().st_size > MAX_LINEAGE_BYTES:
            warnings.append(f"{name}: larger than {MAX_LINEAGE_BYTES >> 20} MiB; its events "
                            "are skipped (split it into smaller files)")  # fmt: skip
            return
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        warnings.append(f"{name}: cannot be read ({error}); its events are skipped")
        return
    problems: list[str] = []
    found = 0
    for line, value in _values(text, name, problems):
        items = value if isinstance(value, list) else [value]
        events = [item for item in items if isinstance(item, dict)]
        if len(events) < len(items):
            what = "a JSON array with items that are not objects" if events else "not a JSON object"
            problems.append(f"{name}:{line}: {what}; skipped")
        found += len(events)
        yield from ((line, event) for event in events)
    if problems and not found:
        first = f"{problems[0]}{_more(problems)}"
        warnings.append(f"{name}: no OpenLineage event could be read ({first}). Events are "
                        f"read as {FORMATS}")  # fmt: skip
        return
    warnings += problems[:MAX_FILE_WARNINGS]
    if len(problems) > MAX_FILE_WARNINGS:
        warnings.append(f"{name}: and {len(problems) - MAX_FILE_WARNINGS} more problems; events "
                        f"are read as {FORMATS}")  # fmt: skip


def _more(problems: list[str]) -> str:
    return f", and {len(problems) - 1} more problems" if len(problems) > 1 else ""


def _values(text: str, name: str, problems: list[str]) -> Iterator[tuple[int, Any]]:
    """Each JSON value of ``text`` in turn, with its first line."""
    decoder = json.JSONDecoder()
    starts = [0, *(m.end() for m in NEWLINE.finditer(text))]
    position = _skip_space(text, 0)
    while position < len(text):
        line = bisect_right(starts, position)
        end = _value_end(text, position, starts, line)
        chunk = text[position:end]
        deep = json_too_deep(chunk)
        if deep is not None:
            problems.append(f"{name}:{line + deep - 1}: arrays and objects nested deeper than "
                            f"{MAX_JSON_DEPTH} levels; skipped")  # fmt: skip
            position = _next_start(text, starts, line)
            continue
        try:
            value, stop = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            at = bisect_right(starts, error.pos)
            problems.append(f"{name}:{at}: not a JSON object ({error.msg}); skipped")
            position = _next_start(text, starts, line)
            continue
        except RecursionError:  # nested deeper than the check above could see
            problems.append(f"{name}:{line}: arrays and objects nested deeper than "
                            f"{MAX_JSON_DEPTH} levels; skipped")  # fmt: skip
            position = _next_start(text, starts, line)
            continue
        yield line, value
        position = _skip_space(text, stop)


def _value_end(text: str, position: int, starts: list[int], line: int) -> int:
    """Where the value that starts at ``position`` ends at the latest.

    That is the next line that starts an object or array at its first column (JSON Lines,
    pretty-printed events one after the other).
    """
    following = _next_start(text, starts, line)
    return following if following > position else len(text)


def _next_start(text: str, starts: list[int], line: int) -> int:
    """The offset of the first line after ``line`` (1-based) that starts with ``{`` or ``[``."""
    for index in range(line, len(starts)):  # no slice: JSON Lines stop at the first
        if text.startswith(("{", "["), starts[index]):
            return starts[index]
    return len(text)


def _skip_space(text: str, position: int) -> int:
    found = SPACE.match(text, position)
    return found.end() if found else position
