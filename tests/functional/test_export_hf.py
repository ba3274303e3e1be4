"""Hugging Face model card export: parsed back by huggingface_hub, numbers from the records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cardpress
from cardpress.errors import RecordsError, UsageError
from tests.conftest import EXAMPLE


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing here may reach for the Hub


def _load(path: Path):  # type: ignore[no-untyped-def]
    hub = pytest.importorskip("huggingface_hub", reason="pip install -e '.[test]'")
    return hub.ModelCard.load(path)


def test_example_card_parses_with_its_evaluation_results(tmp_path: Path) -> None:
    out = cardpress.export_hf(EXAMPLE, "income-classifier@2", tmp_path / "README.md")
    card = _load(out)
    record = json.loads((EXAMPLE / "runs/income-classifier-2.json").read_text())
    overall = {m["key"]: m["value"] for m in record["metrics"] if not m.get("slice")}
    results = {r.metric_type: r for r in card.data.eval_results}
    assert {k: r.metric_value for k, r in results.items()} == overall
    assert {r.dataset_type for r in results.values()} == {"adult-test"}
    assert {r.task_type for r in results.values()} == {"tabular-classification"}
    assert card.data.license == "apache-2.0"
    assert card.data.library_name == "sklearn"  # the record's model.library, as the Hub names it
    assert card.data.datasets == ["adult-test", "adult-train"]
    assert card.data.metrics == sorted(overall)
    assert "cardpress" in card.data.tags and "census" in card.data.tags
    assert card.data.model_name == "income-classifier"
    text = card.text
    for heading in ("## Model details", "## Intended use", "## Factors", "## Evaluation data",
                    "## Training data", "## Quantitative analyses", "## Ethical considerations",
                    "## Caveats and recommendations"):  # fmt: skip
        assert f"\n{heading}\n" in text
    sha = next(d["sha256"] for d in record["datasets"] if d["id"] == "adult-test")
    assert f"`{sha}`" in text
    assert "| sex |" in text  # the fairness headline
    assert record["run_id"] in text


def test_export_is_deterministic_and_takes_the_task(tmp_path: Path) -> None:
    first = cardpress.export_hf(EXAMPLE, "income-classifier@1", tmp_path / "a.md").read_bytes()
    again = cardpress.export_hf(EXAMPLE, "income-classifier@1", tmp_path / "b.md").read_bytes()
    assert first == again
    other = cardpress.export_hf(EXAMPLE, "income-classifier@1", tmp_path / "c.md", "text-scoring")
    assert {r.task_type for r in _load(other).data.eval_results} == {"text-scoring"}


def test_record_text_cannot_inject_markup(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    card = records / "models/churn/card.md"
    hostile = "<script>alert(1)</script> [click](javascript:alert(1)) | ![x](http://e.x/x.png)"
    old = "summary: Flags customers likely to cancel within 30 days."
    card.write_text(card.read_text().replace(old, f"summary: '{hostile}'"))
    out = cardpress.export_hf(records, "churn@10", tmp_path / "README.md")
    written = out.read_text()
    assert "<script>" not in written
    assert "[click](javascript:" not in written and "![x](" not in written  # brackets escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\[click\\](javascript:alert(1))" in written
    _load(out)


def test_licences_the_hub_does_not_know_are_named(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    card = records / "models/churn/card.md"
    card.write_text(card.read_text().replace("license: proprietary", "license: LicenseRef-acme"))
    data = _load(cardpress.export_hf(records, "churn@10", tmp_path / "README.md")).data
    assert (data.license, data.license_name) == ("other", "LicenseRef-acme")


def test_unknown_version_and_bad_records_write_nothing(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    known = (
        "use one of diabetes-progression@1, hours-band@1, income-classifier@1, income-classifier@2"
    )
    with pytest.raises(UsageError, match=known):
        cardpress.export_hf(EXAMPLE, "income-classifier@3", tmp_path / "README.md")
    records = project("minimal")
    (records / "runs/churn-10.json").write_text("{")
    with pytest.raises(RecordsError, match=r"churn-10\.json"):
        cardpress.export_hf(records, "churn@10", tmp_path / "README.md")
    assert list(tmp_path.glob("*.md")) == []


def test_cli_exit_codes(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "README.md"
    done = run_cli("export", "hf", str(EXAMPLE), "income-classifier@2", "-o", str(out))
    assert done.exit_code == 0 and out.read_text().startswith("---\n")
    assert "Hugging Face" in run_cli("export", "hf", "--help").output


def test_records_without_risk_card_or_evaluation_data_export(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    card = records / "models/churn/card.md"
    card.write_text(card.read_text().replace("risk:\n  rating: medium\n", ""))
    no_risk = _load(cardpress.export_hf(records, "churn@10", tmp_path / "a.md"))
    assert "| Risk rating | not rated |" in no_risk.text
    assert no_risk.data.license == "proprietary" or no_risk.data.license_name == "proprietary"

    card.unlink()  # no card.md at all: licence and tags are simply left out
    run = records / "runs/churn-10.json"
    doc = json.loads(run.read_text())
    doc["model"].update({"type": "LogisticRegression", "library": "scikit-learn"})
    doc["datasets"].append(
        {"id": "fit", "role": "train", "uri": "s3://bucket/fit.csv", "source_type": "s3"}
    )  # no sha256: not reachable where the run was recorded
    doc["metrics"].append({"key": "train_loss", "value": 0.25, "dataset": "fit"})
    run.write_text(json.dumps(doc))
    bare = _load(cardpress.export_hf(records, "churn@10", tmp_path / "b.md"))
    assert bare.data.license is None and bare.data.license_name is None
    assert bare.data.library_name == "sklearn"
    assert bare.data.tags == ["cardpress"]
    assert bare.data.datasets == ["fit", "holdout"]
    # only evaluation results in the model index; the training loss stays in the body
    assert [(r.metric_type, r.dataset_type) for r in bare.data.eval_results] == [
        ("accuracy", "holdout")
    ]
    assert bare.data.metrics == ["accuracy"]
    assert "| train_loss | fit | all | 0.2500 |" in bare.text
    assert "| fit | train | s3://bucket/fit.csv | — | not recorded |" in bare.text

    doc["metrics"] = [m for m in doc["metrics"] if m["dataset"] == "fit"]
    run.write_text(json.dumps(doc))
    none = _load(cardpress.export_hf(records, "churn@10", tmp_path / "c.md"))
    assert none.data.eval_results is None and none.data.metrics is None


def _with(records: Path, licence: str, body: str) -> None:
    card = records / "models/churn/card.md"
    text = card.read_text().replace("license: proprietary", f"license: {licence}")
    card.write_text(text.replace("Built for the *retention* programme.", body))


LINKED = ("See the [fairness report](fairness/index.html), [metrics](#metrics) and "
          "[the paper](https://example.org/paper?a=1&b=2).")  # fmt: skip


def test_a_licence_the_hub_does_not_know_is_an_id_with_its_link(  # type: ignore[no-untyped-def]
    project, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = project("minimal")
    _with(records, "MIT OR Apache-2.0", "Built.")
    with caplog.at_level("WARNING", logger="cardpress"):
        data = _load(cardpress.export_hf(records, "churn@10", tmp_path / "a.md")).data
    assert (data.license, data.license_name, data.license_link) == (
        "other", "mit-or-apache-2.0", None)  # fmt: skip
    assert any("--license-link" in r.getMessage() for r in caplog.records)
    linked = cardpress.export_hf(records, "churn@10", tmp_path / "b.md", license_link="LICENSE")
    data = _load(linked).data
    assert (data.license_name, data.license_link) == ("mit-or-apache-2.0", "LICENSE")
    assert "| Licence | MIT OR Apache-2.0 |" in linked.read_text()  # as written, in the body


def test_relative_links_of_card_md_are_absolute_under_the_site_or_plain_text(  # type: ignore[no-untyped-def]
    project, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = project("minimal")
    _with(records, "apache-2.0", LINKED)
    with caplog.at_level("WARNING", logger="cardpress"):
        plain = cardpress.export_hf(records, "churn@10", tmp_path / "a.md").read_text()
    assert "See the fairness report, metrics and " in plain  # the text, unlinked
    assert 'href="fairness/index.html"' not in plain and 'href="#metrics"' not in plain
    assert 'href="https://example.org/paper?a=1&amp;b=2"' in plain  # absolute links are kept
    assert any("--base-url" in r.getMessage() for r in caplog.records)
    config = records / "cardpress.toml"
    config.write_text(config.read_text() + 'base_url = "https://audit.example/ml"\n')
    linked = cardpress.export_hf(records, "churn@10", tmp_path / "b.md").read_text()
    page = "https://audit.example/ml/models/churn/v/10/"
    assert f'href="{page}fairness/index.html"' in linked
    assert f'href="{page}index.html#metrics"' in linked
    assert f"[audit site's card of this version]({page}index.html)" in linked
    other = cardpress.export_hf(records, "churn@10", tmp_path / "c.md", base_url="https://x.org")
    assert 'href="https://x.org/models/churn/v/10/fairness/index.html"' in other.read_text()
    _load(tmp_path / "b.md")
