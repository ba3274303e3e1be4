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

import hashlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from cardpress.progress import stage

# Drawn as the pool starts, so the renderer's start-up (~0.2 s) is paid while the build reads.
Keep = Callable[[str, str], bool]  # (spec, SVG) -> whether it was kept

_WARM_UP = '{"data": {"values": [{"a": 1}]}, "mark": "point"}'


class WorkerError(RuntimeError):
    """A chart could not be drawn."""


class Workers:
    """Threads drawing submitted specs (sorted-key JSON text), each spec once.

    With ``keep`` and ``load`` (the chart cache's), a drawn chart is kept as soon as it is
    drawn and read back when asked for, and a chart handed out is forgotten: a build of
    thousands of versions holds the charts of the pages being filled, not all it drew.
    ``keep(spec, svg)`` says whether it kept the chart; ``load(spec)`` returns it (or None).
    Charts drawn ahead of the pages that show them stay in memory up to :data:`HELD` bytes;
    past that, they are read back from the cache (a small build reads none back).
    """

    HELD = 256 << 20

    def __init__(
        self, count: int, keep: Keep | None = None, load: Callable[[str], str | None] | None = None
    ) -> None:
        from cardpress.render.charts import use_renderer_threads

        use_renderer_threads(count)
        self._threads = ThreadPoolExecutor(count, thread_name_prefix="cardpress-chart")
        self._futures: dict[bytes, Future[str | None]] = {}  # by the spec's digest
        self._lock = threading.Lock()
        self._keep: Keep | None = keep if load else None
        self._load: Callable[[str], str | None] | None = load if keep else None
        self._held = 0  # bytes of drawn charts held, not yet handed out
        for _ in range(count):  # one each: every renderer thread starts its engine now
            self._threads.submit(_draw, _WARM_UP)

    def submit(self, specs: Iterable[str]) -> None:
        """Draw these specs in the background (a spec already submitted is not drawn again)."""
        with self._lock:
            for spec in specs:
                key = _digest(spec)
                if key not in self._futures:
                    self._futures[key] = self._threads.submit(self._drawn, spec)

    def results(self, specs: list[str]) -> list[str]:
        """The SVG of each spec, in order, submitted now if it was not; waits for them.

        Raises:
            WorkerError: a chart could not be drawn (vl-convert's message says why).
        """
        self.submit(specs)
        keys = [_digest(spec) for spec in specs]
        with self._lock:
            futures = {key: self._futures[key] for key in keys}
        waiting = [future for future in futures.values() if not future.done()]
        with stage("charts", len(futures), "charts") as advance:
            advance(len(futures) - len(waiting))
            for future in as_completed(waiting):
                future.result()  # the first failure stops the wait
                advance(1)
        found = [
            self._svg(spec, futures[key].result()) for spec, key in zip(specs, keys, strict=True)
        ]
        if self._keep is not None:  # kept: asked again, they are read back
            with self._lock:
                for key in dict.fromkeys(keys):
                    held = self._futures.pop(key).result()
                    self._held -= len(held) if held is not None else 0
        return found

    def submitted(self, specs: list[str]) -> list[str]:
        """Those of ``specs`` submitted and not yet handed out."""
        with self._lock:
            return [spec for spec in specs if _digest(spec) in self._futures]

    def close(self) -> None:
        """Stop: the charts being drawn finish, those not started are not drawn (nobody asked).

        No thread of the pool outlives this call.
        """
        self._threads.shutdown(wait=True, cancel_futures=True)

    def _drawn(self, spec: str) -> str | None:
        """The chart's SVG, or None when it was kept and not held (it is read back when asked)."""
        svg = _draw(spec)
        if self._keep is None:
            return svg
        kept = self._keep(spec, svg)
        with self._lock:
            if kept and self._held + len(svg) > self.HELD:
                return None
            self._held += len(svg)
        return svg

    def _svg(self, spec: str, drawn: str | None) -> str:
        if drawn is not None:
            return drawn
        assert self._load is not None  # None is only returned for a kept chart
        kept = self._load(spec)
        return kept if kept is not None else _draw(spec)  # the cache lost it: drawn again


def _digest(spec: str) -> bytes:
    return hashlib.sha256(spec.encode()).digest()


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
