"""Benchmark: how often drift verdicts alarm without drift, and how often they catch a shift.

Usage:  python bench/drift_calibration.py [--windows 200] [--level 0.01]

A population of six features (three categorical: 6, 3 and 2 categories; three numeric:
normal, log-normal, uniform) gives references of 5,000 rows and windows of 50, 100, 500,
5,000 and 50,000 rows. Every window's counts are drawn from the population over the
reference's bins (multinomial: the same as drawing rows and binning them), so a window holds
no drift; the reference itself is redrawn for every batch of 20 windows, so the rates are
averaged over references, as a user meets them. The verdicts are computed by
``cardpress.compute.drift.drift_report`` with its defaults (calibrated thresholds, primary
statistics JS and KS D, Bonferroni over the features of a window).

It prints, per window size, the false-alert rate per feature and window and per window (the
dataset verdict "drift in N of M"), with multiple testing (default) and without; then the power
to detect a planted shift in one feature — a numeric mean shift of 0.1, 0.25 and 0.5 reference
standard deviations, a category share raised by 2, 5 and 10 points — as the share of windows in
which that feature was flagged. Deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from scipy.stats import lognorm, norm, uniform

from cardpress.compute.drift.report import drift_report
from cardpress.model_drift import (
    DriftSettings,
    DriftSummaries,
    FeatureBins,
    FeatureCounts,
    WindowSummary,
)

SIZES = (50, 100, 500, 5_000, 50_000)
REFERENCE_ROWS = 5_000
BATCH = 20  # windows per reference
CATEGORICAL = {"cat6": (0.35, 0.25, 0.15, 0.12, 0.08, 0.05), "cat3": (0.7, 0.2, 0.1),
               "cat2": (0.9, 0.1)}  # fmt: skip
NUMERIC = {"normal": norm(), "lognormal": lognorm(0.8), "uniform": uniform()}
Cdf = Callable[[np.ndarray], np.ndarray]  # type: ignore[type-arg]


class _NoKsP(dict[tuple[float, int], float]):
    """KS p-values are context, not verdicts: skip their (slow, exact) computation here."""

    def get(self, key: object, default: object = None) -> float:  # type: ignore[override]
        return math.nan


def reference(
    rng: np.random.Generator,
) -> tuple[list[FeatureBins], dict[str, FeatureCounts], dict[str, np.ndarray]]:  # type: ignore[type-arg]
    """Bins and counts of a fresh reference, and each feature's population shares over them."""
    bins, counts, shares = [], {}, {}
    for name, p in CATEGORICAL.items():
        cats = tuple(str(i) for i in range(len(p)))
        bins.append(FeatureBins(name, "categorical", categories=cats))
        drawn = rng.multinomial(REFERENCE_ROWS, p)
        counts[name] = FeatureCounts((*map(int, drawn), 0, 0))
        shares[name] = np.array((*p, 0.0))
    for name, dist in NUMERIC.items():
        values = dist.rvs(size=REFERENCE_ROWS, random_state=rng)
        edges = np.unique(np.quantile(values, np.linspace(0, 1, 11)))
        bins.append(FeatureBins(name, "numeric", edges=tuple(float(e) for e in edges)))
        counts[name] = _binned(values, edges)
        shares[name] = numeric_shares(dist.cdf, edges, 0.0)
    return bins, counts, shares


def numeric_shares(cdf: Cdf, edges: np.ndarray, shift: float) -> np.ndarray:  # type: ignore[type-arg]
    """Population shares over (below, interior bins, above), the values shifted by ``shift``."""
    at = cdf(edges - shift)
    return np.concatenate([[at[0]], np.diff(at), [1 - at[-1]]])


def _binned(values: np.ndarray, edges: np.ndarray) -> FeatureCounts:  # type: ignore[type-arg]
    index = np.searchsorted(edges, values, side="right")
    index[values == edges[-1]] = len(edges) - 1
    found = np.bincount(index, minlength=len(edges) + 1)
    sums = np.bincount(index, weights=values, minlength=len(edges) + 1)
    return FeatureCounts((*map(int, found), 0), (*map(float, sums), 0.0))


def window_counts(
    shares: np.ndarray,  # type: ignore[type-arg]
    size: int,
    rng: np.random.Generator,
    numeric: bool,
    edges: tuple[float, ...],
) -> FeatureCounts:
    drawn = rng.multinomial(size, shares / shares.sum())
    if not numeric:
        return FeatureCounts((*map(int, drawn[:-1]), int(drawn[-1]), 0))
    # each bin at its midpoint (the reference's edge beyond the range): Wasserstein is context
    ends = np.array(edges)
    mids = np.concatenate([[ends[0]], (ends[:-1] + ends[1:]) / 2, [ends[-1]]])
    return FeatureCounts((*map(int, drawn), 0), (*map(float, drawn * mids), 0.0))


def batch(
    size: int,
    rng: np.random.Generator,
    settings: DriftSettings,
    target: str = "",
    shift: float = 0.0,
) -> tuple[int, int, int, int]:
    """(feature-windows flagged, feature-windows, windows flagged, target flagged) of a batch."""
    bins, ref, shares = reference(rng)
    shifted = dict(shares)
    if target in NUMERIC:
        b = next(b for b in bins if b.name == target)
        sd = float(NUMERIC[target].std())
        shifted[target] = numeric_shares(NUMERIC[target].cdf, np.array(b.edges), shift * sd)
    elif target:
        p = shares[target].copy()
        share = p[2]  # the third category
        p[:-1] = np.where(np.arange(len(p) - 1) == 2, share + shift,
                          p[:-1] * (1 - share - shift) / (1 - share))  # fmt: skip
        shifted[target] = p
    windows = []
    for i in range(BATCH):
        features = tuple(
            (b.name, window_counts(shifted[b.name], size, rng, b.kind == "numeric",
                                   b.edges))
            for b in bins
        )  # fmt: skip
        windows.append(WindowSummary(f"w{i}", "", "", size, (("1", size),), features))
    summaries = DriftSummaries(
        model="bench", engine="duckdb", window="rows", window_rows=size, reference_name="r",
        bins=tuple(sorted(bins, key=lambda b: b.name)), reference=tuple(sorted(ref.items())),
        reference_chunks=(), windows=tuple(windows), sources=(),
    )  # fmt: skip
    report = drift_report(summaries, settings, _NoKsP())
    flagged = sum(sum(f.drifted) for f in report.features)
    cells = sum(1 for f in report.features for v in f.verdicts if v.status != "not judged")
    windows_flagged = sum(1 for v in report.window_verdicts if v.drifted)
    hit = sum(sum(f.drifted) for f in report.features if f.name == target)
    return flagged, cells, windows_flagged, hit


def false_alerts(windows: int, level: float) -> None:
    print(f"\nNo drift: {windows} windows per size, reference {REFERENCE_ROWS:,} rows, "
          f"{len(CATEGORICAL) + len(NUMERIC)} features, configured rate {level:.0%}\n")  # fmt: skip
    print(
        "| window rows | per feature-window (Bonferroni) | per window (Bonferroni) "
        "| per feature-window (none) | per window (none) | seconds |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for size in SIZES:
        start = time.perf_counter()
        cells = []
        for method in ("bonferroni", "none"):
            settings = replace(DriftSettings(), false_alarm_rate=level, multiple_testing=method)
            rng = np.random.default_rng(size)
            totals = np.zeros(4)
            for _ in range(windows // BATCH):
                totals += batch(size, rng, settings)
            cells += [_rate(totals[0], totals[1]), _rate(totals[2], windows)]
        print(f"| {size:,} | {' | '.join(cells)} | {time.perf_counter() - start:.1f} |")


def power(windows: int, level: float) -> None:
    shifts = [("normal", s, f"normal mean +{s} SD") for s in (0.1, 0.25, 0.5)] + [
        ("lognormal", s, f"log-normal mean +{s} SD") for s in (0.1, 0.25, 0.5)] + [
        ("cat6", s, f"cat6 share of a 15% category +{round(s * 100)} points")
        for s in (0.02, 0.05, 0.10)]  # fmt: skip
    settings = replace(DriftSettings(), false_alarm_rate=level)
    print(f"\nPower: share of {windows} windows in which the shifted feature was flagged "
          "(Bonferroni over the 6 features)\n")  # fmt: skip
    print("| shift | " + " | ".join(f"{s:,} rows" for s in SIZES) + " |")
    print("|---|" + "---:|" * len(SIZES))
    for target, shift, label in shifts:
        cells = []
        for size in SIZES:
            rng = np.random.default_rng(size + 1)
            hits = sum(batch(size, rng, settings, target, shift)[3]
                       for _ in range(windows // BATCH))  # fmt: skip
            cells.append(f"{hits / windows:.0%}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def _rate(flagged: float, total: float) -> str:
    rate = flagged / total
    se = math.sqrt(max(rate * (1 - rate), 1 / total) / total)
    return f"{rate:.2%} ± {2 * se:.2%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, default=200, help="windows per size (≥ 200)")
    parser.add_argument("--power-windows", type=int, default=100)
    parser.add_argument("--level", type=float, default=0.01)
    args = parser.parse_args()
    start = time.perf_counter()
    false_alerts(args.windows, args.level)
    power(args.power_windows, args.level)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
