"""Benchmark: the drift engine on synthetic monitoring rows (10 numeric + 10 categorical features).

Usage:  python bench/drift.py [--rows 1000000 10000000 100000000] [--evidently]

For each size it writes Parquet files (one a day, 90 days, drift injected in the second half)
and a records folder, then times, in a child process, reading the rows and reducing them to
per-window summaries (DuckDB through Ibis) and computing every statistic from the summaries
(cold: nothing kept from an earlier build). Then it adds a 91st day and times the rebuild, which
scans only the new file (the other files' summaries are kept). It prints seconds, rows/s and the
child's peak RSS.

``--evidently`` also compares, at the first size, one window against the reference with
Evidently's DataDriftPreset (in its own virtualenv, see ``bench/drift_evidently.py``) and cardpress
on a records folder holding just those files (reference days 0-13 and day 60).
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
from cardpress.api import drift_report_of
from cardpress.readers.records import read_records
start = time.perf_counter()
records = read_records(Path(sys.argv[1]), drift=True)
engine = time.perf_counter() - start
[summaries] = records.drift
report = drift_report_of(records, summaries)  # as a build: with the KS p-values it kept
print(engine, time.perf_counter() - start, len(summaries.windows), len(report.alerts))
"""


def write_rows(folder: Path, rows: int, days: range = range(DAYS)) -> None:
    """``rows`` rows over 90 days as one Parquet file a day (of ``days``); drift from day 45."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(days.start)
    per_day = rows // DAYS
    start = np.datetime64("2026-01-01T00:00:00", "s")
    colours = np.array([f"c{i}" for i in range(12)])
    for day in days:
        shift = min(1.0, max(0, day - 45) / 45)
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
    (root / "cardpress.toml").write_text(
        '[drift]\nreference = "2026-01-01/2026-01-14"\ncache = ".drift-cache"\n'
    )


def run_child(root: Path) -> tuple[float, float, float, int, int]:
    """Engine seconds, total seconds, peak MiB, windows and alerts of one build's drift part."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([sys.executable, "-c", CHILD, str(root)], check=True,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    engine, total, windows, alerts = result.stdout.split()[-4:]  # the last line
    return float(engine), float(total), peak, int(windows), int(alerts)


def measure(rows: int) -> list[tuple[str, int, tuple[float, float, float, int, int]]]:
    """A cold build, then a rebuild after one more day of rows arrives."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "records"
        write_records(root, rows)
        cold = run_child(root)
        write_rows(root / "monitoring" / "bench", rows, range(DAYS, DAYS + 1))
        again = run_child(root)
        return [("cold", rows, cold), ("+1 day", rows // DAYS, again)]


def compare_evidently(rows: int) -> None:
    """One window against the reference: Evidently's DataDriftPreset and cardpress."""
    from drift_evidently import REFERENCE_DAYS, WINDOW_DAY, evidently_seconds

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "records"
        write_records(root, rows)
        folder = root / "monitoring" / "bench"
        kept = {f"day-{d:03d}.parquet" for d in (*REFERENCE_DAYS, WINDOW_DAY)}
        for path in folder.glob("*.parquet"):
            if path.name not in kept:
                path.unlink()
        _, cardpress, peak, windows, _ = run_child(root)
        found = evidently_seconds(folder, REFERENCE_DAYS, WINDOW_DAY)
        print(
            f"# same files (reference days 0-13 + day {WINDOW_DAY}, {len(kept) * (rows // DAYS):,}"
            f" rows): cardpress {cardpress:.2f} s ({windows} windows, peak {peak:.0f} MiB)"
        )
        if found is not None:
            seconds, evidently_peak = found
            print(
                f"# evidently DataDriftPreset, day {WINDOW_DAY} vs reference: {seconds:.2f} s "
                f"(peak {evidently_peak:.0f} MiB): cardpress is {seconds / cardpress:.1f}x "
                "faster"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--evidently", action="store_true", help="compare with Evidently")
    args = parser.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"{'build':>7} {'rows':>12} {'windows':>8} {'engine s':>9} {'total s':>8} "
          f"{'rows/s':>12} {'peak MiB':>9} {'alerts':>7}")  # fmt: skip
    for rows in args.rows:
        for kind, scanned, (engine, total, peak, windows, alerts) in measure(rows):
            print(f"{kind:>7} {scanned:>12,} {windows:>8} {engine:>9.2f} {total:>8.2f} "
                  f"{scanned / total:>12,.0f} {peak:>9.0f} {alerts:>7}")  # fmt: skip
    if args.evidently:
        compare_evidently(args.rows[0])


if __name__ == "__main__":
    main()
