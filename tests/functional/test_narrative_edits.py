"""Editing card.md after publication is never silent: the build and the model page say so."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

import cardpress


def _edit_warnings(caplog: pytest.LogCaptureFixture, records: Path, out: Path) -> list[str]:
    """The "card.md changed" warnings of one build of ``records`` into ``out``."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cardpress"):
        cardpress.build(records, out, source_date_epoch=0)
    return [r.getMessage() for r in caplog.records if "card.md changed" in r.getMessage()]


def test_a_card_md_edit_after_publication_is_named_with_the_republish_command(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    assert _edit_warnings(caplog, records, out) == []
    assert _edit_warnings(caplog, records, out) == []
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("Built for the", "Rewritten: built for the"))
    assert _edit_warnings(caplog, records, out) == [
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


def test_a_newer_version_taking_the_front_matters_status_is_not_an_edit(
    project: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``status:`` is the newest version's: the version it leaves keeps its published status."""
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out, source_date_epoch=0)
    run = json.loads((records / "runs" / "churn-10.json").read_text())
    run["run_id"], run["model"]["version"] = "churn-11", "11"
    (records / "runs" / "churn-11.json").write_text(json.dumps(run))
    assert _edit_warnings(caplog, records, out) == []
    assert json.loads((out / "models/churn/index.json").read_text())["narrative_edited"] == []
    published = json.loads((out / "models/churn/v/10/index.json").read_text())
    assert published["status"] == "approved"  # as published, while it was the newest

    # now a status of its own: an edit of version 10's card; the line it adds moves the
    # Glossary section down a line, which is not an edit of any card's text
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace('  "1": retired', '  "1": retired\n  "10": retired'))
    warnings = _edit_warnings(caplog, records, out)
    assert len(warnings) == 1 and "version(s) 10 were published" in warnings[0]
