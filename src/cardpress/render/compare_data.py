"""The compare page of a model: any two of its versions, chosen in the address.

``models/<model>/compare/index.html?from=1&to=3`` diffs the two versions in the browser, from the
data of every version shipped in the page (``compare/index.json`` holds the same). The rules are
:func:`cardpress.compute.diff.diff_data`'s; values are shipped as the pages show them, so the
browser compares what a reader sees.
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.diff import comparable
from cardpress.compute.site import ModelEntry
from cardpress.render.env import format_literal


def compare_data(model: ModelEntry, cards: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """Every version of ``model`` as the compare page's script diffs it, oldest first."""
    versions = []
    for entry in model.versions:
        shown = comparable(cards[(model.name, entry.version)])
        for key in ("params", "code"):
            shown[key] = {name: format_literal(value) for name, value in shown[key].items()}
        shown["started_at"] = entry.run.started_at.isoformat()
        versions.append(shown)
    latest = model.latest
    return {
        "kind": "compare",
        "model": model.name,
        "title": model.title,
        "versions": versions,
        "default_from": latest.previous or latest.version,
        "default_to": latest.version,
    }
