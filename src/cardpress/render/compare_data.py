"""The compare page of a model: any two of its versions, chosen in the address.

``models/<model>/compare/index.html?from=1&to=3`` diffs the two versions in the browser, from the
data of the newest :data:`LIMIT` versions shipped in the page (``compare/index.json`` holds the
same). The rules are :func:`cardpress.compute.diff.diff_data`'s; values are shipped as the
pages show them, so the browser compares what a reader sees.
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.diff import comparable
from cardpress.compute.site import ModelEntry
from cardpress.render.env import format_literal

# The page ships the data of the versions it compares: all of 5,000 versions made a 22 MB page.
# The newest ones are shown; every older version keeps its own diff against the one before.
LIMIT = 100


def compare_data(model: ModelEntry, cards: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """The newest :data:`LIMIT` versions of ``model``, oldest first, as the script diffs them."""
    versions, diffs = [], []
    for entry in model.versions[-LIMIT:]:
        card = cards[(model.name, entry.version)]
        shown = comparable(card)
        for key in ("params", "code"):
            shown[key] = {name: format_literal(value) for name, value in shown[key].items()}
        shown["started_at"] = entry.run.started_at.isoformat()
        versions.append(shown)
        # A version has a diff page if another was published before it: one published first
        # keeps none when a version that sorts before it comes later.
        if card["previous_version"] is not None:
            diffs.append({"version": entry.version, "since": card["previous_version"]})
    latest = model.latest
    return {
        "kind": "compare",
        "model": model.name,
        "title": model.title,
        "versions": versions,
        "diffs": diffs[::-1],
        "total": len(model.versions),
        "default_from": latest.previous or latest.version,
        "default_to": latest.version,
    }
