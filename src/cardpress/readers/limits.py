"""The documented limits of what cardpress reads (docs/records.md, "Limits").

Each limit is far above what a real record needs and well below what would make a reader slow
or hungry: past it, a reader stops with a problem naming the file and the limit instead of
spending minutes and gigabytes. Every check here is one linear pass over the text.
"""

from __future__ import annotations

import re
from pathlib import Path

from cardpress.errors import Problem
from cardpress.readers.files import Allowed, contained, outside_problem, read_text, relative

MIB = 1 << 20
MAX_RUN_BYTES = 64 * MIB  # a run record; 10,000 metrics with slices and intervals are ~3 MiB
MAX_SIGNOFF_BYTES = 1 * MIB
MAX_CARD_BYTES = 512 << 10  # card.md: about 150 printed pages; Markdown takes ~10 s a MiB
MAX_LINEAGE_BYTES = 64 * MIB  # one OpenLineage events file or dvc.yaml / dvc.lock
MAX_DVC_METRICS_BYTES = 1 * MIB  # a metrics or params file named by dvc.yaml (values only)
MAX_METRICS = 10_000  # metrics[] of one run record
MAX_JSON_DEPTH = 64  # arrays and objects inside each other, in any JSON record or event
MAX_YAML_NODES = 100_000  # values of a YAML document once its aliases are expanded
MAX_YAML_DEPTH = 64  # mappings and lists inside each other in a YAML document
MAX_MARKDOWN_SPAN = 200_000  # characters inside '[' … ']' and '(' … ')' of card.md, summed,
MARKDOWN_SPAN_FACTOR = 4  # ... or four times the card's length when that is more
MAX_URI_LENGTH = 2048  # a data set, predictions or artifact URI (browsers' own limit)

_JSON_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}\n]+")


def read_limited(
    root: Path, path: Path, limit: int, problems: list[Problem], what: str, allow: Allowed = ()
) -> str | None:
    """The text of ``path`` if it is at most ``limit`` bytes, else None after a problem.

    A path that resolves outside the records folder (and ``allow``) is that problem instead.
    """
    real = contained(root, path, allow)
    if real is None:
        problems.append(outside_problem(root, path))
        return None
    try:
        size = real.stat().st_size
    except OSError:
        size = 0  # read_text names the reason
    if size > limit:
        problem = f"is {size:,} bytes, more than the {_size(limit)} a {what} may have"
        fix = f"keep {what}s under {_size(limit)} (docs/records.md, Limits)"
        problems.append(Problem(relative(root, path), None, "", problem, fix))
        return None
    return read_text(root, path, problems, allow)


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> int | None:
    """The line where arrays and objects first nest deeper than ``limit``, or None.

    Python's ``json`` recurses once per level, so without this check ``[`` repeated 100,000
    times raises RecursionError instead of a problem. Strings are dropped and everything but
    brackets and newlines removed by regular expressions (C speed); the Python loop then sees
    only those. JSON strings hold no raw newline, so the line count is kept.
    """
    depth, line = 0, 1
    for char in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        else:
            depth -= 1
    return None


def uri_problem(uri: str) -> str | None:
    """What is wrong with a URI as a URI (a NUL character, its length), or None."""
    if "\x00" in uri:
        return "contains a NUL character"
    if len(uri) > MAX_URI_LENGTH:
        return f"is {len(uri):,} characters long, more than {MAX_URI_LENGTH:,}"
    return None


def path_problem(root: Path, uri: str) -> str | None:
    """Why the local path ``uri`` cannot be looked at, or None.

    A symbolic-link loop or a name the file system refuses; URIs with a scheme are not paths.
    """
    if "://" in uri:
        return None
    try:
        (root / uri).resolve().exists()
    except RuntimeError:  # Python before 3.13 reports a symbolic-link loop so
        return "is a symbolic-link loop"
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return f"cannot be used as a path ({reason})"
    return None


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit >> 10} KiB"
