"""Render many charts over worker processes that never import the caller's script.

vl-convert holds the GIL, so threads do not help, and ``multiprocessing`` (spawn and forkserver
alike) starts each worker by re-importing the parent's ``__main__``: a script that calls
``cardpress.build(...)`` at top level, without an ``if __name__ == "__main__":`` guard, ran its
build again in every worker and died with ``BrokenProcessPool``. These workers are plain
``python -m cardpress.render.chart_workers`` processes: specs as a JSON list on stdin, an SVG per
line (as a JSON string) on stdout, and nothing of the caller's runs in them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from cardpress.progress import Advance, stage


def render_apart(specs: list[str], workers: int) -> list[str]:
    """The SVG of each spec (sorted-key JSON), in order, rendered by ``workers`` processes."""
    shares = [specs[i::workers] for i in range(workers)]
    with stage("charts", len(specs), "charts") as advance, ThreadPoolExecutor(len(shares)) as pool:
        # The threads only wait on pipes, so the GIL does not matter here.
        done = list(pool.map(lambda share: _render_share(share, advance), shares))
    rendered = {spec: svg for share, svgs in zip(shares, done, strict=True)
                for spec, svg in zip(share, svgs, strict=True)}  # fmt: skip
    return [rendered[spec] for spec in specs]


def _render_share(specs: list[str], advance: Advance) -> list[str]:
    # The parent's import path, as multiprocessing would pass it, so the worker finds this
    # cardpress and its libraries even when the caller's script set sys.path itself; -P keeps
    # the worker's current folder off it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    command = [sys.executable, "-P", "-m", __name__]
    svgs: list[str] = []
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env=env
        ) as worker,
    ):
        assert worker.stdin is not None and worker.stdout is not None  # both are pipes
        try:
            with worker.stdin:
                worker.stdin.write(json.dumps(specs).encode())
        except BrokenPipeError:
            pass  # the worker died first: its exit code and message tell why
        for line in worker.stdout:
            svgs.append(json.loads(line))
            advance(1)
        code = worker.wait()
        if code != 0 or len(svgs) != len(specs):
            errors.seek(0)
            reason = errors.read().decode(errors="replace").strip().splitlines() or ["no message"]
            raise RuntimeError(f"a chart worker failed (exit {code}): {reason[-1]}")
    return svgs


def main() -> None:
    """Worker: read a JSON list of specs on stdin, write each one's SVG as a line of JSON."""
    from cardpress.render.charts import _svg_of_json

    for spec in json.load(sys.stdin.buffer):
        sys.stdout.write(json.dumps(_svg_of_json(spec)) + "\n")
        sys.stdout.flush()  # a line per chart, as it is done: the parent counts them


if __name__ == "__main__":
    main()
