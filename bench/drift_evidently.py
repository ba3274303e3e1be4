"""Benchmark helper: Evidently's DataDriftPreset on the rows ``bench/drift.py`` writes.

Usage:  python bench/drift_evidently.py [--rows 1000000]

What is compared: the records folder of ``bench/drift.py`` sets
``[drift] reference = "2026-01-01/2026-01-14"``, which cardpress reads as the rows from
2026-01-01 to 2026-01-14 inclusive, i.e. days 0..13 (``day-000.parquet`` .. ``day-013.parquet``),
and its windows are calendar days, so day 60 (``day-060.parquet``, 2026-03-02, in the drifted
half) is one of its 90 windows. Evidently gets the same reference rows and that one window, with
the same 20 features (n0..n9 numeric, c0..c9 categorical; ``timestamp`` and ``model_version``
dropped), read with pandas. Only ``Report.run`` is timed: reading the Parquet files, building the
data frames and importing Evidently are not. Evidently chooses its own statistics (at these sizes
normed Wasserstein distance for numeric and Jensen-Shannon distance for categorical features).
The peak RSS is that of the whole child process (imports, the data frames and the report).

Note that the two figures do not measure the same amount of work: cardpress's time covers reading
every file, all 90 windows and the reference chunks behind its thresholds, while Evidently's
covers one window against the reference with the data already in memory.

Why a separate virtualenv: Evidently needs pandas < 3 and the project's environment has pandas 3,
so Evidently is installed (once, then reused) into its own virtualenv under the temporary
directory and timed in a child process running that virtualenv's Python.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EVIDENTLY = "0.7.23"  # the newest on PyPI when written; has evidently.presets.DataDriftPreset
VENV = Path(tempfile.gettempdir()) / "cardpress-bench-evidently"
REFERENCE_DAYS = range(14)  # 2026-01-01 .. 2026-01-14, as bench/drift.py's cardpress.toml
WINDOW_DAY = 60
CHECK = f"""
import evidently, pandas
assert evidently.__version__ == "{EVIDENTLY}", evidently.__version__
assert int(pandas.__version__.split(".")[0]) < 3, pandas.__version__
"""
CHILD = """
import json, resource, sys, time
import pandas as pd
import evidently

try:  # Evidently >= 0.7
    from evidently import Report
    from evidently.presets import DataDriftPreset

    def run(reference, current):
        return Report([DataDriftPreset()]).run(current, reference)
except ImportError:  # older Evidently
    from evidently.metric_preset import DataDriftPreset
    from evidently.report import Report

    def run(reference, current):
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=reference, current_data=current)
        return report

folder, reference_days, window_day = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])

def read(day):
    frame = pd.read_parquet(f"{folder}/day-{day:03d}.parquet")
    return frame.drop(columns=["timestamp", "model_version"])

reference = pd.concat([read(day) for day in reference_days], ignore_index=True)
current = read(window_day)
start = time.perf_counter()
result = run(reference, current)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "version": evidently.__version__,
                  "reference_rows": len(reference), "current_rows": len(current),
                  "columns": reference.shape[1]}))
"""


def _venv_python() -> Path | None:
    """The Python of the Evidently virtualenv, made and filled first if it is not ready.

    Returns:
        The interpreter's path, or None (with a one-line reason printed) when the virtualenv
        cannot be made or Evidently cannot be installed, e.g. without network access.
    """
    python = VENV / "bin" / "python"
    if python.exists():
        check = subprocess.run([python, "-c", CHECK], capture_output=True)
        if check.returncode == 0:
            return python
    commands = [
        [shutil.which("python3") or sys.executable, "-m", "venv", str(VENV)],
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"evidently=={EVIDENTLY}", "pandas<3", "pyarrow"],
    ]  # fmt: skip
    for command in commands:
        try:
            subprocess.run(command, check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as error:
            output = getattr(error, "stderr", None) or str(error)
            reason = output.strip().splitlines()[-1] if output.strip() else str(error)
            print(f"evidently: skipped, could not make the virtualenv at {VENV}: {reason}")
            return None
    return python


def evidently_seconds(
    folder: Path, reference_days: range, window_day: int
) -> tuple[float, float] | None:
    """Time Evidently's DataDriftPreset on one window against the reference, in its own venv.

    Args:
        folder: A folder of daily Parquet files written by ``drift.write_rows``.
        reference_days: The days whose rows make the reference (0..13 matches cardpress).
        window_day: The day whose rows make the current window.

    Returns:
        Seconds of ``Report.run`` alone and the child's peak RSS in MiB, or None when the
        virtualenv cannot be made (the reason is printed).

    Raises:
        subprocess.CalledProcessError: The child failed (its error is on stderr).
    """
    python = _venv_python()
    if python is None:
        return None
    command = [python, "-c", CHILD, str(folder), json.dumps(list(reference_days)), str(window_day)]
    result = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return measured["seconds"], measured["peak_mib"]


def main() -> None:
    """Write the synthetic rows into a temporary folder and print Evidently's time on them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pyarrow.parquet as pq
    from drift import write_rows

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_rows(folder, args.rows)

        def rows(days: range) -> int:
            return sum(pq.read_metadata(folder / f"day-{d:03d}.parquet").num_rows for d in days)

        measured = evidently_seconds(folder, REFERENCE_DAYS, WINDOW_DAY)
        if measured is None:
            return
        seconds, peak = measured
        first, last = REFERENCE_DAYS[0], REFERENCE_DAYS[-1]
        window = range(WINDOW_DAY, WINDOW_DAY + 1)
        print(f"evidently DataDriftPreset, reference days {first}-{last} "
              f"({rows(REFERENCE_DAYS):,} rows) vs day {WINDOW_DAY} ({rows(window):,} rows): "
              f"{seconds:.2f} s, peak {peak:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
