"""Shared fixtures; under CI=true any skipped test fails the run (CI installs every part)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

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


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a project from tests/projects into a temporary folder and return its path."""

    def copy(name: str = "minimal") -> Path:
        target = tmp_path / name
        # without the build caches a test that built the project in place left there
        shutil.copytree(PROJECTS / name, target, ignore=shutil.ignore_patterns(".cardpress-cache"))
        return target

    return copy


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's site, built once per test process: read it; copy it to change it."""
    out = tmp_path_factory.mktemp("example") / "site"
    cardpress.build(EXAMPLE, out)
    return out


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
