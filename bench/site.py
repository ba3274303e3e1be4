"""Benchmark: full and incremental site builds of M models × N versions of records.

Usage:  python bench/site.py [--sizes 1x2 10x10 100x10]
        python bench/site.py --models 1 --versions 5000
        python bench/site.py --example

``--example`` builds the example (examples/adult-income) cold, again with nothing changed, and
after one more file of monitoring rows.

For each size it writes a records folder (run records with 12 metrics, 8 sliced metrics with
intervals, two data sets, evaluation predictions of 2,000 rows; one card.md per model), runs
`cardpress build` in a child process, builds again with nothing changed, then adds one version
to one model and builds again into the same site (published versions are kept, not rebuilt;
charts and unchanged pages come from the records' `.cardpress-cache`). It prints seconds,
pages/s and the child's peak RSS for each, and the site's size. Everything is written to a
temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHA = "0" * 64
ROWS = 2000


def write_predictions(path: Path, seed: int) -> str:
    """A small predictions table (label, prediction, score, two sensitive columns)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    score = rng.random(ROWS)
    frame = pd.DataFrame(
        {
            "y": (rng.random(ROWS) < score).astype("int8"),
            "yhat": (score >= 0.5).astype("int8"),
            "p": score.round(4),
            "sex": rng.choice(["F", "M"], ROWS),
            "group": rng.choice(["a", "b", "c", "d", "e"], ROWS),
        }
    )
    frame.to_parquet(path, index=False)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_records(root: Path, models: int, versions: int, first_version: int = 1) -> None:
    (root / "runs").mkdir(parents=True, exist_ok=True)
    (root / "predictions").mkdir(exist_ok=True)
    for m in range(models):
        name = f"model-{m:03d}"
        card = root / "models" / name / "card.md"
        card.parent.mkdir(parents=True, exist_ok=True)
        card.write_text(
            f"---\ntitle: Model {m}\nstatus: draft\n---\n\n## Factors\n\nGroups a, b.\n"
        )
        for v in range(first_version, first_version + versions):
            predictions = root / "predictions" / f"{name}-{v}.parquet"
            digest = write_predictions(predictions, seed=m * 1000 + v)
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
                "predictions": {
                    "uri": f"predictions/{predictions.name}",
                    "sha256": digest,
                    "dataset": "test",
                    "columns": {
                        "y_true": "y",
                        "y_pred": "yhat",
                        "y_score": "p",
                        "sensitive": ["sex", "group"],
                    },
                },
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


def run_build(records: Path, out: Path) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak RSS (MiB) of one `cardpress build` in a child process.

    CPU seconds (user + system, the build and its chart workers) are what to compare on a
    shared machine, where wall time follows the other jobs. The peak is the largest of any
    child so far (getrusage keeps the maximum): read it for the full build.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "cardpress", "-q", "build", str(records), "-o", str(out)]
    # as a user's machine runs it: compiled modules kept (a shell may ask Python not to)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, check=True, env=env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, after.ru_maxrss / 1024


def site_size(out: Path) -> tuple[int, int, int]:
    """Files, MiB, and the largest file's KiB of a built site."""
    sizes = [p.stat().st_size for p in out.rglob("*") if p.is_file()]
    return len(sizes), sum(sizes) // (1 << 20), max(sizes) // 1024


def measure(models: int, versions: int) -> list[tuple[str, int, float, float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        records, out = Path(tmp) / "records", Path(tmp) / "site"
        write_records(records, models, versions)
        full = run_build(records, out)
        pages = len(list(out.rglob("*.html")))
        files, mib, largest = site_size(out)
        print(f"# {models}x{versions}: {files} files, {mib} MiB, largest file {largest} KiB")
        same = run_build(records, out)
        write_records(records, 1, 1, first_version=versions + 1)  # one more version of model 0
        first = run_build(records, out)  # the first build over the site: no folders kept yet
        write_records(records, 1, 1, first_version=versions + 2)
        added = run_build(records, out)  # writes into the folders the last build kept
        pages_after = len(list(out.rglob("*.html")))
    return [
        ("full build", pages, *full),
        ("nothing changed", pages, *same),
        ("add 1, no folders", pages_after, *first),
        ("add 1 version", pages_after, *added),
    ]


def add_monitoring_day(records: Path) -> None:
    """A new month file of the example's monitoring rows (300 rows, 30 days after September's)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder = records / "monitoring" / "income-classifier"
    table = pq.read_table(folder / "2026-09.parquet").slice(0, 300)
    moved = pc.add(table["timestamp"], pc.cast(30 * 86_400_000_000, "duration[us]"))
    table = table.set_column(table.schema.get_field_index("timestamp"), "timestamp", moved)
    pq.write_table(table, folder / "2026-10.parquet")


def measure_example() -> list[tuple[str, int, float, float, float]]:
    """The example: cold (no chart or page cache), nothing changed, and +1 file of monitoring."""
    import shutil

    example = Path(__file__).resolve().parents[1] / "examples" / "adult-income"
    with tempfile.TemporaryDirectory() as tmp:
        records, out = Path(tmp) / "records", Path(tmp) / "site"
        shutil.copytree(example, records, ignore=shutil.ignore_patterns(".cardpress-cache"))
        cold = run_build(records, out)
        pages = len(list(out.rglob("*.html")))
        same = run_build(records, out)
        add_monitoring_day(records)
        day = run_build(records, out)
    return [("cold", pages, *cold), ("nothing changed", pages, *same), ("+1 day", pages, *day)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1x2", "10x10", "100x10"])
    parser.add_argument("--models", type=int, help="with --versions: one size, M models")
    parser.add_argument("--versions", type=int, help="with --models: N versions each")
    parser.add_argument("--example", action="store_true", help="the example's builds only")
    args = parser.parse_args()
    if args.example:
        args.sizes = []
    if args.models or args.versions:
        args.sizes = [f"{args.models or 1}x{args.versions or 1}"]
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    header = f"{'models×versions':>16} {'build':>16} {'pages':>6} {'seconds':>8} {'pages/s':>8}"
    print(header + f" {'CPU s':>8} {'peak MiB':>9}")
    if args.example:
        for label, pages, seconds, cpu, peak in measure_example():
            row = f"{'example':>16} {label:>16} {pages:>6} {seconds:>8.2f} {pages / seconds:>8.1f}"
            print(f"{row} {cpu:>8.2f} {peak:>9.0f}")
    for size in args.sizes:
        models, versions = (int(x) for x in size.split("x"))
        for label, pages, seconds, cpu, peak in measure(models, versions):
            rate = pages / seconds
            row = f"{size:>16} {label:>16} {pages:>6} {seconds:>8.2f} {rate:>8.1f} {cpu:>8.2f}"
            print(f"{row} {peak:>9.0f}")


if __name__ == "__main__":
    main()
