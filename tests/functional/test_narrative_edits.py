"""Editing card.md after publication is never silent: the build and the model page say so."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

import cardpress


def test_a_card_md_edit_after_publication_is_named_with_the_republish_command(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(records, out, source_date_epoch=0)
        cardpress.build(records, out, source_date_epoch=0)
    assert not [r for r in caplog.records if "card.md changed" in r.getMessage()]
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("Built for the", "Rewritten: built for the"))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(records, out, source_date_epoch=0)
    warnings = [r.getMessage() for r in caplog.records if "card.md changed" in r.getMessage()]
    assert warnings == [
        "churn: card.md changed since version(s) 1, 10 were published; their pages keep the "
        "published text. To publish the edit: cardpress build … --republish churn@1 "
        "--republish churn@10 --reason TEXT"
    ]
    model = json.loads((out / "models/churn/index.json").read_text())
    assert model["narrative_edited"] == ["1", "10"]
    assert (
        "--republish churn@1 --republish churn@10 --reason TEXT"
        in (out / "models/churn/index.html").read_text()
    )
    assert "Rewritten" not in (out / "models/churn/v/10/index.html").read_text()

    cardpress.build(records, out, source_date_epoch=0, republish=["churn@10"], reason="new text")
    assert "Rewritten" in (out / "models/churn/v/10/index.html").read_text()
    model = json.loads((out / "models/churn/index.json").read_text())
    assert model["narrative_edited"] == ["1"]
