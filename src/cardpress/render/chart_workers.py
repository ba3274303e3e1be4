"""Render many charts over worker processes that never import the caller's script.

vl-convert holds the GIL, so threads do not help, and ``multiprocessing`` (spawn and forkserver
alike) starts each worker by re-importing the parent's ``__main__``: a script that calls
``cardpress.build(...)`` at top level, without an ``if __name__ == "__main__":`` guard, ran its
build again in every worker and died with ``BrokenProcessPool``. These workers are plain
``python -m cardpress.render.chart_workers`` processes: specs as JSON on stdin, SVGs as JSON on
stdout, and nothing of the caller's runs in them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def render_apart(specs: list[str], workers: int) -> list[str]:
    """The SVG of each spec (sorted-key JSON), in order, rendered by ``workers`` processes."""
    shares = [specs[i::workers] for i in range(workers)]
    # Threads only wait on the pipes, so the GIL does not matter here.
    with ThreadPoolExecutor(len(shares)) as pool:
        done = list(pool.map(_render_share, shares))
    rendered = {spec: svg for share, svgs in zip(shares, done, strict=True)
                for spec, svg in zip(share, svgs, strict=True)}  # fmt: skip
    return [rendered[spec] for spec in specs]


def _render_share(specs: list[str]) -> list[str]:
    # The parent's import path, as multiprocessing would pass it, so the worker finds this
    # cardpress and its libraries even when the caller's script set sys.path itself; -P keeps
    # the worker's current folder off it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-P", "-m", __name__],
        input=json.dumps(specs).encode(),
        capture_output=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        raise RuntimeError(f"a chart worker failed (exit {done.returncode}): {reason[-1]}")
    svgs: list[str] = json.loads(done.stdout)
    return svgs


def main() -> None:
    """Worker: read a JSON list of specs on stdin, write the JSON list of their SVGs."""
    from cardpress.render.charts import _svg_of_json

    specs = json.load(sys.stdin.buffer)
    json.dump([_svg_of_json(spec) for spec in specs], sys.stdout)


if __name__ == "__main__":
    main()
