"""README, docs and CI stay true to the code."""

from __future__ import annotations

import json
import re

from cardpress.schemas import KINDS, schema_text
from tests.conftest import REPO


def _properties(schema: dict, prefix: str = "", root: dict | None = None) -> set[str]:  # type: ignore[type-arg]
    """Every property name, following items, oneOf alternatives and $refs into $defs."""
    root = root or schema
    names = set()
    for name, sub in schema.get("properties", {}).items():
        names.add(f"{prefix}{name}")
        for part in _parts(sub, root):
            names |= _properties(part, f"{name}.", root)
    return names


def _parts(schema: dict, root: dict) -> list[dict]:  # type: ignore[type-arg]
    if "$ref" in schema:
        return _parts(root["$defs"][schema["$ref"].split("/")[-1]], root)
    if "items" in schema:
        return _parts(schema["items"], root)
    if "oneOf" in schema:
        return [p for alternative in schema["oneOf"] for p in _parts(alternative, root)]
    return [schema]


def test_every_record_field_is_documented() -> None:
    docs = (REPO / "docs" / "records.md").read_text() + (REPO / "docs" / "export.md").read_text()
    for kind in KINDS:
        for name in _properties(json.loads(schema_text(kind))):
            leaf = name.split(".")[-1]
            assert f"`{leaf}" in docs or f".{leaf}`" in docs or f"`{name}" in docs, (kind, name)


def test_readme_quickstart_is_exactly_two_commands_and_ci_runs_them() -> None:
    readme = (REPO / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)\n```", quickstart, re.DOTALL)
    assert len(blocks) == 2 and all("\n" not in block for block in blocks)
    assert "cardpress build examples/adult-income -o site" in blocks[0]
    assert blocks[1].endswith("pytest")
    ci = (REPO / ".ci" / "run").read_text()
    assert "build-command" in ci and "test-command" in ci


def test_every_cli_command_is_in_the_readme() -> None:
    from cardpress.cli import cli

    readme = (REPO / "README.md").read_text()
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"cardpress {name}" in readme, name
