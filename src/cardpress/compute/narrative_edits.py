"""Published versions whose card.md text has changed since they were published.

A published version's card is frozen, so an edit to card.md reaches new versions only. Left
unsaid, that looks like the edit was lost: the build names such versions and the command that
republishes them, and the model page notes it. Only what card.md gives is compared (narrative,
front matter, status), and only the fields the published card has, so a newer cardpress adding
fields to cards is not mistaken for an edit.
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.card import card_data
from cardpress.compute.site import Site

_TOP = ("title", "summary", "intro_html", "additional_sections", "status")
_DETAILS = ("owners", "contacts", "license", "risk", "model_type", "references", "citation",
            "tags")  # fmt: skip


def narrative_edits(
    site: Site, published_cards: dict[tuple[str, str], dict[str, Any]]
) -> dict[str, list[str]]:
    """Versions (by model) whose card.md-derived text differs from their published card."""
    edited: dict[str, list[str]] = {}
    for model in site.models:
        for entry in model.versions:
            published = published_cards.get((model.name, entry.version))
            if published is None:
                continue
            now = card_data(model, entry)
            if _narrative(published, published) != _narrative(now, published):
                edited.setdefault(model.name, []).append(entry.version)
    return edited


def republish_hint(model: str, versions: list[str]) -> str:
    """The warning for one model's edited versions, with the command that publishes the edit."""
    names = " ".join(f"--republish {model}@{v}" for v in versions)
    listed = ", ".join(versions)
    return (
        f"{model}: card.md changed since version(s) {listed} were published; their pages keep "
        f"the published text. To publish the edit: cardpress build … {names} --reason TEXT"
    )


def _narrative(card: dict[str, Any], published: dict[str, Any]) -> dict[str, Any]:
    """What card.md contributes to ``card``, limited to the fields ``published`` has."""
    view: dict[str, Any] = {key: card.get(key) for key in _TOP if key in published}
    sections = card.get("sections", {})
    shape = published.get("sections", {})
    for section_id, section in shape.items():
        if "narrative" in section:
            view[f"{section_id}.narrative"] = sections.get(section_id, {}).get("narrative")
    details = sections.get("model_details", {})
    for key in _DETAILS:
        if key in shape.get("model_details", {}):
            view[f"model_details.{key}"] = details.get(key)
    if "intended_use" in shape:
        use = sections.get("intended_use", {})
        view["intended_use"] = {k: use.get(k) for k in ("uses", "users", "out_of_scope")}
    return view
