"""The jinja2 environment: a project's own ``templates/`` first, then the default theme."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from markupsafe import Markup

from cardpress.errors import BuildError
from cardpress.readers.files import contained, outside_problem


def default_templates_dir() -> Path:
    """The default theme: inside the installed wheel, or ``templates/`` of a source checkout."""
    packaged = Path(str(resources.files("cardpress"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


class ContainedLoader(jinja2.BaseLoader):
    """Templates from folders in order, each read only if it resolves inside its bounds.

    jinja2's FileSystemLoader follows symlinks anywhere: a ``templates/card.html`` linked to
    ``/etc/passwd`` would be rendered into the site. Here a template is resolved first and the
    resolved file is read, if it lies in its folder or one of ``bounds`` (the records folder and
    the allowed roots); otherwise the build stops (``validate`` names such links earlier).
    """

    def __init__(self, folders: list[Path], bounds: tuple[Path, ...] = ()) -> None:
        self.folders = folders
        self.bounds = bounds

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """The template's text and resolved file name (a template is never reloaded)."""
        pieces = split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            real = contained_file(folder, path, self.bounds)
            if real.is_file():
                return real.read_text(encoding="utf-8"), str(real), lambda: True
        raise jinja2.TemplateNotFound(template)


def contained_file(folder: Path, path: Path, bounds: tuple[Path, ...]) -> Path:
    """``path`` (under ``folder``) resolved, if inside ``folder`` or ``bounds``.

    Raises:
        BuildError: it resolves elsewhere (a symlink out of the records folder).
    """
    real = contained(folder, path, bounds)
    if real is None:
        where = outside_problem(folder, path)
        raise BuildError(f"{path}: {where.problem} — {where.fix}")
    return real


def make_env(project_templates: Path | None, bounds: tuple[Path, ...] = ()) -> jinja2.Environment:
    """An autoescaping environment; a template in ``project_templates`` overrides the default.

    A template that resolves outside its folder and ``bounds`` (the records folder and the
    allowed roots, resolved) stops the build instead of being read.
    """
    folders = [project_templates] if project_templates and project_templates.is_dir() else []
    folders.append(default_templates_dir())
    env = jinja2.Environment(
        loader=ContainedLoader(folders, bounds),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build is one short process: checking every template file's mtime at each of
        # thousands of renders cost a third of a second on a large site.
        auto_reload=False,
    )
    env.filters["num"] = format_number
    env.filters["when"] = format_when
    env.filters["pct"] = format_share
    env.filters["bytes"] = format_bytes
    env.filters["literal"] = format_literal
    env.filters["prefixed"] = prefixed
    env.filters["script_json"] = script_json
    return env


def format_number(value: Any) -> str:
    """A metric for people: four decimals, trailing zeros dropped.

    0 stays "0", tiny values keep their magnitude (1.2e-06), NaN and missing are "undefined".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if value != 0 and abs(value) < 1e-4:
        return f"{value:.2e}"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_share(value: Any) -> str:
    """A share of rows as a percentage with one decimal (``12.3%``); rates stay decimals.

    Shares of the data (how much of it a group or a window holds) are percentages; rates that
    are metrics (selection rate, accuracy) are decimals like every other metric, so a rate and
    its ratio read in one style. A share below 0.05% but above 0 is ``<0.1%``, never 0.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    percent = float(value) * 100
    if 0 < percent < 0.05:
        return "<0.1%"
    return f"{percent:.1f}%"


def format_when(value: Any) -> str:
    """A time for people, in one style site-wide: ``2026-06-03 09:30 UTC``.

    The page keeps the exact value in ``<time datetime=…>``; a date alone stays a date, and a
    value that is not an ISO time is shown as it is.
    """
    if not isinstance(value, str) or len(value) <= 10:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def prefixed(mapping: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The entries whose key starts with ``prefix``, with it removed (charts of a part page)."""
    return {k[len(prefix) :]: v for k, v in mapping.items() if k.startswith(prefix)}


def script_json(value: Any) -> Markup:
    """JSON safe inside a ``<script>`` element: every ``<`` escaped, so no tag can close it.

    Marked safe because a script element's text is not entity-decoded: escaping quotes as HTML
    would break the JSON, and with ``<`` escaped nothing in it can end the element.
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return Markup(text.replace("<", "\\u003c"))


def format_literal(value: Any) -> str:
    """A parameter value as written in the record: strings bare, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def format_bytes(value: int | None) -> str:
    """A size in bytes for people (binary units)."""
    if value is None:
        return ""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{value} B"
