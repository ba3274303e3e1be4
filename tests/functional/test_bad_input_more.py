"""Bad input that used to end in "this is a cardpress bug": each is now a problem or a warning."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.functional.cli_outcomes import builds as _builds
from tests.functional.cli_outcomes import fails as _fails

EVENT = {"eventTime": "2026-01-01T00:00:00Z", "eventType": "COMPLETE", "run": {"runId": "r1"},
         "job": {"namespace": "ns", "name": "job"}, "outputs": []}  # fmt: skip


def _events(records: Path, text: str) -> None:
    (records / "lineage").mkdir()
    (records / "lineage" / "events.jsonl").write_text(text)


def test_an_openlineage_namespace_with_brackets(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    event = dict(EVENT, inputs=[{"namespace": "warehouse[prod]", "name": "sales"}])
    _events(records, json.dumps(event) + "\n")
    _builds(run_cli, records, tmp_path / "out")
    pages = (tmp_path / "out" / "datasets").rglob("*.html")
    assert any("warehouse[prod]/sales" in page.read_text() for page in pages)


def test_a_dvc_dependency_that_is_not_a_valid_url(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "dvc.yaml").write_text("stages:\n  train:\n    cmd: python t.py\n"
                                      "    deps:\n      - 's3://bucket]/x'\n")  # fmt: skip
    _builds(run_cli, records, tmp_path / "out")
    pages = (tmp_path / "out" / "datasets").rglob("*.html")
    assert any("s3://bucket]/x" in page.read_text() for page in pages)


def test_events_nested_past_the_limit_are_skipped_with_a_warning(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    deep = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _events(records, f"{deep}\n{json.dumps(dict(EVENT, inputs=[]))}\n")
    output = _builds(run_cli, records, tmp_path / "out")
    assert (
        "lineage/events.jsonl:1: arrays and objects nested deeper than 64 levels; skipped" in output
    )


def _run_uri(records: Path, field: str, uri: str) -> None:
    path = records / "runs" / "churn-10.json"
    run = json.loads(path.read_text())
    if field == "datasets":
        run["datasets"][0]["uri"] = uri
    elif field == "predictions":
        run["predictions"]["uri"] = uri
    else:
        run["artifacts"] = [{"uri": uri}]
    path.write_text(json.dumps(run, indent=2))


@pytest.mark.parametrize("field", ["datasets", "predictions", "artifacts"])
@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("data/a\0b.csv", "contains a NUL character"),
        ("data/" + "x" * 5000, "is 5,005 characters long, more than 2,048"),
        ("loop/x.csv", "is a symbolic-link loop"),
    ],
)
def test_uris_that_are_not_usable(
    project, run_cli, tmp_path: Path, field: str, uri: str, problem: str
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    os.symlink("loop", records / "loop")
    _run_uri(records, field, uri)
    [found] = _fails(run_cli, records, tmp_path / "out")
    name = "datasets[0].uri" if field == "datasets" else f"{field}.uri".replace("s.uri", "s[0].uri")
    name = "predictions.uri" if field == "predictions" else name
    assert found.startswith("runs/churn-10.json:")
    assert f": {name}: {problem} — write a path relative to the records folder or a URI" in found


def test_a_path_shared_by_runs_is_looked_at_once_and_reported_for_each(
    project, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from cardpress.readers import limits
    from cardpress.readers.runs import checks

    records = project()
    os.symlink("loop", records / "loop")
    for name in ("churn-1.json", "churn-10.json", "fraud-1.json"):
        path = records / "runs" / name
        run = json.loads(path.read_text())
        run["datasets"][0]["uri"] = "loop/x.csv"
        path.write_text(json.dumps(run, indent=2))
    looked: list[str] = []

    def counted(root: Path, uri: str) -> str | None:
        looked.append(uri)
        return limits.path_problem(root, uri)

    monkeypatch.setattr(checks, "path_problem", counted)
    found = _fails(run_cli, records, tmp_path / "out")
    assert [line.split(":")[0] for line in found] == [
        "runs/churn-1.json", "runs/churn-10.json", "runs/fraud-1.json"
    ]  # fmt: skip
    assert all("datasets[0].uri: is a symbolic-link loop" in line for line in found)
    # once a read (validate, then build), not once a run
    assert looked.count("loop/x.csv") == 2


def _monitoring(records: Path, frame: pd.DataFrame) -> None:
    folder = records / "monitoring" / "churn"
    folder.mkdir(parents=True)
    frame.to_parquet(folder / "rows.parquet", index=False)
    with (records / "cardpress.toml").open("a") as config:
        config.write('\n[drift]\nreference = "2026-03-01/2026-03-01"\n')


def _rows(times: list[str]) -> pd.DataFrame:
    count = len(times)
    return pd.DataFrame({
        "timestamp": times, "model_version": "1", "prediction": [0, 1] * (count // 2),
        "score": [0.2, 0.8] * (count // 2), "label": [0, 1] * (count // 2), "x": range(count),
    })  # fmt: skip


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_monitoring_timestamps_out_of_range(project, run_cli, tmp_path: Path, year: str) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _monitoring(records, _rows(["2026-03-01T00:00:00Z"] * 3 + [f"{year}-06-01T00:00:00Z"]))
    assert _fails(run_cli, records, tmp_path / "out") == [
        f"monitoring/churn/rows.parquet: timestamp: {year}-06-01T00:00:00Z is outside 1970–2099 "
        "— write the time the prediction was made (a year 1 or 9999 is usually a placeholder)"
    ]


def test_a_monitoring_score_of_inf(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    frame = _rows(["2026-03-01T00:00:00Z"] * 4)
    frame.loc[1, "score"] = float("inf")
    _monitoring(records, frame)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/rows.parquet: score: the score inf is not a finite number within "
        "±1e+12 — write the predicted score (a probability) as a finite number, or leave it empty"
    ]


def test_days_without_rows_between_labelled_days(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _monitoring(records, _rows(["2026-03-01T00:00:00Z"] * 4 + ["2026-03-04T00:00:00Z"] * 4))
    output = _builds(run_cli, records, tmp_path / "out")
    assert "window 2026-03-02 has no rows" in output
    page = (tmp_path / "out" / "models" / "churn" / "drift" / "index.html").read_text()
    assert page.count('class="missing">no rows in this window') == 2  # the performance table


def test_a_manifest_missing_inputs_digest(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, out = project(), tmp_path / "out"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["versions"]["churn@1"]["inputs_digest"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {out}/manifest.json: versions.churn@1: missing 'inputs_digest' — the manifest "
        "was edited; restore the site from its published copy (check it with `cardpress "
        "verify`), or build into a new folder\n"
    )


def test_a_data_set_without_sha256_is_not_called_changed(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    run = records / "runs" / "churn-1.json"
    record = json.loads(run.read_text())
    del record["datasets"][1]["sha256"]  # the file is there: there is just nothing to compare
    run.write_text(json.dumps(record))
    output = _builds(run_cli, records, tmp_path / "out")
    assert "changed since recorded" not in output
    page = (tmp_path / "out" / "datasets" / "index.html").read_text()
    assert "changed since recorded" not in page


def test_files_saved_with_a_byte_order_mark(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Notepad and Excel's "CSV UTF-8" start a file with a BOM: card.md's front matter was body
    text (owners, licence "not documented"), a CSV's first column was "\\ufeffid"."""
    records = project()
    bom = b"\xef\xbb\xbf"
    for name in ("models/churn/card.md", "runs/churn-10.json", "cardpress.toml",
                 "predictions/churn-1.csv"):  # fmt: skip
        path = records / name
        path.write_bytes(bom + path.read_bytes())
    run_path = records / "runs" / "churn-1.json"  # its predictions' recorded hash, kept true
    run = json.loads(run_path.read_text())
    digest = hashlib.sha256((records / "predictions" / "churn-1.csv").read_bytes()).hexdigest()
    run["predictions"]["sha256"] = digest
    next(d for d in run["datasets"] if d["id"] == "holdout")["sha256"] = digest
    run_path.write_text(json.dumps(run))
    _monitoring(records, _rows(["2026-03-01T00:00:00Z"] * 4))
    monitoring = records / "monitoring" / "churn"
    rows = pd.read_parquet(monitoring / "rows.parquet")
    rows.assign(timestamp="2026-03-02T00:00:00Z").to_csv(monitoring / "more.csv", index=False)
    (monitoring / "more.csv").write_bytes(bom + (monitoring / "more.csv").read_bytes())
    _builds(run_cli, records, tmp_path / "out")
    card = json.loads((tmp_path / "out/models/churn/v/10/index.json").read_text())
    assert card["title"] == "Churn model" and "\ufeff" not in json.dumps(card)
    fairness = json.loads((tmp_path / "out/models/churn/v/1/fairness/index.json").read_text())
    assert [g["label"] for g in fairness["groupings"][0]["groups"]] == ["a", "b"]


def test_a_metric_too_large_for_a_float_and_a_reversed_interval(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """1e400 was read as infinity (shown ∞, compared by `check`); ci 0.9–0.1 was shown as such."""
    records = project()
    run_path = records / "runs" / "churn-10.json"
    run = json.loads(run_path.read_text())
    run["metrics"] = [{"key": "accuracy", "value": 0.5, "dataset": "holdout",
                       "ci": {"lower": 0.9, "upper": 0.1}}]  # fmt: skip
    run_path.write_text(json.dumps(run, indent=2))
    (problem,) = _fails(run_cli, records, tmp_path / "out")
    assert problem.startswith("runs/churn-10.json:")
    assert problem.endswith(
        ": metrics[0].ci: the interval's lower bound 0.9 is above its upper 0.1 — write the "
        "lower bound in ci.lower and the upper in ci.upper"
    )
    text = run_path.read_text().replace('"value": 0.5', '"value": 1e400')
    run_path.write_text(text)
    line = text[: text.index("1e400")].count("\n") + 1
    assert _fails(run_cli, records, tmp_path / "out") == [
        f"runs/churn-10.json:{line}: 1e400 is too large for a number (a 64-bit float: it would "
        "be infinite) — write a finite number"
    ]
    for word, what in (("-1e400", "is too large for a number (a 64-bit float: it would be "
                        "infinite)"), ("-Infinity", "is not a number JSON allows")):  # fmt: skip
        run_path.write_text(text.replace("1e400", word))  # both were reported at line 1
        assert _fails(run_cli, records, tmp_path / "out") == [
            f"runs/churn-10.json:{line}: {word} {what} — write a finite number"
        ]


def test_a_key_given_twice_in_a_run_record(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """JSON readers keep the last silently: the build published whichever version came last."""
    records = project()
    run_path = records / "runs" / "churn-10.json"
    text = run_path.read_text()
    run_path.write_text(text.replace('"run_id"', '"status": "FINISHED", "run_id"', 1))
    assert "FINISHED" in text  # so "status" is there twice now
    assert _fails(run_cli, records, tmp_path / "out") == [
        "runs/churn-10.json: status: appears twice in one JSON object — keep one of them: JSON "
        "readers keep one of the two silently, not always the same"
    ]


def test_validate_prints_the_lineage_warnings_of_a_build(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    bad_facet = {"symlinks": {"identifiers": "not a list"}}
    event = dict(EVENT, inputs=[{"namespace": "file", "name": "/x.csv", "facets": bad_facet}])
    _events(records, json.dumps(event) + "\n{broken\n")
    checked = run_cli("validate", str(records))
    assert checked.exit_code == 0, checked.output
    built = _builds(run_cli, records, tmp_path / "out")
    said = [line for line in checked.output.splitlines() if "lineage/events.jsonl" in line]
    assert len(said) == 2, checked.output  # the broken line and the facet
    for line in said:
        assert line in built


def test_names_hiding_or_reordering_text_show_code_points(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    spoof, nul = "data/report\u202egpj.exe", "data/a\x00b.csv"
    link = {"identifiers": [{"namespace": "hive", "name": "db.t\u2066x", "type": "TABLE"}]}
    inputs = [{"namespace": "file", "name": spoof},
              {"namespace": "file", "name": nul, "facets": {"symlinks": link}}]  # fmt: skip
    event = dict(EVENT, inputs=inputs)
    _events(records, json.dumps(event) + "\n")
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("title: ", "title: \u202e", 1))
    _builds(run_cli, records, tmp_path / "out")
    pages = {p: p.read_text() for p in (tmp_path / "out").rglob("*.html")}
    for page, text in pages.items():
        assert not any(c in text for c in "\u202e\u2066\x00"), page
    shown = "\n".join(pages.values())
    for marked in ("report⟨U+202E⟩gpj.exe", "a⟨U+0000⟩b.csv", "db.t⟨U+2066⟩x"):
        assert marked in shown
    index = (tmp_path / "out" / "search" / "index.js").read_text()
    found = json.loads(index.split("=", 1)[1].strip().rstrip(";"))
    texts = " ".join(e["title"] + " " + e["text"] for e in found)
    assert "⟨U+202E⟩Churn model" in texts and "report⟨U+202E⟩gpj.exe" in texts
    assert not any(c in texts for c in "\u202e\u2066\x00")
