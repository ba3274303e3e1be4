"""Every kind of bad input: exit 1, the exact message, and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result


def _edit_run(records: Path, name: str, change: Callable[[dict], None]) -> None:  # type: ignore[type-arg]
    path = records / "runs" / name
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2))


def _fails(run_cli: Callable[..., Result], records: Path, out: Path) -> list[str]:
    for command in (["validate", str(records)], ["build", str(records), "-o", str(out)]):
        result = run_cli(*command)
        assert result.exit_code == 1, result.output
        assert not out.exists(), "a failed build must not write anything"
    lines = result.output.strip().splitlines()
    assert lines[-1].endswith("found; nothing was written.")
    lines[0] = lines[0].removeprefix("Error: ")
    return lines[:-1]


def test_malformed_json(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "runs" / "churn-10.json").write_text(
        '{\n  "schema": "cardpress/run/1",\n  "run_id": "x"\n  "model": {}\n}'
    )
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:4: invalid JSON: Expecting ',' delimiter — fix the JSON syntax "
        "(a missing comma, quote or bracket is usual)"
    ]


def test_missing_field_wrong_type_and_every_problem_at_once(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = project()

    def break_it(run: dict) -> None:  # type: ignore[type-arg]
        del run["model"]["version"]
        run["metrics"][0]["value"] = "0.9"
        run["status"] = "DONE"

    _edit_run(records, "churn-1.json", break_it)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-1.json:4: model.version: missing required field — add model.version "
        '(model version, a string ("3", "2026.05.1"); a URL segment like the name)',
        "runs/churn-1.json:10: status: 'DONE' is not allowed — use one of 'FINISHED', 'FAILED', "
        "'KILLED', 'RUNNING'",
        "runs/churn-1.json:44: metrics[0].value: is the string '0.9', expected a number — "
        "write it as a number",
    ]


def test_unknown_schema_version(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _edit_run(records, "churn-10.json", lambda run: run.update(schema="cardpress/run/7"))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:2: schema: unknown schema version '7' ('cardpress/run/7') — this "
        "cardpress reads 'cardpress/run/1'; upgrade cardpress or write a version 1 record"
    ]


@pytest.mark.parametrize("name", ["../x", "a/../../etc", ".hidden"])
def test_model_name_that_would_escape_the_output_folder(
    project, run_cli, tmp_path: Path, name: str
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _edit_run(records, "churn-10.json", lambda run: run["model"].update(name=name))
    assert _fails(run_cli, records, tmp_path / "out") == [
        f"runs/churn-10.json:5: model.name: {name!r} would write outside the output folder — "
        "use 1–128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit; "
        "no '/', no spaces, no '..'"
    ]


def test_predictions_file_that_does_not_exist(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "predictions" / "churn-2.jsonl").unlink()
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:14: predictions.uri: file 'predictions/churn-2.jsonl' does not exist "
        "— give the path relative to the records folder, or write the file"
    ]


def test_predictions_column_that_does_not_exist(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _edit_run(
        records, "churn-10.json", lambda run: run["predictions"]["columns"].update(y_true="label")
    )
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:29: predictions.columns.y_true: column 'label' is not in the "
        "predictions file — use one of its columns: group, id, p, y, yhat"
    ]


def test_duplicate_model_version(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _edit_run(records, "churn-10.json", lambda run: run["model"].update(version="1"))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:6: model.version: churn version 1 is also recorded by another run "
        "(runs/churn-1.json, runs/churn-10.json) — give each run its own model version, or "
        "remove the duplicate record"
    ]


def test_malformed_toml_and_yaml_reported_together(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "cardpress.toml").write_text('[site]\ntitle = "x\n')
    (records / "models" / "churn" / "card.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    lines = _fails(run_cli, records, tmp_path / "out")
    assert lines[0].startswith("cardpress.toml:2: invalid TOML: ")
    assert lines[0].endswith(" — fix the TOML syntax (strings need quotes; tables are [name])")
    assert lines[1].startswith("models/churn/card.md:3: invalid YAML front matter: ")
    assert len(lines) == 2


def test_unknown_field_in_config_and_card(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "cardpress.toml").write_text('[site]\ntitel = "typo"\n')
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("license: proprietary", "licence: proprietary"))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "cardpress.toml:2: site.titel: unknown field — remove it or correct the spelling "
        "(known fields: base_url, description, organisation, robots, title)",
        "models/churn/card.md:7: licence: unknown field — remove it or correct the spelling "
        "(known fields: citation, contacts, intended_use, license, model_type, out_of_scope_use, "
        "owners, primary_users, references, risk, schema, status, summary, tags, title, "
        "version_status)",
    ]


def test_metric_naming_an_unknown_dataset_and_bad_time(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()

    def break_it(run: dict) -> None:  # type: ignore[type-arg]
        run["metrics"][0]["dataset"] = "holdot"
        run["started_at"] = "2026-02-01 08:00"

    _edit_run(records, "churn-10.json", break_it)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:8: started_at: is not a valid time — write an ISO 8601 time with a "
        "time zone, e.g. 2026-05-01T12:00:00Z",
        "runs/churn-10.json:22: metrics[0].dataset: names unknown data set 'holdot' — use the id "
        "of one of the run's data sets: holdout",
    ]


def test_non_finite_number(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    path = records / "runs" / "churn-10.json"
    path.write_text(path.read_text().replace('"value": 1,', '"value": NaN,'))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:11: NaN is not a number JSON allows — write a finite number"
    ]


def test_card_for_a_model_with_no_runs(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "models" / "chrun").mkdir()
    (records / "models" / "chrun" / "card.md").write_text("# typo in the folder name\n")
    assert _fails(run_cli, records, tmp_path / "out") == [
        "models/chrun/card.md: no run record names model 'chrun' — rename the folder to a model "
        "in the run records (churn, fraud)"
    ]


def test_failed_build_leaves_previous_site_unchanged(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, out = project(), tmp_path / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (records / "runs" / "churn-10.json").write_text("{")
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cardpress")] == []


def test_names_that_differ_only_in_case_are_refused(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _edit_run(records, "churn-10.json", lambda run: run["model"].update(name="Churn", version="1"))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:5: model.name: model 'Churn' and 'churn' (runs/churn-1.json) map to "
        "the same URL — use one spelling of the model name; URLs must not differ only in case"
    ]
    _edit_run(records, "churn-10.json", lambda run: run["model"].update(name="churn", version="V1"))
    _edit_run(records, "churn-1.json", lambda run: run["model"].update(version="v1"))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json:6: model.version: version 'V1' and 'v1' (runs/churn-1.json) map to "
        "the same URL — use one spelling of the version name; URLs must not differ only in case"
    ]
