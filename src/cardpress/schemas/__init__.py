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
}


def schema_text(kind: str) -> str:
    """The JSON Schema of ``kind`` (run, card or config) as published text."""
    return resources.files(__package__).joinpath(KINDS[kind]).read_text(encoding="utf-8")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` as a dict."""
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded
