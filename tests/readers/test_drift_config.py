"""The [drift] keys of the verdicts: read, laid over per model, and refused when wrong."""

from __future__ import annotations

from pathlib import Path

from cardpress.errors import Problem
from cardpress.readers.config import CONFIG_FILE, read_config


def _read(tmp_path: Path, text: str) -> tuple[object, list[Problem]]:
    (tmp_path / CONFIG_FILE).write_text(text)
    problems: list[Problem] = []
    return read_config(tmp_path, problems), problems


def test_verdict_settings_are_read_and_laid_over_per_model(tmp_path: Path) -> None:
    config, problems = _read(
        tmp_path,
        '[drift]\nfalse_alarm_rate = 0.05\nmultiple_testing = "none"\n'
        "[drift.thresholds]\nks_d = 0.2\n"
        '[drift.models.m]\nprimary_numeric = "wasserstein"\n',
    )
    assert not problems
    settings = config.drift_for("m")  # type: ignore[attr-defined]
    assert settings.false_alarm_rate == 0.05 and settings.multiple_testing == "none"
    assert settings.primary_numeric == "wasserstein" and settings.primary_categorical == "js"
    assert dict(settings.thresholds)["ks_d"] == 0.2 and dict(settings.thresholds)["js"] == 0.1


def test_a_primary_statistic_that_does_not_apply_is_refused(tmp_path: Path) -> None:
    _, problems = _read(tmp_path, '[drift]\nprimary_categorical = "ks_d"\n')
    assert len(problems) == 1 and problems[0].line == 2
    assert "primary_categorical" in problems[0].field
