"""Progress: a display on a terminal only, stage times with -v, no third-party chatter."""

from __future__ import annotations

import logging
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cardpress import progress

# The command line with the display's delay at 0, so a small build shows it too.
NO_DELAY = "import cardpress.progress as p; p.DELAY = 0; from cardpress.cli import main; main()"
STAGE = re.compile(r"^(reading records|monitoring files|drift reports|charts|pages|writing): "
                   r"\d+ [a-z ]+ in \d+\.\d\d s$")  # fmt: skip


def _on_a_terminal(*args: str) -> tuple[str, bytes]:
    """Run the command with stderr on a pseudo-terminal: (stdout, what the terminal got)."""
    master, slave = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-c", NO_DELAY, *args], stdout=subprocess.PIPE, stderr=slave
    ) as command:
        os.close(slave)
        seen = bytearray()
        reader = threading.Thread(target=_drain, args=(master, seen))
        reader.start()
        stdout = command.communicate()[0].decode()
        reader.join()
    os.close(master)
    assert command.returncode == 0, seen.decode(errors="replace")
    return stdout, bytes(seen)


def _drain(fd: int, into: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the command and its children closed the terminal
            return
        if not chunk:
            return
        into += chunk


def test_a_terminal_shows_the_stages(project: Callable[[str], Path], tmp_path: Path) -> None:
    stdout, terminal = _on_a_terminal("build", str(project("minimal")), "-o", str(tmp_path / "s"))
    assert stdout.startswith("Built: ")
    assert b"reading records" in terminal and b"pages" in terminal and b"writing" in terminal


def test_quiet_shows_nothing_even_on_a_terminal(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    stdout, terminal = _on_a_terminal(
        "-q", "build", str(project("minimal")), "-o", str(tmp_path / "s")
    )
    assert (stdout, terminal) == ("", b"")


def test_no_display_when_stderr_is_not_a_terminal(
    run_cli: Callable[..., Result],
    project: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    result = run_cli("build", str(project("minimal")), "-o", str(tmp_path / "site"))
    # only the build's own warnings (the minimal project's status contradicts its sign-offs)
    assert "\x1b" not in result.stderr
    assert not [line for line in result.stderr.splitlines() if STAGE.match(line)]
    assert all(": card.md says" in line for line in result.stderr.splitlines())
    assert result.stdout.startswith("Built: ")


def test_verbose_logs_each_stage_with_its_time(
    run_cli: Callable[..., Result], project: Callable[..., Path], tmp_path: Path
) -> None:
    records = project("minimal", charts=False)  # a chart to draw: the "charts" stage
    result = run_cli("-v", "build", str(records), "-o", str(tmp_path / "site"))
    stages = [line for line in result.stderr.splitlines() if STAGE.match(line)]
    names = [line.partition(":")[0] for line in stages]
    assert names == [
        "reading records",
        "monitoring files",
        "drift reports",
        "charts",
        "pages",
        "writing",
    ]
    assert "reading records: 3 run records in " in stages[0]


def test_debug_output_has_no_third_party_chatter(
    run_cli: Callable[..., Result], project: Callable[[str], Path], tmp_path: Path
) -> None:
    result = run_cli("-vv", "build", str(project("minimal")), "-o", str(tmp_path / "site"))
    assert "pages: " in result.stderr
    assert "Successfully loaded extension" not in result.stderr


def test_vegas_remarks_on_chart_layout_are_not_shown(
    run_cli: Callable[..., Result], project: Callable[[str], Path], tmp_path: Path
) -> None:
    # every chart drawn: vl-convert 2 passes Vega's warnings to Python's logging
    records = project("minimal", charts=False)
    result = run_cli("-vv", "build", str(records), "-o", str(tmp_path / "site"))
    assert "charts: " in result.stderr
    assert "Infinite extent" not in result.stderr
    assert "Conflicting legend property" not in result.stderr


def test_a_stage_counts_across_threads(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cardpress")
    with progress.stage("charts", 400, "charts") as advance:
        threads = [threading.Thread(target=lambda: [advance(1) for _ in range(100)])
                   for _ in range(4)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert re.fullmatch(r"charts: 400 charts in \d+\.\d\d s", caplog.messages[-1])


def test_a_failed_stage_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cardpress")
    with pytest.raises(ValueError), progress.stage("pages"):
        raise ValueError("bad")
    assert caplog.messages == []
