"""The fairness report filled once for the fairness page and the print view: the same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import cardpress
from cardpress.render import env as render_env


def test_every_report_of_the_example_prints_as_if_filled_for_print(
    tmp_path: Path,
    example_site: Path,
    copy_example: Callable[[Path], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # filled apart for each page, as for a project that overrides the report's templates
    monkeypatch.setattr(render_env, "overrides_report", lambda folder: True)
    records = copy_example(tmp_path / "records")
    cardpress.build(records, tmp_path / "site")
    pages = sorted(example_site.glob("models/*/v/*/print.html"))
    pages += sorted(example_site.glob("models/*/v/*/fairness/index.html"))
    tasks = set()
    for page in pages:
        relative = page.relative_to(example_site)
        assert (tmp_path / "site" / relative).read_bytes() == page.read_bytes(), relative
        if page.name == "index.html":
            tasks.add(json.loads(page.with_suffix(".json").read_text()).get("task", "binary"))
    assert {"binary", "multiclass", "regression"} <= tasks  # every kind of report compared
    assert b'<details class="metric-detail" open>' in pages[0].read_bytes()


def test_a_project_that_overrides_a_report_template_fills_each_page_itself(
    tmp_path: Path,
) -> None:
    templates = tmp_path / "templates"
    assert not render_env.overrides_report(templates)
    templates.mkdir()
    assert not render_env.overrides_report(templates)
    (templates / "_fairness_scored.html").write_text("{{ printing is defined }}")
    assert render_env.overrides_report(templates)
