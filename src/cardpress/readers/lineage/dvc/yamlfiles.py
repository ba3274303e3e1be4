"""Reading DVC's YAML files within the records folder and the limits, with line numbers."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import yaml

from cardpress.readers.files import Allowed, contained, outside_problem
from cardpress.readers.limits import MAX_LINEAGE_BYTES
from cardpress.readers.yaml_safe import YamlLimitError, load_yaml


def inside(root: Path, path: Path, allow: Allowed, warnings: list[str]) -> Path | None:
    """``path`` resolved, or None with a warning when it resolves outside the records folder."""
    real = contained(root, path, allow)
    if real is None and os.path.lexists(path):
        warnings.append(f"{outside_problem(root, path)}; skipped")
    return real


def mapping(
    root: Path, path: Path, warnings: list[str], allow: Allowed
) -> tuple[dict[str, Any], yaml.Node | None]:
    """The mapping in ``path`` and its node tree (for lines), or ``({}, None)`` with a warning."""
    if not path.is_file():
        return {}, None
    real = inside(root, path, allow, warnings)
    if real is None:
        return {}, None
    data, tree = load(root, real, MAX_LINEAGE_BYTES, warnings)
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        warnings.append(f"{shown(root, path)}: not a YAML mapping; skipped")
        return {}, None
    return data, tree


def load(root: Path, path: Path, limit: int, warnings: list[str]) -> tuple[Any, yaml.Node | None]:
    """The values of ``path`` and their YAML nodes, or None after a warning (a limit, bad text).

    A ``.toml`` file (DVC reads params and metrics as TOML too) is TOML, without nodes; any
    other is YAML, which JSON is as well.
    """
    toml = path.suffix.lower() == ".toml"
    try:
        if path.stat().st_size > limit:
            warnings.append(f"{shown(root, path)}: larger than {limit >> 20} MiB; skipped")
            return None, None
        text = path.read_text(encoding="utf-8-sig")
        return (tomllib.loads(text), None) if toml else load_yaml(text)
    except YamlLimitError as error:
        warnings.append(f"{shown(root, path)}:{error.line}: {error}; skipped")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, tomllib.TOMLDecodeError,
            RecursionError) as error:  # fmt: skip
        kind = "TOML" if toml else "YAML"
        warnings.append(f"{shown(root, path)}: cannot be read as {kind} ({error}); skipped")
    return None, None


def line(tree: yaml.Node | None, *keys: str) -> int | None:
    """The line (1-based) of the key at ``keys`` in a mapping tree, or None."""
    node, found = tree, None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
        if match is None:
            return None
        found, node = match[0].start_mark.line + 1, match[1]
    return found


def shown(root: Path, path: Path) -> str:
    """``path`` relative to the records folder, or as written when outside it."""
    try:
        resolved, top = path.resolve(), root.resolve()
    except (OSError, RuntimeError):  # a symbolic-link loop: shown as written
        return str(path)
    if not resolved.is_relative_to(top):
        return str(path)
    return resolved.relative_to(top).as_posix() or "."


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (a key of an unexpected shape)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []
