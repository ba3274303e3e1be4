"""JSON Schemas of the record kinds, shipped as package data (``cardpress schema KIND``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

KINDS = {
    "run": "run-1.json",
    "card": "card-1.json",
    "config": "config-1.json",
    "policy": "policy-1.json",
    "signoff": "signoff-1.json",
    "card-data": "card-data-1.json",
}


def schema_text(kind: str) -> str:
    """The JSON Schema of ``kind`` (run, card or config) as published text."""
    return resources.files(__package__).joinpath(KINDS[kind]).read_text(encoding="utf-8")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` as a dict."""
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded


CARD_DATA_SCHEMA = "cardpress/card-data/1"


def schema_errors(kind: str, document: Any) -> list[str]:
    """What in ``document`` does not follow the schema of ``kind``, as ``path: message`` lines."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema(kind))
    return [
        "/".join(str(p) for p in error.absolute_path) + f": {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
