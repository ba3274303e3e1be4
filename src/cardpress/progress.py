"""Build stages: each stage's time in the log (``-v``), and a progress display on a terminal.

A stage is opened where its work is done (reading records, monitoring files, drift reports,
charts, pages, writing), with :func:`stage` or, around a loop, :func:`each`, so the pipeline
reads as before. The command line turns the display on with :func:`display` when stderr is a
terminal and ``-q`` is not given; the Python API shows none. The display appears only once a
build has run for :data:`DELAY` seconds and is gone when it ends; log lines go through
:func:`echo`, which prints them above the display instead of through it. rich draws it, and is
imported only when the display is on.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.progress import Progress

logger = logging.getLogger("cardpress")
T = TypeVar("T")
Advance = Callable[[int], None]
DELAY = 2.0  # seconds: a shorter build shows no display at all

_shown: Progress | None = None
_open: dict[str, Advance] = {}  # the stages open now, by name
_open_lock = threading.Lock()


@contextmanager
def stage(name: str, total: int | None = None, unit: str = "") -> Iterator[Advance]:
    """A stage of a build: yields ``advance(n)`` to count what it did; logs its time at INFO.

    ``advance`` may be called from several threads. A stage that raises logs nothing. A stage
    opened while one of the same name is open (the pages take their charts a batch at a time)
    counts into that one and logs nothing of its own.
    """
    with _open_lock:
        outer = _open.get(name)
    if outer is not None:
        yield outer
        return
    shown = _shown
    task = shown.add_task(name, total=total) if shown is not None else None
    lock = threading.Lock()
    done = 0

    def advance(n: int = 1) -> None:
        nonlocal done
        with lock:
            done += n
        if shown is not None and task is not None:
            shown.advance(task, n)

    start = time.perf_counter()
    with _open_lock:
        _open[name] = advance
    try:
        yield advance
    finally:
        with _open_lock:
            del _open[name]
    elapsed = time.perf_counter() - start
    if shown is not None and task is not None:
        shown.update(task, total=done, completed=done)
    logger.info("%s: %d%s in %.2f s", name, done, f" {unit}" if unit else "", elapsed)


def each(name: str, items: Iterable[T], unit: str = "") -> Iterator[T]:
    """The items, counted as a stage as the loop that consumes them goes through them."""
    total = len(items) if isinstance(items, Sized) else None
    with stage(name, total, unit) as advance:
        for item in items:
            yield item
            advance(1)


@contextmanager
def display(enabled: bool) -> Iterator[None]:
    """Show the stages of what runs inside on stderr, if ``enabled``, once it takes a while."""
    global _shown
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    shown = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(file=sys.stderr), transient=True,
        redirect_stdout=False, redirect_stderr=False,
    )  # fmt: skip
    timer = threading.Timer(DELAY, shown.start)
    timer.daemon = True
    _shown = shown
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()  # a start under way finishes before the stop
        shown.stop()
        _shown = None


def echo(line: str) -> None:
    """Print a line on stderr: above the display while there is one."""
    shown = _shown
    if shown is not None:
        shown.console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)
    else:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


class LogHandler(logging.Handler):
    """Log records printed with :func:`echo`, so they do not tear the display."""

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        try:
            echo(self.format(record))
        except Exception:
            self.handleError(record)
