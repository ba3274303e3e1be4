"""The Python API works in a plain script: no ``if __name__ == "__main__":`` guard needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import bench_records

SCRIPT = """\
from pathlib import Path
import threading

import cardpress

# Counts how often this file runs: a worker that re-imported it would run it again.
with Path("runs.log").open("a") as log:
    log.write("ran\\n")
import cardpress.render.chart_workers as chart_workers

started = []
start = chart_workers.Workers.__init__
chart_workers.Workers.__init__ = lambda self, n, *more: started.append(n) or start(self, n, *more)
result = cardpress.build("audit", "site")
ours = [t.name for t in threading.enumerate() if t.name.startswith("cardpress")]
print("built", result.versions, "workers", sum(started), "threads", len(ours))
"""


def test_build_at_the_top_level_of_a_script(tmp_path: Path) -> None:
    """Records with no chart kept: the build draws its ~40 charts in the background."""
    bench_records(tmp_path / "audit", 2, 1)
    (tmp_path / "train.py").write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "train.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    workers = os.cpu_count() or 1
    # drawn over a thread per CPU, all stopped when the build returns; nothing re-ran the script
    assert done.stdout == f"built 2 workers {workers if workers > 1 else 0} threads 0\n"
    assert (tmp_path / "runs.log").read_text(encoding="utf-8") == "ran\n"
    assert (tmp_path / "site" / "index.html").is_file()
