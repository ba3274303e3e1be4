"""Render many charts over worker processes that never import the caller's script.

vl-convert holds the GIL, so threads do not help, and ``multiprocessing`` (spawn and forkserver
alike) starts each worker by re-importing the parent's ``__main__``: a script that calls
``cardpress.build(...)`` at top level, without an ``if __name__ == "__main__":`` guard, ran its
build again in every worker and died with ``BrokenProcessPool``. These workers are plain
``python -m cardpress.render.chart_workers`` processes: a spec per line on stdin (a JSON
string), its SVG per line on stdout, and nothing of the caller's runs in them.

A :class:`Workers` pool is started before the build knows its charts and renders each one as
soon as it is submitted, so a cold build's charts are drawn while the build goes on reading,
computing and filling templates: a worker's start (its renderer's first chart costs ~1 s) and
the charts overlap the rest of the build instead of following it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from typing import IO

from cardpress.progress import stage

# Specs sent to a worker ahead of the one it draws: it never waits on the parent (which may be
# busy with the GIL), and a slow chart does not hold back many others.
AHEAD = 2
# Drawn by each worker as it starts, so the renderer's start-up is paid while the build reads.
_WARM_UP = {"mark": "point", "data": {"values": [{"a": 1}]}}


class WorkerError(RuntimeError):
    """A chart worker died or could not render a chart."""


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    errors: IO[bytes]  # its stderr, read when it fails
    pending: deque[str] = field(default_factory=deque)  # sent, not drawn yet, in order
    room: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(AHEAD))


class Workers:
    """Worker processes rendering submitted specs (sorted-key JSON text), each spec once."""

    def __init__(self, count: int) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._futures: dict[str, Future[str]] = {}
        self._lock = threading.Lock()
        self._failed: str | None = None
        self._workers = [_start() for _ in range(count)]
        self._threads = [
            threading.Thread(target=target, args=(worker,), daemon=True)
            for worker in self._workers
            for target in (self._feed, self._collect)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, specs: Iterable[str]) -> None:
        """Render these specs in the background (a spec already submitted is not drawn again)."""
        with self._lock:
            for spec in specs:
                if spec not in self._futures:
                    future: Future[str] = Future()
                    self._futures[spec] = future
                    if self._failed is not None:
                        future.set_exception(WorkerError(self._failed))
                    else:
                        self._queue.put(spec)

    def results(self, specs: list[str]) -> list[str]:
        """The SVG of each spec, in order, submitted now if it was not; waits for them.

        Raises:
            WorkerError: a worker failed (its exit code and last line of stderr say why).
        """
        self.submit(specs)
        with self._lock:
            futures = {spec: self._futures[spec] for spec in specs}
        waiting = [future for future in futures.values() if not future.done()]
        with stage("charts", len(futures), "charts") as advance:
            advance(len(futures) - len(waiting))
            for future in as_completed(waiting):
                future.result()  # the first failure stops the wait
                advance(1)
        return [futures[spec].result() for spec in specs]

    def close(self) -> None:
        """Let the workers finish the charts they hold and exit; raise if one failed.

        Charts submitted but not sent to a worker yet are not drawn: nobody asked for them.
        """
        with self._lock:
            while True:
                try:
                    spec = self._queue.get_nowait()
                except queue.Empty:
                    break
                if spec is not None:
                    self._futures[spec].cancel()
            for _ in self._workers:
                self._queue.put(None)
        for thread in self._threads:
            thread.join()
        for worker in self._workers:
            worker.proc.wait()
            worker.errors.close()
        if self._failed is not None:
            raise WorkerError(self._failed)

    def kill(self) -> None:
        """Stop the workers now (the build failed): nothing they draw is wanted any more."""
        for worker in self._workers:
            worker.proc.kill()
        self._fail("the build stopped")
        with contextlib.suppress(WorkerError):
            self.close()

    def _feed(self, worker: _Worker) -> None:
        """Send specs from the shared queue to one worker, :data:`AHEAD` at a time."""
        assert worker.proc.stdin is not None  # a pipe
        try:
            while (spec := self._queue.get()) is not None:
                worker.room.acquire()
                with self._lock:
                    worker.pending.append(spec)
                worker.proc.stdin.write(json.dumps(spec).encode() + b"\n")
                worker.proc.stdin.flush()
            worker.proc.stdin.close()
        except OSError:  # BrokenPipeError too
            pass  # the worker died: its reader says why

    def _collect(self, worker: _Worker) -> None:
        """Hand each SVG a worker writes to its spec; a worker that dies fails the pool."""
        assert worker.proc.stdout is not None  # a pipe
        for line in worker.proc.stdout:
            with self._lock:
                future = self._futures[worker.pending.popleft()]
            if not future.done():  # not failed meanwhile by another worker's death
                future.set_result(json.loads(line))
            worker.room.release()
        code = worker.proc.wait()
        if code != 0 or worker.pending:
            worker.errors.seek(0)
            said = worker.errors.read().decode(errors="replace").strip().splitlines()
            self._fail(f"a chart worker failed (exit {code}): {(said or ['no message'])[-1]}")
        worker.room.release()  # its feeder, if waiting for room, finds the pipe closed

    def _fail(self, message: str) -> None:
        with self._lock:
            if self._failed is None:
                self._failed = message
            for future in self._futures.values():
                if not future.done():
                    future.set_exception(WorkerError(self._failed))


def _start() -> _Worker:
    # The parent's import path, as multiprocessing would pass it, so the worker finds this
    # cardpress and its libraries even when the caller's script set sys.path itself; -P keeps
    # the worker's current folder off it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Workers.close
    command = [sys.executable, "-P", "-m", __name__]
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env=env
    )
    return _Worker(proc, errors)


def render_apart(specs: list[str], workers: int) -> list[str]:
    """The SVG of each spec (sorted-key JSON), in order, rendered by ``workers`` processes."""
    pool = Workers(workers)
    try:
        found = pool.results(specs)
    except BaseException:
        pool.kill()
        raise
    pool.close()
    return found


def main() -> None:
    """Worker: read a spec per line on stdin (a JSON string), write its SVG as a line of JSON."""
    from cardpress.render.charts import _svg_of_json

    _svg_of_json(json.dumps(_WARM_UP))
    for line in sys.stdin.buffer:
        sys.stdout.write(json.dumps(_svg_of_json(json.loads(line))) + "\n")
        sys.stdout.flush()  # a line per chart, as it is done: the parent waits for it


if __name__ == "__main__":
    main()
