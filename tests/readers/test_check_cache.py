"""Policy checks kept between builds: read back when none of their inputs changed, else computed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import cardpress
from cardpress import checking
from cardpress.compute.check import RuleResult
from cardpress.model import Run
from cardpress.readers.chart_cache import cache_folder
from cardpress.readers.check_cache import FILE, load_checks, save_checks

RESULT = RuleResult("m", "1", "fair", "fairness", "fail", "0.61", "≥ 0.8", "policy.toml:3")


def _watch_reports(monkeypatch: pytest.MonkeyPatch) -> list[Run]:
    """The runs whose fairness reports the checks compute from now on."""
    computed: list[Run] = []
    real = checking.fairness_reports

    def watched(root: Path, runs: list[Run], *args: object, **kwargs: object) -> object:
        computed.extend(runs)
        return real(root, runs, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checking, "fairness_reports", watched)
    return computed


def _add_monitoring_rows(records: Path) -> None:
    import pyarrow.parquet as pq

    folder = records / "monitoring" / "income-classifier"
    pq.write_table(pq.read_table(folder / "2026-09.parquet").slice(0, 50), folder / "extra.parquet")


def _kept(records: Path) -> dict[str, object]:
    folder = cache_folder(records)
    assert folder is not None
    found: dict[str, object] = json.loads((folder / FILE).read_text(encoding="utf-8"))
    return found


def test_new_monitoring_rows_read_the_checks_back(
    tmp_path: Path, copy_example: Callable[[Path], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    records, out = copy_example(tmp_path / "records"), tmp_path / "site"
    cardpress.build(records, out)
    first = _kept(records)
    _add_monitoring_rows(records)
    computed = _watch_reports(monkeypatch)
    cardpress.build(records, out)  # the published versions are read as trusted: no line numbers
    assert computed == []  # no predictions read, no report computed
    assert _kept(records) == first


def test_a_changed_policy_computes_the_checks_again(
    tmp_path: Path, copy_example: Callable[[Path], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    records, out = copy_example(tmp_path / "records"), tmp_path / "site"
    cardpress.build(records, out)
    policy = records / "policy.toml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("min = 0.8", "min = 0.9"))
    computed = _watch_reports(monkeypatch)
    cardpress.build(records, out)
    assert {run.model for run in computed} >= {"income-classifier"}
    limits = {r["limit"] for _, _, results in _kept(records)["checks"] for r in results}  # type: ignore[attr-defined]
    assert any("≥ 0.9" in limit for limit in limits)
    assert not any("≥ 0.8" in limit for limit in limits)


def test_kept_checks_come_back_as_they_were_kept(tmp_path: Path) -> None:
    save_checks(tmp_path, "k", {("m", "1"): [RESULT]})
    assert load_checks(tmp_path, "k") == {("m", "1"): [RESULT]}
    assert load_checks(tmp_path, "another key") is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: text.replace('"fail"', '"pass"'),  # edited: no longer its sha256
        lambda text: "[]",  # not a cache file
    ],
)
def test_a_damaged_or_edited_entry_is_computed_again(
    tmp_path: Path, damage: Callable[[str], str]
) -> None:
    save_checks(tmp_path, "k", {("m", "1"): [RESULT]})
    path = tmp_path / ".cardpress-cache" / FILE
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert load_checks(tmp_path, "k") is None


def test_an_entry_that_is_not_a_result_is_refused_even_with_its_sha256(tmp_path: Path) -> None:
    from cardpress.readers import check_cache

    save_checks(tmp_path, "k", {("m", "1"): [RESULT]})
    path = tmp_path / ".cardpress-cache" / FILE
    kept = json.loads(path.read_text(encoding="utf-8"))
    kept["checks"][0][2][0]["status"] = "fine"
    kept["sha256"] = check_cache._digest("k", kept["checks"])
    path.write_text(json.dumps(kept), encoding="utf-8")
    assert load_checks(tmp_path, "k") is None
