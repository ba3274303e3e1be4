"""Resource bombs stop at a documented limit with a problem, quickly (docs/records.md, Limits)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cardpress.readers.limits import MAX_CARD_BYTES, MAX_METRICS, json_too_deep
from cardpress.readers.yaml_safe import YamlLimitError, YamlValueError, load_yaml
from tests.functional.cli_outcomes import fails as _fails

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
)  # 1 KB; 10**9 values once expanded


def _card(records: Path, text: str) -> None:
    (records / "models" / "churn" / "card.md").write_text(text)


def test_a_yaml_alias_bomb_in_card_front_matter(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _card(records, f"---\n{BOMB}\n---\nBody.\n")
    [problem] = _fails(run_cli, records, tmp_path / "out")
    assert problem.startswith("models/churn/card.md:6: front matter holds more than 100,000 values")


@pytest.mark.parametrize("depth", [65, 100_000])
def test_yaml_nested_past_the_limit(project, run_cli, tmp_path: Path, depth: int) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _card(records, "---\ntags: " + "[" * depth + "]" * depth + "\n---\nBody.\n")
    [problem] = _fails(run_cli, records, tmp_path / "out")
    assert problem.startswith("models/churn/card.md:2: ")
    # past 1,000 levels libyaml stops first, with its own words
    expected = "nested deeper than 64 levels" if depth == 65 else "exceeded maximum nesting depth"
    assert expected in problem


def test_a_self_referring_alias_is_refused() -> None:
    with pytest.raises(YamlLimitError, match="nested deeper"):
        load_yaml("a: &a [*a]\n")


def test_shared_anchors_within_the_budget_load() -> None:
    data, _ = load_yaml("base: &b {lr: 0.1}\nfirst: *b\nsecond: *b\n")
    assert data == {"base": {"lr": 0.1}, "first": {"lr": 0.1}, "second": {"lr": 0.1}}


def test_dates_that_are_not_dates_and_keys_given_twice_are_refused_with_their_lines() -> None:
    """Constructing 2026-02-30 raised a bare ValueError; a key given twice was kept silently."""
    with pytest.raises(YamlValueError) as raised:
        load_yaml("a: 2026-02-30\nb:\n  - {c: 1, c: 2}\n")
    assert isinstance(raised.value, yaml.YAMLError)  # DVC files: a warning like any bad YAML
    assert str(raised.value) == (
        "line 1: 2026-02-30 reads as a date but is not a real date; "
        "line 3: key 'c' appears twice (first on line 3)"
    )


def test_merge_keys_may_repeat_and_dates_stay_text_when_asked() -> None:
    data, _ = load_yaml("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n")
    assert data["c"] == {"x": 1, "y": 2}
    data, _ = load_yaml("t: 2026-01-01T10:00:00+02:00\n", dates_as_text=True)
    assert data == {"t": "2026-01-01T10:00:00+02:00"}


def test_a_yaml_alias_bomb_in_dvc_yaml_is_a_warning(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / "dvc.yaml").write_text(BOMB + "\n")
    result = run_cli("build", str(records), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "dvc.yaml:5: holds more than 100,000 values once its aliases are expanded; skipped" in (
        result.output
    )


@pytest.mark.parametrize("count", [4000, 8000])
@pytest.mark.parametrize("bracket", ["[", "[a](", "[x]"])
def test_markdown_brackets_spanning_too_much_text(
    project, run_cli, tmp_path: Path, count: int, bracket: str
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    text = "[" * count + "x" + "]" * count if bracket == "[x]" else bracket * count
    _card(records, "---\ntitle: Churn\n---\nIntro.\n\n## Details\n\n" + text + "\n")
    [problem] = _fails(run_cli, records, tmp_path / "out")
    opened = bracket[-1] if bracket != "[x]" else "["
    assert problem == (
        f"models/churn/card.md:8: '{opened}' left open over too much text: more than 200,000 "
        f"characters inside brackets in all — close it, or write \\{opened} for a literal one "
        "(docs/records.md, Limits)"
    )


def test_markdown_brackets_that_close_or_are_escaped_pass(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    body = "[a](b) " * 2000 + "\n\n" + "\\[" * 2000 + "\n\n" + "(\n\n" * 200 + "```\n" + "[" * 900
    _card(records, "---\ntitle: Churn\n---\n" + body + "\n```\n")
    assert run_cli("validate", str(records)).exit_code == 0


def test_a_card_larger_than_the_limit(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _card(records, "---\ntitle: Churn\n---\n" + "word " * (MAX_CARD_BYTES // 5 + 1))
    size = (records / "models" / "churn" / "card.md").stat().st_size
    assert _fails(run_cli, records, tmp_path / "out") == [
        f"models/churn/card.md: is {size:,} bytes, more than the 512 KiB a card.md may have — "
        "keep card.mds under 512 KiB (docs/records.md, Limits)"
    ]


def test_a_run_with_more_metrics_than_the_limit(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    path = records / "runs" / "churn-10.json"
    run = json.loads(path.read_text())
    metric = {"key": "loss", "value": 0.5, "dataset": run["datasets"][0]["id"]}
    run["metrics"] = [dict(metric, step=i) for i in range(MAX_METRICS + 1)]
    path.write_text(json.dumps(run, indent=1))
    line = path.read_text().splitlines().index(' "metrics": [') + 1
    assert _fails(run_cli, records, tmp_path / "out") == [
        f"runs/churn-10.json:{line}: metrics: 10,001 metrics, more than 10,000 in one run record "
        "— keep the final values (log training curves elsewhere) (docs/records.md, Limits)"
    ]


@pytest.mark.parametrize("folder", ["runs", "signoffs"])
def test_json_nested_past_the_limit(project, run_cli, tmp_path: Path, folder: str) -> None:  # type: ignore[no-untyped-def]
    records = project()
    (records / folder).mkdir(exist_ok=True)
    (records / folder / "deep.json").write_text('{\n"a":\n' + "[" * 100_000 + "]" * 100_000 + "}")
    what = "a run record" if folder == "runs" else "a sign-off"
    assert _fails(run_cli, records, tmp_path / "out") == [
        f"{folder}/deep.json:3: arrays and objects nested deeper than 64 levels — {what} needs "
        "only a few levels; write it with a JSON library (docs/records.md, Limits)"
    ]


def test_json_depth_skips_brackets_in_strings() -> None:
    assert json_too_deep('{"a": "' + "[" * 100 + '\\"[[["}') is None
    assert json_too_deep("[" * 64 + "]" * 64) is None
    assert json_too_deep("\n" + "[" * 65) == 2
