"""A version's card.md part is computed alone for the edit check: the same values as its card."""

from __future__ import annotations

import pytest

from cardpress.compute.card import SECTIONS, card_data, narrative_data
from cardpress.compute.narrative_edits import narrative_edits
from cardpress.compute.site import build_site
from cardpress.readers.records import read_records
from tests.conftest import EXAMPLE, PROJECTS


@pytest.mark.parametrize("records", [PROJECTS / "minimal", EXAMPLE], ids=["minimal", "example"])
def test_the_card_md_part_equals_the_cards_own(records) -> None:  # type: ignore[no-untyped-def]
    site = build_site(read_records(records), None)
    cards = {}
    for model in site.models:
        for entry in model.versions:
            card, told = card_data(model, entry), narrative_data(model, entry)
            for key in ("title", "status", "summary", "intro_html", "additional_sections"):
                assert told[key] == card[key], (model.name, entry.version, key)
            for section_id, _, _ in SECTIONS:
                narrative = card["sections"][section_id]["narrative"]
                assert told["sections"][section_id]["narrative"] == narrative
            for section_id in ("model_details", "intended_use"):
                assert told["sections"][section_id] == card["sections"][section_id]
            cards[(model.name, entry.version)] = card
    assert any(card["intro_html"] or card["additional_sections"] for card in cards.values())
    assert narrative_edits(site, cards) == {}  # each card against itself: nothing edited
