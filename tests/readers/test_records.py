"""Reading a whole records folder: names in the config and cards that match no run record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result


def _say(run_cli: Callable[..., Result], records: Path) -> str:
    result = run_cli("validate", str(records))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_reference_column_no_run_has_is_a_warning(
    project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    """`reference = {grup = "a"}`: a typo that left the page on the default reference, unsaid."""
    records = project()
    config = records / "cardpress.toml"
    config.write_text(config.read_text() + '\n[fairness]\nreference = {grup = "a", group = "b"}\n')
    output = _say(run_cli, records)
    assert (
        "cardpress.toml: fairness.reference: names column 'grup', which no run record lists as "
        "sensitive (group): it is not used"
    ) in output
    assert "'group'" not in output  # a column a run has is not named


def test_a_status_for_a_version_no_run_has_is_a_warning(
    project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    """`version_status: {"v1": retired}` for version "1": the status silently set nothing."""
    records = project()
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace('  "1": retired\n', '  "1": retired\n  v1: retired\n'))
    output = _say(run_cli, records)
    assert (
        "models/churn/card.md: version_status: names version 'v1', which no run record of "
        "'churn' has; it sets no status"
    ) in output
    assert "'1'" not in output


def test_names_that_match_say_nothing(
    project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    records = project()
    config = records / "cardpress.toml"
    config.write_text(config.read_text() + '\n[fairness]\nreference = {group = "a"}\n')
    assert "no run record" not in _say(run_cli, records)
