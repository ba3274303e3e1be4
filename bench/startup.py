"""Benchmark: start-up of the command line and of ``import cardpress``, whole processes.

Usage:  python bench/startup.py [--runs 5] [--records examples/adult-income]

Runs each command ``--runs`` times after one warm-up run, each as its own child process, and
prints the median wall time (min–max) and the median peak RSS of the child, read from the
operating system's accounting of it (``wait4``). Targets (issue 17): ``cardpress --help`` at
most 0.3 s and 60 MiB; ``import cardpress`` at most 0.2 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cardpress_command() -> list[str]:
    """The installed ``cardpress`` script beside this Python, else ``python -m cardpress``."""
    script = Path(sys.executable).parent / "cardpress"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cardpress"]


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``command``; its output is discarded."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {child.returncode}")
    return wall, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def measure(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    run_once(command)  # warm-up: the file cache, .pyc files
    walls, peaks = [], []
    for _ in range(runs):
        wall, peak = run_once(command)
        walls.append(wall)
        peaks.append(peak)
    return walls, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=Path, default=REPO / "examples" / "adult-income")
    options = parser.parse_args()
    cardpress = cardpress_command()
    cases = {
        "cardpress --help": [*cardpress, "--help"],
        "cardpress --version": [*cardpress, "--version"],
        "python -c 'import cardpress'": [sys.executable, "-c", "import cardpress"],
        f"cardpress validate {options.records.name}": [*cardpress, "validate",
                                                        str(options.records)],
    }  # fmt: skip
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; median of {options.runs} runs")  # fmt: skip
    print("| Command | Wall, median (min–max) | Peak RSS, median |")
    print("|---|---:|---:|")
    for name, command in cases.items():
        walls, peaks = measure(command, options.runs)
        print(f"| `{name}` | {statistics.median(walls):.2f} s ({min(walls):.2f}–{max(walls):.2f}) "
              f"| {statistics.median(peaks):.0f} MiB |")  # fmt: skip


if __name__ == "__main__":
    main()
