"""A version's fairness report as HTML, filled once for its fairness page and its print view.

The fairness page and the print view (``print.html``) show the same report, with the same charts;
the print view only opens every "details" box so that its tables print. Filling the report's
templates was a quarter of a large build's page filling, twice over: the report is filled for
the fairness page, kept, and given to the print view with its boxes opened. That is the text the
templates write with ``printing`` set (a test compares both on every report of the example), as
long as the report's templates are the default theme's: when the records' ``templates/`` folder
holds any of them, each page fills its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

_CLOSED = '<details class="metric-detail">'
_OPENED = '<details class="metric-detail" open>'
_KEPT = 4  # reports kept: a version's print view follows its fairness page


def fairness_report_html(overridden: bool) -> Any:
    """The ``fairness_report(data, charts, printing=False)`` function templates call.

    ``overridden``: the project's templates replace one of the report's; then nothing is kept.
    """
    kept: list[tuple[dict[str, Any], dict[str, Any], str]] = []  # (data, charts, HTML)

    @jinja2.pass_context
    def fairness_report(
        context: jinja2.runtime.Context,
        data: dict[str, Any],
        charts: dict[str, Any],
        printing: bool = False,
    ) -> Markup:
        found = next((html for d, c, html in kept if d is data and c == charts), None)
        if found is None or overridden:
            found = _fill(context, data, charts, printing=overridden and printing)
            if not overridden:
                kept[:] = [*kept[-(_KEPT - 1) :], (data, charts, found)]
        return Markup(found.replace(_CLOSED, _OPENED) if printing and not overridden else found)

    return fairness_report


def _fill(
    context: jinja2.runtime.Context, data: dict[str, Any], charts: dict[str, Any], printing: bool
) -> str:
    multiclass = data.get("task") == "multiclass"
    name = "_fairness_multiclass.html" if multiclass else "_fairness_main.html"
    template = context.environment.get_template(name)
    return template.render(
        {**context.get_all(), "data": data, "charts": charts, "printing": printing}
    )


def overrides_report(project_templates: Path | None) -> bool:
    """Whether the project's templates folder replaces one of the report's templates."""
    if project_templates is None or not project_templates.is_dir():
        return False
    return (
        any(project_templates.glob("_fairness*.html"))
        or (project_templates / "_macros.html").exists()
    )
