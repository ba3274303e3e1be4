"""Check a parsed document against its JSON Schema and word each error as a :class:`Problem`.

jsonschema's own messages describe the schema; ours tell the user what to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cardpress.errors import Problem
from cardpress.readers.jsonpos import Path
from cardpress.schemas import load_schema

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

LineOf = Callable[[Path], int | None]

_TYPE_NAMES = {
    "string": "a string in quotes",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a table of fields",
    "array": "a list",
    "null": "null",
}


def schema_problems(document: Any, kind: str, file: str, line_of: LineOf) -> list[Problem]:
    """Every way ``document`` breaks the schema of ``kind``, each with a fix."""
    # jsonschema takes ~0.1 s to import: loaded when a document is checked, not on import.
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema(kind))
    problems = []
    for error in validator.iter_errors(document):
        path: Path = tuple(error.absolute_path)
        field, problem, fix = _describe(error, kind)
        problems.append(Problem(file, line_of(_located(error, path)), field, problem, fix))
    return problems


def _located(error: ValidationError, path: Path) -> Path:
    """Where to point: at the first unknown key itself, not at the table that holds it."""
    schema: Any = error.schema
    if error.validator == "additionalProperties" and isinstance(schema, dict):
        instance: Any = error.instance
        extras = sorted(set(instance) - set(schema.get("properties", {})))
        return (*path, extras[0]) if extras else path
    return path


def field_name(path: Path) -> str:
    """A path as users write it: ``datasets[1].sha256``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _describe(error: ValidationError, kind: str) -> tuple[str, str, str]:
    path: Path = tuple(error.absolute_path)
    field = field_name(path)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        child = field_name((*path, missing))
        hint = _property_help(schema, missing)
        return child, "missing required field", f"add {child}{hint}"
    if error.validator == "additionalProperties":
        extras = sorted(set(instance) - set(schema.get("properties", {})))
        known = ", ".join(sorted(schema.get("properties", {})))
        names = ", ".join(field_name((*path, extra)) for extra in extras)
        return names, "unknown field", f"remove it or correct the spelling (known fields: {known})"
    if error.validator == "type":
        wanted: Any = error.validator_value
        wanted_list: list[str] = wanted if isinstance(wanted, list) else [wanted]
        words = " or ".join(_TYPE_NAMES.get(w, w) for w in wanted_list)
        return field, f"is {_kind_of(error.instance)}, expected {words}", f"write it as {words}"
    if error.validator == "const":
        value = error.validator_value
        return field, f"is {error.instance!r}, expected {value!r}", f"set it to {value!r}"
    if error.validator == "enum":
        choices: Any = error.validator_value
        allowed = ", ".join(repr(v) for v in choices)
        return field, f"{error.instance!r} is not allowed", f"use one of {allowed}"
    if error.validator == "pattern" and field.startswith("lineage.model_uris"):
        fix = 'write both, e.g. "models://*/**/{model}/{version}"'
        return field, f"{error.instance!r} lacks {{model}} or {{version}}", fix
    if error.validator == "pattern" and error.validator_value == r"\S":  # text, but blank
        return field, "is blank", "write it out: blank text says nothing"
    if error.validator == "pattern":
        if _escapes(error.instance):
            problem = f"{error.instance!r} would write outside the output folder"
            return field, problem, _pattern_fix(field)
        return field, f"{error.instance!r} is not valid", _pattern_fix(field)
    if error.validator in {"minItems", "minLength"}:
        return field, "is empty", "give at least one entry"
    return field, str(error.message), f"see `cardpress schema {kind}` for what is allowed"


def _property_help(schema: dict[str, Any], name: str) -> str:
    described = schema.get("properties", {}).get(name, {}).get("description")
    return f" ({described[0].lower()}{described[1:].rstrip('.')})" if described else ""


def _pattern_fix(field: str) -> str:
    if field.endswith("sha256"):
        return "give the 64-character lower-case hex sha256 of the file (sha256sum FILE)"
    return (
        "use 1–128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit; "
        "no '/', no spaces, no '..'"
    )


def _escapes(value: Any) -> bool:
    return isinstance(value, str) and ("/" in value or "\\" in value or value.startswith("."))


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if value is None:
        return "null"
    return "a list" if isinstance(value, list) else "a table of fields"
