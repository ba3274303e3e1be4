"""Published versions whose card.md text has changed since they were published.

A published version's card is frozen, so an edit to card.md reaches new versions only. Left
unsaid, that looks like the edit was lost: the build names such versions and the command that
republishes them, and the model page notes it. Only what card.md gives is compared (narrative,
front matter, status), and only the fields the published card has, so a newer cardpress adding
fields to cards is not mistaken for an edit. A version that is no longer the newest and has no
status of its own is not compared on its status: it showed the front matter's while it was the
newest (so removing its own ``version_status`` entry is not noticed either).
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.card import narrative_data
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
            now = narrative_data(model, entry)
            if now.get("status") is None and not entry.is_latest:
                # The front matter's ``status`` is the newest version's: this version showed it
                # while it was the newest and keeps it as published. A newer version taking it
                # over is no edit (an entry of its own in ``version_status`` still is).
                now = {**now, "status": published.get("status")}
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
    if isinstance(view.get("additional_sections"), list):
        # where a section starts in card.md is not its text: a line added above it is no edit
        view["additional_sections"] = [
            {k: v for k, v in added.items() if k != "source"} if isinstance(added, dict) else added
            for added in view["additional_sections"]
        ]
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
