"""Read the site configuration, ``cardpress.toml`` (optional; defaults apply without it)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from cardpress.errors import Problem
from cardpress.model import FairnessSettings, LineageSettings, SiteConfig
from cardpress.model_drift import DriftSettings
from cardpress.readers.files import Allowed, contained, outside_fix, read_text
from cardpress.readers.jsonpos import Path as JsonPath
from cardpress.readers.validate import schema_problems

CONFIG_FILE = "cardpress.toml"


def read_config(root: Path, problems: list[Problem]) -> SiteConfig:
    """The site config; on a problem, append it and return the defaults."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return SiteConfig()
    text = read_text(root, path, problems)
    if text is None:
        return SiteConfig()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = _error_line(str(error))
        fix = "fix the TOML syntax (strings need quotes; tables are [name])"
        problems.append(Problem(CONFIG_FILE, line, "", f"invalid TOML: {error}", fix))
        return SiteConfig()
    found = schema_problems(document, "config", CONFIG_FILE, lambda p: _key_line(text, p))
    if found:
        problems.extend(found)
        return SiteConfig()
    allow = _allowed(root, document)
    problems.extend(_outside_paths(root, document, allow, text))
    return replace(_to_config(document), allow=tuple(p.as_posix() for p in allow))


def _allowed(root: Path, document: dict[str, Any]) -> Allowed:
    """``[paths] allow``: folders outside the records that may be read, symlinks resolved."""
    return tuple((root / a).resolve() for a in document.get("paths", {}).get("allow", []))


def config_paths(document: dict[str, Any]) -> list[tuple[JsonPath, str]]:
    """Every key that names a file or folder (relative to the records folder), with its value.

    ``document`` is the parsed cardpress.toml, its tables of the expected types.
    """
    lineage = document.get("lineage", {})
    found: list[tuple[JsonPath, str]] = []
    if "openlineage" in lineage:
        found.append((("lineage", "openlineage"), lineage["openlineage"]))
    found += [(("lineage", "dvc", i), folder) for i, folder in enumerate(lineage.get("dvc", []))]
    drift = document.get("drift", {})
    tables: list[tuple[JsonPath, dict[str, Any]]] = [(("drift",), drift)]
    tables += [(("drift", "models", n), t) for n, t in sorted(drift.get("models", {}).items())]
    for where, table in tables:
        found += [((*where, key), table[key]) for key in ("data", "cache") if key in table]
    return found


def _outside_paths(
    root: Path, document: dict[str, Any], allow: Allowed, text: str
) -> list[Problem]:
    """A problem for each path key that resolves outside the records folder (and ``allow``)."""
    problems = []
    for path, value in config_paths(document):
        if contained(root, root / value, allow) is not None:
            continue
        try:
            real = (root / value).resolve()
        except (OSError, RuntimeError, ValueError):
            real = Path(value)
        field = ".".join(str(p) for p in path if not isinstance(p, int))
        problem = f"{value!r} resolves outside the records folder (→ {real.as_posix()})"
        fix = outside_fix(real).replace("copy the file into", "name a path inside")
        line = _table_key_line(text, path) or _key_line(text, path)
        problems.append(Problem(CONFIG_FILE, line, field, problem, fix))
    return problems


def _to_config(document: dict[str, Any]) -> SiteConfig:
    site = document.get("site", {})
    return SiteConfig(
        title=site.get("title", SiteConfig.title),
        description=site.get("description"),
        organisation=site.get("organisation"),
        base_url=site["base_url"].rstrip("/") + "/" if "base_url" in site else None,
        robots=site.get("robots"),
        fairness=_fairness(document.get("fairness", {})),
        drift=_drift(DriftSettings(), document.get("drift", {})),
        drift_models=tuple(
            (name, _drift(_drift(DriftSettings(), document["drift"]), table))
            for name, table in sorted(document.get("drift", {}).get("models", {}).items())
        ),
        lineage=_lineage(document.get("lineage", {})),
        mlflow_predictions=document.get("mlflow", {}).get("predictions"),
    )


def _lineage(table: dict[str, Any]) -> LineageSettings:
    defaults = LineageSettings()
    return LineageSettings(
        openlineage=table.get("openlineage", defaults.openlineage),
        dvc=tuple(table.get("dvc", defaults.dvc)),
        hash_outside_records=table.get("hash_outside_records", defaults.hash_outside_records),
        graph_depth=table.get("graph_depth", defaults.graph_depth),
        model_uris=tuple(table.get("model_uris", defaults.model_uris)),
    )


def _drift(base: DriftSettings, table: dict[str, Any]) -> DriftSettings:
    """``base`` with the keys of one ``[drift]`` table laid over it."""
    given = {k: v for k, v in table.items() if k not in ("models", "thresholds")}
    for key in ("categorical", "numeric", "exclude"):
        if key in given:
            given[key] = tuple(given[key])
    if "thresholds" in table:
        given["thresholds"] = tuple(
            sorted({**dict(base.thresholds), **table["thresholds"]}.items())
        )
    return replace(base, **given)


def _fairness(table: dict[str, Any]) -> FairnessSettings:
    defaults = FairnessSettings()
    return FairnessSettings(
        min_group_size=table.get("min_group_size", defaults.min_group_size),
        suppress_small_groups=table.get("suppress_small_groups", defaults.suppress_small_groups),
        intersections=tuple(tuple(columns) for columns in table.get("intersections", [])),
        reference=tuple(sorted((k, str(v)) for k, v in table.get("reference", {}).items())),
        four_fifths_threshold=float(
            table.get("four_fifths_threshold", defaults.four_fifths_threshold)
        ),
        error_quantiles=tuple(
            sorted(float(q) for q in table.get("error_quantiles", defaults.error_quantiles))
        ),
    )


def _error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _key_line(text: str, path: JsonPath) -> int | None:
    """Tomllib keeps no positions: find the key's line (or its table's header) by its text."""
    keys = [str(p) for p in path if not isinstance(p, int)]
    table_line = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if keys and stripped == f"[{keys[0]}]":
            table_line = number
        elif keys and re.match(rf"^{re.escape(keys[-1])}\s*=", stripped):
            return number
    return table_line


def _table_key_line(text: str, path: JsonPath) -> int | None:
    """The line of ``key = `` under the table header that ``path`` names (``[drift.models.m]``)."""
    keys = [str(p) for p in path if not isinstance(p, int)]
    table, current = ".".join(keys[:-1]), ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\[\]]+?)\s*\]", stripped)
        if header:
            current = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
        elif current == table and re.match(rf"^{re.escape(keys[-1])}\s*=", stripped):
            return number
    return None
