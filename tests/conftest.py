"""Shared fixtures; under CI=true any skipped test fails the run (CI installs every part)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

import cardpress
from cardpress.cli import cli

# What a property test checks is its property, not its speed: Hypothesis's 200 ms deadline
# failed tests on a loaded machine (and in parallel workers). No deadline, in every test.
settings.register_profile("cardpress", deadline=None)
settings.load_profile("cardpress")

TESTS = Path(__file__).parent
PROJECTS = TESTS / "projects"
REPO = TESTS.parent
EXAMPLE = REPO / "examples" / "adult-income"
CACHE = ".cardpress-cache"  # the records' build caches (cardpress.readers.chart_cache.FOLDER)


def bench_records(root: Path, models: int, versions: int, first_version: int = 1) -> None:
    """bench/site.py's records: models × versions with predictions, no cache."""
    # bench/site.py by path: its module name would otherwise be the standard library's `site`
    path = REPO / "bench" / "site.py"
    spec = importlib.util.spec_from_file_location("bench_site", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_records(root, models, versions, first_version)


@pytest.fixture(scope="session")
def project_charts(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A project's kept charts (its chart cache), drawn by one build per test process."""
    drawn: dict[str, Path] = {}

    def charts(name: str) -> Path:
        if name not in drawn:
            records = tmp_path_factory.mktemp(f"charts-{name}") / "records"
            shutil.copytree(PROJECTS / name, records, ignore=shutil.ignore_patterns(CACHE))
            cardpress.build(records, records.parent / "site")
            drawn[name] = records / CACHE / "charts"
        return drawn[name]

    charts("minimal")  # now, before a test's body patches anything or watches the log
    return charts


@pytest.fixture
def project(tmp_path: Path, project_charts: Callable[[str], Path]) -> Callable[..., Path]:
    """Copy a project from tests/projects into a temporary folder and return its path.

    The copy holds the project's kept charts (no page or build cache), so a test's builds skip
    drawing them; ``charts=False`` for a test about drawing charts.
    """

    def copy(name: str = "minimal", *, charts: bool = True) -> Path:
        target = tmp_path / name
        # without the build caches a test that built the project in place left there
        shutil.copytree(PROJECTS / name, target, ignore=shutil.ignore_patterns(CACHE))
        if charts:
            shutil.copytree(project_charts(name), target / CACHE / "charts")
        return target

    return copy


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's site, built once per test process: read it; copy it to change it."""
    out = tmp_path_factory.mktemp("example") / "site"
    cardpress.build(EXAMPLE, out)
    return out


@pytest.fixture(scope="session")
def example_charts(example_site: Path) -> Path:
    """The example's kept charts (its chart cache), drawn once per test process.

    Copy them into a copy of the example (:func:`copy_example`) where a test builds it and what
    it checks is not the drawing of charts: a build with them skips ~7 s of vl-convert.
    """
    from cardpress.readers.chart_cache import cache_folder

    folder = cache_folder(EXAMPLE)
    assert folder is not None and (folder / "charts").is_dir()
    return folder / "charts"


@pytest.fixture
def copy_example(example_charts: Path) -> Callable[[Path], Path]:
    """Copy the example to a new folder with its kept charts only (no page or build cache)."""

    def copy(target: Path) -> Path:
        shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(CACHE))
        shutil.copytree(example_charts, target / CACHE / "charts")
        return target

    return copy


@pytest.fixture
def drawn_charts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every chart spec the builds of this test draw, on any thread (``charts._svg_of_json``).

    The chart threads' warm-up chart is not one of the site's.
    """
    from cardpress.render import chart_workers, charts

    drawn: list[dict[str, Any]] = []
    real = charts._svg_of_json

    def watched(spec_json: str) -> str:
        if spec_json != chart_workers._WARM_UP:
            drawn.append(json.loads(spec_json))
        return real(spec_json)

    monkeypatch.setattr(charts, "_svg_of_json", watched)
    return drawn


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Invoke the CLI in-process the way the ``cardpress`` command does."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every system part is installed, so a skip means a broken install: fail."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; CI must run every test.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
