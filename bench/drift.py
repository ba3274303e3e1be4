"""Benchmark: the drift engine on synthetic monitoring rows (10 numeric + 10 categorical features).

Usage:  python bench/drift.py [--rows 1000000 10000000]

For each size it writes Parquet files (one a day, 90 days, drift injected in the second half)
and a records folder, then times, in a child process, reading the rows and reducing them to
per-window summaries (DuckDB through Ibis) and computing every statistic from the summaries. It
prints seconds, rows/s and the child's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

DAYS = 90
CHILD = """
import sys, time
from pathlib import Path
from cardpress.compute.drift import drift_report
from cardpress.readers.records import read_records
start = time.perf_counter()
records = read_records(Path(sys.argv[1]), drift=True)
engine = time.perf_counter() - start
[summaries] = records.drift
report = drift_report(summaries, records.config.drift_for("bench"))
print(engine, time.perf_counter() - start, len(summaries.windows), len(report.alerts))
"""


def write_rows(folder: Path, rows: int) -> None:
    """``rows`` rows over 90 days as one Parquet file a day; drift from day 45."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    per_day = rows // DAYS
    start = np.datetime64("2026-01-01T00:00:00", "s")
    colours = np.array([f"c{i}" for i in range(12)])
    for day in range(DAYS):
        shift = max(0, day - 45) / 45
        seconds = np.sort(rng.integers(0, 86400, per_day))
        columns = {"timestamp": pa.array(start + day * 86400 + seconds, pa.timestamp("s", "UTC")),
                   "model_version": pa.array(np.full(per_day, "1"))}  # fmt: skip
        for f in range(10):
            columns[f"n{f}"] = rng.normal(shift * (f % 3), 1 + f / 10, per_day)
        for f in range(10):
            p = np.ones(12) + np.eye(12)[f] * 4 * shift
            columns[f"c{f}"] = pa.array(colours[rng.choice(12, per_day, p=p / p.sum())])
        pq.write_table(pa.table(columns), folder / f"day-{day:03d}.parquet")


def write_records(root: Path, rows: int) -> None:
    (root / "runs").mkdir(parents=True)
    monitoring = root / "monitoring" / "bench"
    monitoring.mkdir(parents=True)
    write_rows(monitoring, rows)
    record = {"schema": "cardpress/run/1", "run_id": "bench", "status": "FINISHED",
              "model": {"name": "bench", "version": "1"}, "started_at": "2025-12-31T00:00:00Z",
              "datasets": [{"id": "train", "role": "train", "uri": "data/train.parquet",
                            "sha256": "0" * 64}],
              "metrics": [{"key": "accuracy", "value": 0.9, "dataset": "train"}]}  # fmt: skip
    (root / "runs" / "bench.json").write_text(json.dumps(record))
    (root / "cardpress.toml").write_text('[drift]\nreference = "2026-01-01/2026-01-14"\n')


def measure(rows: int) -> tuple[float, float, float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "records"
        write_records(root, rows)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = subprocess.run([sys.executable, "-c", CHILD, str(root)], check=True,
                                stdout=subprocess.PIPE, text=True)  # fmt: skip
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        engine, total, windows, alerts = result.stdout.split()[-4:]  # the last line
        return float(engine), float(total), peak, int(windows), int(alerts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"{'rows':>12} {'windows':>8} {'engine s':>9} {'total s':>8} {'rows/s':>12} "
          f"{'peak MiB':>9} {'alerts':>7}")  # fmt: skip
    for rows in args.rows:
        engine, total, peak, windows, alerts = measure(rows)
        print(f"{rows:>12,} {windows:>8} {engine:>9.2f} {total:>8.2f} {rows / total:>12,.0f} "
              f"{peak:>9.0f} {alerts:>7}")  # fmt: skip


if __name__ == "__main__":
    main()
