"""Checks on the arguments of the logging API; each failure names the argument and the fix."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from cardpress.errors import ArgumentError
from cardpress.schemas import load_schema

Scalar = str | int | float | bool | None

NAME_RULE = (
    "use 1–128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit "
    "(no '/', no spaces), e.g. 'income-classifier'"
)


@cache
def name_pattern() -> re.Pattern[str]:
    """The pattern of names that become URL segments, as the run schema states it."""
    model = load_schema("run")["properties"]["model"]["properties"]["name"]
    return re.compile(str(model["pattern"]))


@cache
def roles() -> tuple[str, ...]:
    """The data set roles the run schema allows."""
    dataset = load_schema("run")["properties"]["datasets"]["items"]
    return tuple(dataset["properties"]["role"]["enum"])


def check_name(argument: str, value: object) -> str:
    """A model name, version or data set id: it becomes a file or URL segment, so it is strict."""
    if isinstance(value, int) and not isinstance(value, bool) and argument.endswith("version"):
        raise ArgumentError(f"{argument}: {value!r} is a number — write it as a string: '{value}'")
    if not isinstance(value, str):
        raise ArgumentError(f"{argument}: {value!r} is not a string — {NAME_RULE}")
    if not name_pattern().fullmatch(value):
        escapes = "/" in value or "\\" in value or value.startswith(".")
        problem = "would write outside the records folder" if escapes else "is not a valid name"
        raise ArgumentError(f"{argument}: {value!r} {problem} — {NAME_RULE}")
    return value


def check_key(argument: str, value: object) -> str:
    """A metric or parameter name: any non-empty text without control characters or padding."""
    if not isinstance(value, str) or not value:
        raise ArgumentError(f"{argument}: {value!r} is not a name — give a non-empty string")
    if value != value.strip() or not value.isprintable():
        raise ArgumentError(
            f"{argument}: {value!r} has surrounding spaces or control characters — "
            "remove them, e.g. 'max_iter'"
        )
    return value


def check_role(argument: str, value: object) -> str:
    """A data set role from the schema, with the nearest allowed role suggested."""
    allowed = roles()
    if isinstance(value, str) and value in allowed:
        return value
    close = difflib.get_close_matches(str(value), allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ArgumentError(
        f"{argument}: unknown role {value!r} — {hint}use one of {', '.join(allowed)}"
    )


def plain(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds; anything else unchanged."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "shape", None) == ():
        return value.item()
    return value


def check_number(argument: str, value: Any) -> int | float:
    """A finite number (bool is refused: True is not a measurement)."""
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentError(f"{argument}: {value!r} is not a number — log a finite number")
    if isinstance(value, int) and not _fits_float(value):
        # readers take numbers as 64-bit floats; math.isfinite would raise OverflowError here,
        # and repr() of such an int can raise too (Python's limit on digits): not shown
        raise ArgumentError(
            f"{argument}: an integer too large for a number in a record (over 1.8e308) — log "
            "a finite float, or the value as a string"
        )
    if not math.isfinite(value):
        raise ArgumentError(
            f"{argument}: {value!r} is not finite — log a finite number, or leave it out "
            "(JSON has no NaN or infinity)"
        )
    return value


def _fits_float(value: int) -> bool:
    try:
        float(value)
    except OverflowError:
        return False
    return True


def check_scalar(argument: str, value: Any, *, allow_none: bool = True) -> Scalar:
    """A string, finite number, bool or (if allowed) None."""
    value = plain(value)
    if value is None and allow_none:
        return None
    if isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return check_number(argument, value)
    kinds = "a string, number, true/false" + (" or None" if allow_none else "")
    raise ArgumentError(
        f"{argument}: {type(value).__name__} {value!r} is not a single value — log {kinds} "
        "(e.g. json.dumps(value) for a list)"
    )


def check_mapping(argument: str, value: object) -> Mapping[str, Any]:
    """A mapping (dict); None is an empty one."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ArgumentError(f"{argument}: {value!r} is not a dict — pass {{name: value, ...}}")
    return value


def check_time(argument: str, value: object) -> datetime:
    """A time with a time zone: a datetime or an ISO 8601 string."""
    parsed = value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if not isinstance(parsed, datetime):
        raise ArgumentError(
            f"{argument}: {value!r} is not a time — pass a datetime with a time zone, "
            "e.g. datetime.now(UTC), or '2026-05-01T12:00:00Z'"
        )
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ArgumentError(
            f"{argument}: {value!r} has no time zone — pass an aware datetime, "
            "e.g. datetime(2026, 5, 1, 12, tzinfo=UTC)"
        )
    return parsed


def iso(moment: datetime) -> str:
    """A time in UTC as ISO 8601 with ``Z``, as the run records write it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def check_ci(argument: str, value: object) -> dict[str, Any]:
    """A confidence interval: ``(lower, upper)`` or a dict with lower, upper, level, method."""
    if isinstance(value, tuple | list) and len(value) == 2:
        value = {"lower": value[0], "upper": value[1]}
    if not isinstance(value, Mapping):
        raise ArgumentError(
            f"{argument}: {value!r} is not an interval — pass (lower, upper) or "
            "{'lower': …, 'upper': …, 'level': 0.95, 'method': 'Wilson score'}"
        )
    unknown = sorted(set(value) - {"lower", "upper", "level", "method"})
    if unknown or "lower" not in value or "upper" not in value:
        raise ArgumentError(
            f"{argument}: needs 'lower' and 'upper' (and optionally 'level', 'method'); "
            f"got keys {sorted(value)} — rename or remove the others"
        )
    ci: dict[str, Any] = {
        "lower": check_number(f"{argument}['lower']", value["lower"]),
        "upper": check_number(f"{argument}['upper']", value["upper"]),
    }
    if ci["lower"] > ci["upper"]:
        raise ArgumentError(f"{argument}: lower {ci['lower']} is above upper {ci['upper']} — "
                            "swap them")  # fmt: skip
    if value.get("level") is not None:
        level = check_number(f"{argument}['level']", value["level"])
        if not 0 < level < 1:
            raise ArgumentError(f"{argument}['level']: {level} is not between 0 and 1 — "
                                "write 0.95 for a 95% interval")  # fmt: skip
        ci["level"] = level
    if value.get("method") is not None:
        ci["method"] = str(value["method"])
    return ci


def check_slice(argument: str, value: object) -> dict[str, str | int | float | bool]:
    """A group of a disaggregated metric: column → value."""
    groups = check_mapping(argument, value)
    checked: dict[str, str | int | float | bool] = {}
    for column, group in groups.items():
        key = check_key(f"{argument} key", column)
        scalar = check_scalar(f"{argument}[{column!r}]", group, allow_none=False)
        assert scalar is not None  # allow_none=False
        checked[key] = scalar
    return checked
