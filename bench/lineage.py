"""Benchmark: lineage pages of a large graph (10,000 data sets and 5,000 jobs by default).

Usage:  python bench/lineage.py [--jobs 5000]

Writes a records folder with one run record and OpenLineage events (START and COMPLETE per
job; each job writes two data sets and reads two written by earlier jobs; one data set is read
by every tenth job, so some pages meet a node with hundreds of neighbours), runs `cardpress
build` in a child process and prints seconds, the child's peak RSS, the number of lineage pages
and the largest page. Targets (issue 6): at most 30 s, no page over 300 KB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRODUCER = "https://example.org/cardpress-bench"


def write_records(root: Path, jobs: int) -> None:
    """A run record reading the last data set, and ``jobs`` jobs as OpenLineage events."""
    rng = random.Random(0)
    (root / "runs").mkdir(parents=True)
    (root / "lineage").mkdir()
    with (root / "lineage" / "events.jsonl").open("w") as handle:
        for job in range(jobs):
            reads = sorted({rng.randrange(2 * job) for _ in range(2)}) if job else []
            if job and job % 10 == 0:
                reads = sorted({0, *reads})
            inputs = [{"namespace": "warehouse", "name": f"table_{i:05d}"} for i in reads]
            outputs = [
                {"namespace": "warehouse", "name": f"table_{2 * job + k:05d}", "facets": {
                    "schema": {"fields": [{"name": f"c{c}", "type": "int"} for c in range(8)]}}}
                for k in (0, 1)
            ]  # fmt: skip
            for state, second in (("START", 0), ("COMPLETE", 1)):
                event = {
                    "eventType": state,
                    "eventTime": f"2026-01-01T00:{job // 60 % 60:02d}:{second:02d}Z",
                    "run": {"runId": f"00000000-0000-7000-8000-{job:012d}"},
                    "job": {"namespace": "pipeline", "name": f"job_{job:05d}"},
                    "inputs": inputs,
                    "outputs": outputs,
                    "producer": PRODUCER,
                }
                handle.write(json.dumps(event) + "\n")
    last = f"openlineage://warehouse/table_{2 * jobs - 1:05d}"
    record = {
        "schema": "cardpress/run/1",
        "run_id": "bench-1",
        "model": {"name": "bench-model", "version": "1"},
        "started_at": "2026-01-02T00:00:00Z",
        "status": "FINISHED",
        "datasets": [{"id": "train", "role": "train", "uri": last, "sha256": "0" * 64}],
        "metrics": [{"key": "accuracy", "value": 0.9, "dataset": "train"}],
    }
    (root / "runs" / "bench-1.json").write_text(json.dumps(record))


def measure(jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        records, site = Path(tmp) / "records", Path(tmp) / "site"
        write_records(records, jobs)
        command = [sys.executable, "-m", "cardpress", "-q", "build", str(records), "-o", str(site)]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        pages = [p for folder in ("datasets", "jobs") for p in (site / folder).rglob("*.html")]
        pages += list(site.glob("models/*/v/*/lineage/index.html"))
        largest = max(pages, key=lambda p: p.stat().st_size)
        size = largest.stat().st_size / 1024
        datasets = len(list((site / "datasets").glob("*/index.html")))
        print(f"{jobs:>6} {datasets:>9} {len(pages):>7} {seconds:>8.2f} {peak:>9.0f} "
              f"{size:>9.1f}  {largest.relative_to(site)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"{'jobs':>6} {'data sets':>9} {'pages':>7} {'seconds':>8} {'peak MiB':>9} "
          f"{'max KiB':>9}  largest page")  # fmt: skip
    for jobs in args.jobs:
        measure(jobs)


if __name__ == "__main__":
    main()
