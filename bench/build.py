"""Benchmark: full site build of M models × N versions of records.

Usage:  python bench/build.py [--sizes 1x2 10x10 100x10]

For each size it writes a records folder (run records with 12 metrics, 8 sliced metrics with
intervals, two data sets; one card.md per model), then runs `cardpress build` in a child process
and prints seconds, pages/s and the child's peak RSS. Output goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHA = "0" * 64


def write_records(root: Path, models: int, versions: int) -> None:
    (root / "runs").mkdir(parents=True)
    for m in range(models):
        name = f"model-{m:03d}"
        card = root / "models" / name / "card.md"
        card.parent.mkdir(parents=True)
        card.write_text(
            f"---\ntitle: Model {m}\nstatus: draft\n---\n\n## Factors\n\nGroups a, b.\n"
        )
        for v in range(1, versions + 1):
            record = {
                "schema": "cardpress/run/1",
                "run_id": f"{name}-{v}",
                "model": {"name": name, "version": str(v)},
                "started_at": f"2026-01-{1 + v % 28:02d}T00:00:00Z",
                "status": "FINISHED",
                "params": {f"p{i}": i * 0.1 for i in range(20)},
                "datasets": [
                    {"id": "train", "role": "train", "uri": "data/train.csv", "sha256": SHA},
                    {"id": "test", "role": "evaluation", "uri": "data/test.csv", "sha256": SHA},
                ],
                "metrics": [
                    {"key": f"m{i}", "value": ((i * 7 + m * 3 + v) % 97) / 97, "dataset": "test"}
                    for i in range(12)
                ]
                + [
                    {
                        "key": f"m{i}",
                        "value": ((i + v + m) % 89) / 89,
                        "dataset": "test",
                        "slice": {"group": g},
                        "ci": {"lower": 0.4, "upper": 0.6},
                    }
                    for i in range(4)
                    for g in ("a", "b")
                ],
            }
            (root / "runs" / f"{name}-{v}.json").write_text(json.dumps(record))


def measure(models: int, versions: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        records, out = Path(tmp) / "records", Path(tmp) / "site"
        write_records(records, models, versions)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        command = [sys.executable, "-m", "cardpress", "-q", "build", str(records), "-o", str(out)]
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        pages = len(list(out.rglob("*.html")))
    return {"seconds": seconds, "pages": pages, "peak_mib": max(peak_kib, before) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1x2", "10x10", "100x10"])
    args = parser.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}")
    print(f"{'models×versions':>16} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'peak MiB':>9}")
    for size in args.sizes:
        models, versions = (int(x) for x in size.split("x"))
        row = measure(models, versions)
        rate = row["pages"] / row["seconds"]
        seconds, peak = row["seconds"], row["peak_mib"]
        print(f"{size:>16} {row['pages']:>7} {seconds:>8.2f} {rate:>8.1f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
