"""Benchmark: how often the four-fifths flag is wrong — false flags on equal rates, missed gaps.

Usage:  python bench/four_fifths.py [--samples 1000]

For groups of n rows (30, 100, 300, 1,000), k groups (2 and 5) and a true selection rate p (10%
and 30%), it draws each group's selected count (binomial) and runs the report's own
``cardpress.compute.fairness.rules.four_fifths`` on the group metrics
(``cardpress.compute.fairness.groups.group_metrics``), with the default threshold 0.8 and
``min_group_size`` 30. It prints:

- with equal true rates (no adverse impact anywhere): the share of samples in which some group's
  observed ratio is below 0.8 (what a flag on the ratio alone would claim), and the share in
  which a group is flagged — significantly below, by Fisher's exact test at 0.05 ÷ the pairs of
  judged groups;
- with one group at 0.6 and at 0.75 of the others' rate (adverse impact planted): the share of
  samples in which that group is flagged (the power), and in which it is at least shown below
  the threshold (flagged or "below, not significant").

Deterministic (fixed seeds). Seconds and peak memory at the end.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from cardpress.compute.fairness.groups import group_metrics
from cardpress.compute.fairness.rules import four_fifths

SIZES = (30, 100, 300, 1000)
RATES = (0.1, 0.3)
GROUPS = (2, 5)


def _statuses(selected: np.ndarray, size: int) -> dict[str, str]:
    """Each group's four-fifths status for these selected counts (groups g0, g1, ...)."""
    labels = np.repeat([f"g{i}" for i in range(len(selected))], size)
    chosen = np.concatenate([np.arange(size) < s for s in selected]).astype(np.int8)
    frame = pd.DataFrame({"g": labels, "pred": chosen, "label": 1})
    groups = group_metrics(frame, ["g"], y_true="label", y_pred="pred", y_score=None,
                           min_group_size=30)  # fmt: skip
    return {row.label: row.status for row in four_fifths(groups, 30, 0.8).rows}


def _share(found: list[bool]) -> str:
    return f"{100 * sum(found) / len(found):5.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    samples = parser.parse_args().samples
    start = time.perf_counter()
    rng = np.random.default_rng(20261204)
    print(f"{samples} samples each; threshold 0.8, min_group_size 30, family-wise level 0.05\n")
    print(
        "rows  groups  rate | equal rates: ratio < 0.8   flagged | 0.6×: flagged  shown"
        " | 0.75×: flagged  shown"
    )
    for size in SIZES:
        for groups in GROUPS:
            for rate in RATES:
                below, flagged = [], []
                for _ in range(samples):
                    statuses = _statuses(rng.binomial(size, rate, groups), size)
                    values = set(statuses.values())
                    below.append(bool(values & {"flagged", "below-not-significant"}))
                    flagged.append("flagged" in values)
                power = []
                for factor in (0.6, 0.75):
                    rates = np.full(groups, rate)
                    rates[0] = factor * rate
                    found = [_statuses(rng.binomial(size, rates), size)["g0"]
                             for _ in range(samples)]  # fmt: skip
                    power += [
                        _share([s == "flagged" for s in found]),
                        _share([s in ("flagged", "below-not-significant") for s in found]),
                    ]
                print(f"{size:4d}  {groups:6d}  {rate:4.0%} |             {_share(below)}"
                      f"    {_share(flagged)} |        {power[0]}  {power[1]} |"
                      f"         {power[2]}  {power[3]}")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{time.perf_counter() - start:.1f} s, peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
