"""`cardpress check`: each rule kind passing and failing, outputs, exit codes, sign-offs."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

POLICY_HEAD = 'schema = "cardpress/policy/1"\n'


def _policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY_HEAD + text)
    return path


def _record_sha(records: Path, name: str) -> str:
    return hashlib.sha256((records / "runs" / name).read_bytes()).hexdigest()


def _sign(records: Path, file: str, **fields: str) -> None:
    document = {"schema": "cardpress/signoff/1", "model": "churn", "version": "10",
                "record_sha256": _record_sha(records, "churn-10.json"), "name": "Ada Reviewer",
                "role": "model risk officer", "decision": "approved",
                "signed_at": "2026-02-01T09:00:00Z", **fields}  # fmt: skip
    (records / "signoffs").mkdir(exist_ok=True)
    (records / "signoffs" / file).write_text(json.dumps(document, indent=2))


def _lines(result: Result) -> list[str]:
    return result.output.strip().splitlines()


def test_sections_and_performance_pass_and_fail(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    policy = _policy(
        tmp_path,
        """
[[rule]]
kind = "sections"
require = ["intended_use", "ethical_considerations"]

[[rule]]
kind = "performance"
metric = "accuracy"
dataset = "holdout"
min = 0.9

[[rule]]
kind = "performance"
name = "accuracy ceiling"
metric = "accuracy"
dataset = "holdout"
max = 0.99
level = "warn"
""",
    )
    result = run_cli("check", str(records), "--policy", str(policy))
    assert result.exit_code == 1
    assert _lines(result) == [
        "churn@10",
        f"  PASS  card sections documented: 2 of 2 documented (limit: all documented) [{policy}:3]",
        "  PASS  performance: accuracy on holdout: accuracy = 1 on holdout (limit: ≥ 0.9) "
        f"[{policy}:7]",
        f"  WARN  accuracy ceiling: accuracy = 1 on holdout (limit: ≤ 0.99) [{policy}:13]",
        "fraud@2026.03",
        "  FAIL  card sections documented: 0 of 2 documented; not documented: Intended use, "
        f"Ethical considerations (limit: all documented) [{policy}:3]",
        "  FAIL  performance: accuracy on holdout: accuracy on holdout is not recorded "
        f"(limit: ≥ 0.9) [{policy}:7]",
        "  WARN  accuracy ceiling: accuracy on holdout is not recorded (limit: ≤ 0.99) "
        f"[{policy}:13]",
        "2 failed, 2 warned, 2 passed",
        "Error: 2 failed, 2 warned, 2 passed",
    ]


def test_fairness_rule_on_one_grouping(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    policy = _policy(
        tmp_path,
        """
[[rule]]
kind = "fairness"
metric = "selection_rate"
measure = "ratio"
min = 0.5
min_group_size = 1
columns = ["group"]

[[rule]]
kind = "fairness"
metric = "accuracy"
measure = "difference"
max = 0.5
min_group_size = 1
""",
    )
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    # churn-1: group a selects 1 of 3, group b 2 of 3 -> ratio 0.5, exactly the limit
    assert _lines(result)[1:3] == [
        "  PASS  fairness: selection_rate ratio by group: ratio 0.5 (a 0.3333, b 0.6667) "
        f"(limit: ≥ 0.5 over groups of ≥ 1 rows) [{policy}:3]",
        "  FAIL  fairness: accuracy difference by group: difference 0.6667 (b 0.3333, a 1) "
        f"(limit: ≤ 0.5 over groups of ≥ 1 rows) [{policy}:11]",
    ]
    assert result.exit_code == 1
    no_report = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@10")
    assert "no fairness report: the run names no sensitive columns" in no_report.output


def test_hash_rule_finds_a_changed_data_file(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "data").mkdir()
    (records / "data" / "train.csv").write_text("x,y\n1,2\n")  # recorded sha256 is aaaa…
    policy = _policy(tmp_path, '[[rule]]\nkind = "hashes"\n')
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    assert _lines(result)[1] == (
        "  FAIL  data-set hashes unchanged: 1 unchanged; changed since recorded: train "
        f"(limit: each file's sha256 equals the recorded one) [{policy}:2]"
    )


def test_hash_rule_with_nothing_to_compare_is_n_a(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """No data file in the records to hash again: "pass" would claim a check never made."""
    records = project()
    run = records / "runs" / "churn-1.json"
    doc = json.loads(run.read_text())
    for dataset in doc["datasets"]:
        dataset["uri"] = f"s3://bucket/{dataset['id']}.csv"  # recorded, but not here to hash
    run.write_text(json.dumps(doc))
    policy = _policy(tmp_path, '[[rule]]\nkind = "hashes"\n')
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    names = ", ".join(d["id"] for d in doc["datasets"])
    assert _lines(result)[1] == (
        f"  N/A   data-set hashes unchanged: nothing compared; not in the records folder, not "
        f"checked: {names} (limit: each file's sha256 equals the recorded one) [{policy}:2]"
    )
    assert result.exit_code == 0


def test_signoff_required_current_and_stale(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    policy = _policy(tmp_path, '[[rule]]\nkind = "signoff"\n')
    check = ("check", str(records), "--policy", str(policy), "--model", "churn@10")
    missing = run_cli(*check)
    assert (
        missing.exit_code == 1
        and "FAIL  sign-off before approval: no current sign-off" in missing.output
    )
    _sign(records, "a.json", record_sha256="0" * 64)  # signed a record that is not the current one
    stale = run_cli(*check)
    assert "no current sign-off (1 stale: the record changed since)" in stale.output
    _sign(records, "b.json", signed_at="2026-02-02T09:00:00Z")
    approved = run_cli(*check)
    assert approved.exit_code == 0
    assert "PASS  sign-off before approval: approved by Ada Reviewer (model risk officer)" in (
        approved.output
    )
    _sign(records, "c.json", decision="rejected", signed_at="2026-02-03T09:00:00Z")
    assert run_cli(*check).exit_code == 1  # the latest current decision counts


@pytest.mark.parametrize(
    "front", ['intended_use: ""', 'intended_use: "   "', 'primary_users: [""]\nintended_use: [" "]']
)
def test_blank_text_does_not_document_a_section(
    project, run_cli, tmp_path: Path, front: str
) -> None:  # type: ignore[no-untyped-def]
    """``intended_use: ""`` passed the sections rule, and the card listed an empty use."""
    records = project()
    card = records / "models" / "churn" / "card.md"
    card.write_text(f"---\n{front}\n---\n")
    policy = _policy(tmp_path, '[[rule]]\nkind = "sections"\nrequire = ["intended_use"]\n')
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@10")
    assert result.exit_code == 1
    assert _lines(result)[1] == (
        "  FAIL  card sections documented: 0 of 1 documented; not documented: Intended use "
        f"(limit: all documented) [{policy}:2]"
    )
    out = tmp_path / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    page = json.loads((out / "models/churn/v/10/index.json").read_text())
    assert page["sections"]["intended_use"] == {"uses": [], "users": [], "out_of_scope": [],
                                                "narrative": ""}  # fmt: skip


def test_each_section_is_credited_to_the_file_that_documents_it(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Intended use from card.md's front matter was credited to the run record."""
    records = project()
    out = tmp_path / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    page = json.loads((out / "models/churn/v/10/index.json").read_text())
    credited = {r["id"]: r["documented_by"] for r in page["completeness"]["sections"]}
    card, run = "models/churn/card.md", "runs/churn-10.json"
    assert credited["intended_use"] == [card]  # front matter only
    assert credited["model_details"] == [run, card]  # the run's facts, the card's owners
    assert credited["ethical_considerations"] == [card]  # a ## section
    assert credited["factors"] == [run]


def test_junit_and_markdown_outputs(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    policy = _policy(
        tmp_path,
        '[[rule]]\nkind = "performance"\nmetric = "accuracy"\n'
        'dataset = "holdout"\nmin = 0.9\nname = "accuracy <floor> & co"\n',
    )
    junit, summary = tmp_path / "junit.xml", tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    result = run_cli("check", str(records), "--policy", str(policy), "--junit", str(junit),
                     "--summary", str(summary))  # fmt: skip
    assert result.exit_code == 1
    tree = ET.parse(junit).getroot()
    assert tree.tag == "testsuites" and tree.get("tests") == "2" and tree.get("failures") == "1"
    suites = {s.get("name"): s for s in tree}
    failure = suites["fraud@2026.03"].find("testcase/failure")
    assert failure is not None and "accuracy on holdout is not recorded" in failure.get(
        "message", ""
    )
    assert suites["churn@10"].find("testcase").get("name") == "accuracy <floor> & co"  # type: ignore[union-attr]
    text = summary.read_text()
    assert text.startswith("earlier step\n### cardpress check: 1 failed, 0 warned, 1 passed")
    assert "| FAIL | fraud@2026.03 | accuracy &lt;floor&gt; &amp; co |" in text


def test_junit_with_control_characters_parses(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """XML 1.0 cannot hold a control character, even escaped: it is written as its escape."""
    records = project()
    policy = _policy(
        tmp_path,
        '[[rule]]\nkind = "performance"\nmetric = "accuracy"\n'
        'dataset = "holdout"\nmin = 0.9\nname = "floor\\u0001 \\u001b[31mred"\n',
    )
    junit = tmp_path / "junit.xml"
    result = run_cli("check", str(records), "--policy", str(policy), "--junit", str(junit))
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "floor\\x01 \\x1b[31mred" in result.output
    names = {c.get("name") for c in ET.parse(junit).getroot().iter("testcase")}
    assert names == {"floor\\x01 \\x1b[31mred"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[rule]]\nkind = "drift"\n',
            "3: rule[0].kind: 'drift' is not allowed — use one of 'sections', 'signoff', "
            "'fairness', "
            "'performance', 'hashes'",
        ),
        (
            '[[rule]]\nkind = "fairness"\nmetric = "selection_rate"\nmeasure = "ratio"\n'
            'min = "0.8"\n',
            "6: rule[0].min: is the string '0.8', expected a number — write it as a number",
        ),
        (
            '[[rule]]\nkind = "fairness"\nmetric = "selection_rate"\nmeasure = "ratio"\n',
            "2: rule[0]: a fairness rule needs max or min — add max or min",
        ),
        (
            '[[rule]]\nkind = "hashes"\nmin = 1\n',
            "4: rule[0].min: does not apply to a hashes rule — remove it (hashes rules take: no "
            "other fields)",
        ),
        (
            '[[rule]]\nkind = "fairness"\nmetric = "f1"\nmeasure = "ratio"\nmin = 0.8\n',
            "4: rule[0].metric: 'f1' is not a fairness metric — use one of base_rate, "
            "selection_rate, accuracy, precision, recall, fpr, fnr, auc (classifiers) or mae, "
            "rmse, r2, bias, ae_p50, ae_p90 (regression)",
        ),
        (  # a header with a comment, as docs/check.md writes them: the line was lost
            '[[rule]]   # a floor\nkind = "performance"\nmetric = "auc"\ndataset = "h"\n'
            'min = "0.9"\n',
            "6: rule[0].min: is the string '0.9', expected a number — write it as a number",
        ),
        (  # nothing compares below NaN: every figure passed
            '[[rule]]\nkind = "performance"\nmetric = "auc"\ndataset = "holdout"\nmin = nan\n',
            "6: rule[0].min: is nan, which no figure can be compared with — write a finite "
            "number (nan and inf are no limit)",
        ),
        (
            '[[rule]]\nkind = "performance"\nmetric = "auc"\ndataset = "holdout"\nmax = -inf\n',
            "6: rule[0].max: is -inf, which no figure can be compared with — write a finite "
            "number (nan and inf are no limit)",
        ),
        (
            '[[rule]]\nkind = "performance"\nmetric = "auc"\ndataset = "h"\nmin = 0.9\nmax = 0.8\n',
            "7: rule[0].max: max 0.8 is below min 0.9: every figure would fail — swap min and max",
        ),
        (  # a typo turned the sign-off rule off for approved versions
            '[[rule]]\nkind = "signoff"\nstatuses = ["aproved"]\n',
            "4: rule[0].statuses[0]: 'aproved' is not allowed — use one of 'draft', 'in-review', "
            "'approved', 'retired'",
        ),
        (  # a typo made the rule "not applicable" to every version
            '[[rule]]\nkind = "hashes"\nmodels = ["chrun"]\n',
            "2: rule[0].models: names model 'chrun', which no run record has: the rule would "
            "check nothing — did you mean 'churn'? name models the run records have (churn, "
            "fraud)",
        ),
        (  # every regression model failed as "not computed", found only when checked
            '[[rule]]\nkind = "fairness"\nmetric = "ae_p95"\nmeasure = "ratio"\nmin = 0.8\n',
            "2: rule[0].metric: ae_p95 is not computed: [fairness] error_quantiles has no 95% — "
            "use one of ae_p50, ae_p90, or add 0.95 to error_quantiles in cardpress.toml",
        ),
    ],
)
def test_bad_policy_exits_2_naming_the_line(
    project, run_cli: Callable[..., Result], tmp_path: Path, text: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    policy = _policy(tmp_path, text)
    result = run_cli("check", str(project()), "--policy", str(policy))
    assert result.exit_code == 2
    assert _lines(result) == [
        f"Error: {policy}:{expected}",
        "1 problem(s) in the policy; nothing was checked.",
    ]


def test_unknown_version_and_signoff_of_a_missing_version(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    result = run_cli("check", str(records), "--model", "churn@7")
    assert result.exit_code == 2
    assert result.output == (
        "Error: churn@7: no such model version — use one of churn@1, churn@10, fraud@2026.03\n"
    )
    _sign(records, "x.json", version="7")
    result = run_cli("check", str(records))
    assert result.exit_code == 1
    assert _lines(result)[0] == (
        "Error: signoffs/x.json:4: version: churn has no version '7' — sign off a version that "
        "has a run record (versions: 1, 10)"
    )


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_conditions_name_and_role_are_refused_alike(
    project, run_cli, tmp_path: Path, blank: str
) -> None:  # type: ignore[no-untyped-def]
    """``""`` was refused as "is empty — give at least one entry", ``"   "`` accepted."""
    records = project()
    _sign(records, "x.json", decision="approved-with-conditions", conditions=blank, role=blank)
    result = run_cli("validate", str(records))
    assert result.exit_code == 1
    assert _lines(result)[:2] == [
        "Error: signoffs/x.json:7: role: is blank — write it out: blank text says nothing",
        "signoffs/x.json:10: conditions: is blank — write it out: blank text says nothing",
    ]


def test_a_bad_policy_toml_fails_validate_as_build(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "policy.toml").write_text(POLICY_HEAD + '[[rule]]\nkind = "sections"\n')
    validate = run_cli("validate", str(records))
    build = run_cli("build", str(records), "-o", str(tmp_path / "out"))
    assert validate.exit_code == build.exit_code == 2
    errors = [[x for x in r.output.splitlines() if "policy" in x] for r in (validate, build)]
    assert errors[0] == errors[1] and errors[0][0].startswith("Error: policy.toml:")
    assert not (tmp_path / "out").exists()
    (records / "runs" / "churn-10.json").write_text("{")  # bad records come first, as in build
    assert run_cli("validate", str(records)).exit_code == 1


def test_an_invalid_run_adds_no_signoff_or_card_problems(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _sign(records, "x.json")  # signs churn 10 off
    (records / "models" / "fraud").mkdir()
    (records / "models" / "fraud" / "card.md").write_text("# Fraud\n")
    for run in ("churn-10.json", "fraud-1.json"):
        path = records / "runs" / run
        path.write_text(path.read_text().replace('"schema"', '"schema":', 1))  # invalid JSON
    result = run_cli("validate", str(records))
    assert result.exit_code == 1
    problems = _lines(result)[:-1]
    assert [line.removeprefix("Error: ").split(":")[0] for line in problems] == [
        "runs/churn-10.json", "runs/fraud-1.json"
    ]  # fmt: skip


def test_hash_rule_lists_data_sets_without_a_hash(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "data").mkdir()
    (records / "data" / "train.csv").write_text("x,y\n1,2\n")  # the file exists, no hash to compare
    run = records / "runs" / "churn-1.json"
    doc = json.loads(run.read_text())
    for dataset in doc["datasets"]:
        if dataset["id"] == "train":
            del dataset["sha256"]  # e.g. imported from MLflow with an in-code source
    run.write_text(json.dumps(doc))
    policy = _policy(tmp_path, '[[rule]]\nkind = "hashes"\n')
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    assert _lines(result)[1] == (
        "  PASS  data-set hashes unchanged: 1 unchanged; no sha256 recorded, not checked: train "
        f"(limit: each file's sha256 equals the recorded one) [{policy}:2]"
    )


def test_the_checks_do_not_depend_on_calibration() -> None:
    """Checks read fairness reports without calibration (cheaper): the same results as with it."""
    from cardpress.checking import fairness_reports, site_checks
    from cardpress.compute.site import build_site
    from cardpress.readers.records import read_records
    from tests.conftest import EXAMPLE

    loaded = read_records(EXAMPLE)
    site = build_site(loaded, None)
    runs = [model.latest.run for model in site.models]
    full = fairness_reports(EXAMPLE, runs, site.config.fairness)
    lean = fairness_reports(EXAMPLE, runs, site.config.fairness, calibration=False)
    binary, multiclass = ("income-classifier", "2"), ("hours-band", "1")
    assert full[binary].overall_calibration is not None  # type: ignore[union-attr]
    assert lean[binary].overall_calibration is None  # type: ignore[union-attr]
    assert full[multiclass].overall.brier is not None  # type: ignore[union-attr]
    assert lean[multiclass].overall.brier is None  # type: ignore[union-attr]
    with_calibration = site_checks(EXAMPLE, loaded, site, full)
    assert with_calibration == site_checks(EXAMPLE, loaded, site, {})  # computed without it
    assert sum(len(results) for results in with_calibration.values()) > 10


def test_a_metric_recorded_twice_is_judged_at_its_highest_step(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The gate took the last one listed, silently: swapping two entries flipped the verdict."""
    records = project()
    run_path = records / "runs" / "churn-10.json"
    run = json.loads(run_path.read_text())
    final = {"key": "accuracy", "value": 0.95, "dataset": "holdout", "step": 10}
    early = {"key": "accuracy", "value": 0.5, "dataset": "holdout", "step": 1}
    policy = _policy(tmp_path, '\n[[rule]]\nkind = "performance"\nmetric = "accuracy"\n'
                               'dataset = "holdout"\nmin = 0.9\n')  # fmt: skip
    for order in ([final, early], [early, final]):
        run["metrics"] = order
        run_path.write_text(json.dumps(run, indent=2))
        result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@10")
        assert _lines(result)[1] == (
            "  PASS  performance: accuracy on holdout: accuracy = 0.95 on holdout (step 10, the "
            f"highest of 2 recorded values) (limit: ≥ 0.9) [{policy}:3]"
        )
    del final["step"], early["step"]  # no steps: the last one listed, and said so
    run_path.write_text(json.dumps(run, indent=2))
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@10")
    assert "accuracy = 0.95 on holdout (the last listed of 2 recorded values)" in _lines(result)[1]


def test_the_card_shows_the_value_the_gate_judged(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A metric at three steps was listed three times on the card, in HF's model-index too, with
    no step: a reader could not tell which value `check` judged."""
    records = project()
    run_path = records / "runs" / "churn-10.json"
    run = json.loads(run_path.read_text())
    run["metrics"] = [{"key": "auc", "value": v, "dataset": "holdout", "step": s}
                      for s, v in ((5, 0.95), (10, 0.7), (1, 0.99))]  # fmt: skip
    run["metrics"].append({"key": "auc", "value": 0.6, "dataset": "holdout", "threshold": 0.5})
    run_path.write_text(json.dumps(run, indent=2))
    out = tmp_path / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    card = json.loads((out / "models/churn/v/10/index.json").read_text())
    overall = card["sections"]["quantitative_analyses"]["overall"]
    assert [(m["value"], m.get("step"), m.get("recorded")) for m in overall] == [
        (0.7, 10, 3), (0.6, None, None)]  # another threshold is another metric  # fmt: skip
    assert [m["value"] for m in card["summary_panel"]["metrics"]] == [0.7, 0.6]
    html = (out / "models/churn/v/10/index.html").read_text()
    assert html.count("step 10, the highest of 3 recorded values") == 3  # summary, 2 tables
    hf = tmp_path / "hf.md"
    assert run_cli("export", "hf", str(records), "churn@10", "-o", str(hf)).exit_code == 0
    assert hf.read_text().count("value: 0.7") == 1 and "value: 0.95" not in hf.read_text()


def _selection_model(records: Path, name: str, groups: dict[str, tuple[int, int]]) -> None:
    """A binary model whose groups select exactly (rows, selected) of their rows."""
    lines = ["y_true,y_pred,y_score,g"]
    for group, (rows, selected) in groups.items():
        lines += [f"{k % 2},{int(k < selected)},{0.9 if k < selected else 0.1},{group}"
                  for k in range(rows)]  # fmt: skip
    path = records / "predictions" / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run = {"schema": "cardpress/run/1", "run_id": name, "model": {"name": name, "version": "1"},
           "started_at": "2026-01-10T08:00:00Z", "status": "FINISHED", "metrics": [],
           "datasets": [{"id": "test", "role": "evaluation", "uri": f"predictions/{name}.csv",
                         "sha256": digest}],
           "predictions": {"uri": f"predictions/{name}.csv", "sha256": digest, "dataset": "test",
                           "columns": {"y_true": "y_true", "y_pred": "y_pred",
                                       "y_score": "y_score", "sensitive": ["g"]}}}  # fmt: skip
    (records / "runs" / f"{name}.json").write_text(json.dumps(run, indent=2))


def test_figures_exactly_at_a_limit_pass_in_the_gate_and_on_the_page(
    run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """60/100 ÷ 75/100 = 0.7999999999999999 and 55/100 − 50/100 = 0.050000000000000044 in floats:
    the gate failed them and the page flagged "0.8000 ⚠ below 0.8" beside "exactly 0.8 passes"."""
    records = tmp_path / "records"
    for folder in ("runs", "predictions"):
        (records / folder).mkdir(parents=True)
    _selection_model(records, "ratio", {"A": (100, 60), "B": (100, 75)})
    _selection_model(records, "diff", {"A": (100, 55), "B": (100, 50)})
    _selection_model(records, "under", {"A": (100, 59), "B": (100, 75)})
    rules = [("ratio", "ratio", "min = 0.8"), ("difference", "diff", "max = 0.05"),
             ("ratio", "under", "min = 0.8")]  # fmt: skip
    (records / "policy.toml").write_text(POLICY_HEAD + "".join(
        f'[[rule]]\nkind = "fairness"\nmetric = "selection_rate"\nmeasure = "{measure}"\n'
        f'{limit}\nmodels = ["{model}"]\n' for measure, model, limit in rules))  # fmt: skip
    result = run_cli("check", str(records))
    said, model = {}, ""
    for line in _lines(result):
        if not line.startswith(" "):
            model = line.split("@")[0]
        elif not line.strip().startswith("N/A"):
            said[model] = line.split()[0]
    assert said == {"diff": "PASS", "ratio": "PASS", "under": "FAIL"}, result.output
    assert run_cli("build", str(records), "-o", str(tmp_path / "site")).exit_code == 0
    for model, flagged in (("ratio", False), ("under", True)):
        page = json.loads((tmp_path / f"site/models/{model}/v/1/fairness/index.json").read_text())
        rows = page["groupings"][0]["four_fifths"]["rows"]
        assert [r["status"] for r in rows] == ["flagged" if flagged else "pass", "pass"]


@pytest.mark.parametrize("kind", ["dangling link", "folder"])
def test_a_policy_toml_that_cannot_be_read_is_not_replaced_by_the_default(
    project, run_cli, kind: str
) -> None:  # type: ignore[no-untyped-def]
    """A policy.toml linked to a file not there fell back to the shipped policy, exit 0."""
    records = project()
    if kind == "folder":
        (records / "policy.toml").mkdir()
    else:
        (records / "policy.toml").symlink_to("shared/strict-policy.toml")
    for command in (["check", str(records)], ["validate", str(records)]):
        result = run_cli(*command)
        assert result.exit_code == 2, result.output
        assert "policy.toml: cannot be read" in result.output


def test_hash_rule_fails_when_a_data_file_is_deleted(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Deleting the changed files turned FAIL into N/A ("not in the records folder"), exit 0."""
    records = project()  # train (data/train.csv) is not there: as if deleted since recorded
    run = records / "runs" / "churn-1.json"
    doc = json.loads(run.read_text())
    doc["datasets"].append({"id": "sk", "role": "train", "uri": "sklearn.load_iris()"})
    doc["datasets"][-1]["sha256"] = "c" * 64
    run.write_text(json.dumps(doc))
    policy = _policy(tmp_path, '[[rule]]\nkind = "hashes"\n')
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    assert _lines(result)[1] == (
        "  FAIL  data-set hashes unchanged: 1 unchanged; file missing (deleted or moved since "
        "recorded): train; not in the records folder, not checked: sk (limit: each "
        f"file's sha256 equals the recorded one) [{policy}:2]"
    )
    assert result.exit_code == 1


def test_a_version_named_twice_is_checked_once(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policy = _policy(tmp_path, '[[rule]]\nkind = "hashes"\n')
    records = project()
    once = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@10")
    twice = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@10",
                    "--model", "churn@10")  # fmt: skip
    assert twice.output == once.output


def test_a_report_in_a_new_folder_is_written_and_an_unwritable_one_keeps_the_verdict(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """`--junit reports/check.xml` (a folder CI makes later) exited 2, hiding the gate's FAIL."""
    records = project()
    policy = _policy(tmp_path, '[[rule]]\nkind = "performance"\nmetric = "accuracy"\n'
                               'dataset = "holdout"\nmin = 0.99\n')  # fmt: skip
    junit = tmp_path / "reports" / "ci" / "check.xml"
    result = run_cli("check", str(records), "--policy", str(policy), "--junit", str(junit))
    assert result.exit_code == 1 and ET.parse(junit).getroot().tag == "testsuites"
    (tmp_path / "file").write_text("")
    result = run_cli("check", str(records), "--policy", str(policy),
                     "--junit", str(tmp_path / "file" / "x.xml"))  # fmt: skip
    assert result.exit_code == 2
    assert "cannot write the report" in result.output
    assert "the check itself: 1 failed, 0 warned, 1 passed" in result.output


def test_a_file_uri_inside_the_records_is_hashed(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """MLflow writes local data sets as file:///…: they were "not in the records folder"."""
    records = project()
    run = records / "runs" / "churn-1.json"
    doc = json.loads(run.read_text())
    holdout = next(d for d in doc["datasets"] if d["id"] == "holdout")
    holdout["uri"] = (records / "predictions" / "churn-1.csv").resolve().as_uri()
    doc["datasets"] = [holdout]
    run.write_text(json.dumps(doc))
    policy = _policy(tmp_path, '[[rule]]\nkind = "hashes"\n')
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    assert "PASS  data-set hashes unchanged: 1 unchanged (limit" in _lines(result)[1]


def test_a_fairness_rule_finds_an_intersection_in_either_column_order(
    run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = tmp_path / "records"
    for folder in ("runs", "predictions"):
        (records / folder).mkdir(parents=True)
    lines = ["y_true,y_pred,sex,race"]
    for k in range(40):
        lines.append(f"{k % 2},{int(k % 3 == 0)},{'FM'[k % 2]},{'AB'[(k // 2) % 2]}")
    path = records / "predictions" / "m.csv"
    path.write_text("\n".join(lines) + "\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run = {"schema": "cardpress/run/1", "run_id": "m", "model": {"name": "m", "version": "1"},
           "started_at": "2026-01-10T08:00:00Z", "status": "FINISHED", "metrics": [],
           "datasets": [{"id": "test", "role": "evaluation", "uri": "predictions/m.csv",
                         "sha256": digest}],
           "predictions": {"uri": "predictions/m.csv", "sha256": digest, "dataset": "test",
                           "columns": {"y_true": "y_true", "y_pred": "y_pred",
                                       "sensitive": ["sex", "race"]}}}  # fmt: skip
    (records / "runs" / "m.json").write_text(json.dumps(run, indent=2))
    (records / "cardpress.toml").write_text('[fairness]\nintersections = [["sex", "race"]]\n')
    policy = _policy(tmp_path, '[[rule]]\nkind = "fairness"\nmetric = "accuracy"\n'
                     'measure = "difference"\nmax = 1\nmin_group_size = 1\n'
                     'columns = ["race", "sex"]\n')  # fmt: skip
    result = run_cli("check", str(records), "--policy", str(policy))
    [line] = [x for x in _lines(result) if "fairness:" in x]
    assert line.startswith("  PASS  fairness: accuracy difference by sex × race: difference ")
    assert "no grouping" not in result.output and result.exit_code == 0, result.output
    other = _policy(tmp_path, '[[rule]]\nkind = "fairness"\nmetric = "accuracy"\n'
                    'measure = "difference"\nmax = 1\ncolumns = ["race", "age"]\n')  # fmt: skip
    missing = run_cli("check", str(records), "--policy", str(other))
    assert "no grouping race × age in the report (it has sex, race, sex × race)" in missing.output


def test_a_ratio_of_nothing_says_why(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """No group selected: the gate said "ratio nan (A 0, A 0)" and failed, with no reason."""
    records = tmp_path / "records"
    for folder in ("runs", "predictions"):
        (records / folder).mkdir(parents=True)
    _selection_model(records, "none", {"A": (50, 0), "B": (50, 0)})
    (records / "policy.toml").write_text(
        POLICY_HEAD + '[[rule]]\nkind = "fairness"\nmetric = "selection_rate"\n'
        'measure = "ratio"\nmin = 0.8\n'
    )
    result = run_cli("check", str(records))
    assert result.exit_code == 1
    assert (
        "FAIL  fairness: selection_rate ratio by g: undefined: every group's selection_rate is 0 "
        "(a ratio 0 / 0)"
    ) in result.output


def test_a_quantile_the_reports_do_not_compute_fails_validate_and_build(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A rule on ``ae_p95`` with ``error_quantiles = [0.5, 0.9]`` passed validate and build."""
    records = project()
    rule = '[[rule]]\nkind = "fairness"\nmetric = "ae_p95"\nmeasure = "ratio"\nmin = 0.8\n'
    (records / "policy.toml").write_text(POLICY_HEAD + rule)
    for command in (["validate"], ["build", "-o", str(tmp_path / "out")]):
        result = run_cli(*command[:1], str(records), *command[1:])
        assert result.exit_code == 2
        assert "rule[0].metric: ae_p95 is not computed" in result.output
    assert not (tmp_path / "out").exists()
    config = records / "cardpress.toml"
    config.write_text(config.read_text() + "\n[fairness]\nerror_quantiles = [0.5, 0.95]\n")
    assert run_cli("validate", str(records)).exit_code == 0


def test_an_auc_rule_without_scores_says_so(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A binary model without scores broke an AUC rule "undefined: fewer than two groups large
    enough and with the metric defined" though both groups had 200 rows: the reason is no scores."""
    records = tmp_path / "records"
    for folder in ("runs", "predictions"):
        (records / folder).mkdir(parents=True)
    _selection_model(records, "plain", {"A": (200, 80), "B": (200, 70)})
    run_path = records / "runs" / "plain.json"
    run = json.loads(run_path.read_text())
    del run["predictions"]["columns"]["y_score"]
    run_path.write_text(json.dumps(run))
    (records / "policy.toml").write_text(
        POLICY_HEAD + '[[rule]]\nkind = "fairness"\nmetric = "auc"\nmeasure = "difference"\n'
        "max = 0.1\n"
    )
    result = run_cli("check", str(records))
    [line] = [line.strip() for line in _lines(result) if "auc" in line]
    assert line.startswith("FAIL  fairness: auc difference by g: undefined: no scores in the "
                           "predictions (predictions.columns.y_score)"), line  # fmt: skip
    assert result.exit_code == 1
