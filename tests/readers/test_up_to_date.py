"""What the whole-build short cut digests of a records folder."""

from __future__ import annotations

from pathlib import Path

from cardpress.readers.up_to_date import _drift_caches


def test_the_drift_caches_of_the_config_and_of_each_model_are_named(tmp_path: Path) -> None:
    config = {"drift": {"cache": "kept", "models": {"m": {"cache": "sub/../other"}}},
              "lineage": {"openlineage": "events.jsonl"}}  # fmt: skip
    root = tmp_path.absolute()
    assert _drift_caches(tmp_path, config) == {root / "kept", root / "other"}


def test_a_config_whose_tables_are_not_tables_skips_nothing(tmp_path: Path) -> None:
    assert _drift_caches(tmp_path, {"drift": 5}) == set()
    assert _drift_caches(tmp_path, {"drift": {"models": ["m"]}}) == set()
    assert _drift_caches(tmp_path, {}) == set()
