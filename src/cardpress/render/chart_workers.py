"""Render many charts in the background, on vl-convert's own worker threads.

vl-convert 2 draws on worker threads of its own (each with a V8 engine) and releases the GIL
while it draws, so a few Python threads keep it busy while the build goes on reading, computing
and filling templates. Nothing runs in another process: a script that calls
``cardpress.build(...)`` at top level, without an ``if __name__ == "__main__":`` guard, is never
imported again (``multiprocessing`` re-imports it in every worker).

A :class:`Workers` pool is started before the build knows its charts and draws each one as
soon as it is submitted, so a cold build's charts are drawn while the rest of the build goes
on, instead of after it. (vl-convert 1 held the GIL and took ~1 ms a label: charts were drawn
by worker processes then.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from cardpress.progress import stage

# Drawn as the pool starts, so the renderer's start-up (~0.2 s) is paid while the build reads.
_WARM_UP = '{"data": {"values": [{"a": 1}]}, "mark": "point"}'


class WorkerError(RuntimeError):
    """A chart could not be drawn."""


class Workers:
    """Threads drawing submitted specs (sorted-key JSON text), each spec once."""

    def __init__(self, count: int) -> None:
        from cardpress.render.charts import use_renderer_threads

        use_renderer_threads(count)
        self._threads = ThreadPoolExecutor(count, thread_name_prefix="cardpress-chart")
        self._futures: dict[str, Future[str]] = {}
        self._lock = threading.Lock()
        self._threads.submit(_draw, _WARM_UP)

    def submit(self, specs: Iterable[str]) -> None:
        """Draw these specs in the background (a spec already submitted is not drawn again)."""
        with self._lock:
            for spec in specs:
                if spec not in self._futures:
                    self._futures[spec] = self._threads.submit(_draw, spec)

    def results(self, specs: list[str]) -> list[str]:
        """The SVG of each spec, in order, submitted now if it was not; waits for them.

        Raises:
            WorkerError: a chart could not be drawn (vl-convert's message says why).
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
        """Stop: the charts being drawn finish, those not started are not drawn (nobody asked).

        No thread of the pool outlives this call.
        """
        self._threads.shutdown(wait=True, cancel_futures=True)


def _draw(spec: str) -> str:
    from cardpress.render.charts import _svg_of_json

    try:
        return _svg_of_json(spec)
    except Exception as error:  # vl-convert raises ValueError, PermissionError, ...
        # "Vega-Lite to SVG conversion failed:", then the error, then where in Vega it was
        said = [line.strip() for line in str(error).splitlines() if line.strip()]
        said = [line for line in said if not line.startswith("at ")] or [type(error).__name__]
        raise WorkerError(f"a chart could not be drawn: {said[-1]}") from error


def render_apart(specs: list[str], workers: int) -> list[str]:
    """The SVG of each spec (sorted-key JSON), in order, drawn over ``workers`` threads."""
    pool = Workers(workers)
    try:
        found = pool.results(specs)
    finally:
        pool.close()
    return found
