"""Calibration within groups: reliability bins, expected calibration error and Brier score.

A score is *calibrated within a group* when, among the group's rows scored about p, a share p
is positive. Conventions (each is also written on the fairness page):

- Bins: 10 equal-width bins of the score, as scikit-learn's ``calibration_curve(n_bins=10,
  strategy="uniform")``: bin k holds scores in (k/10, (k+1)/10], the first also holds 0. A bin
  without rows is not shown.
- Reliability: per bin, the mean score and the observed share of positives (Σw·y / Σw), with the
  latter's 95% Wilson interval on the bin's effective size.
- ECE (expected calibration error) = Σ_bins (Σw in bin / Σw) · |observed share − mean score|.
  It is biased upward on small groups: a perfectly calibrated group of n rows still shows an
  ECE of up to about 0.4·√(bins / n) (√(2/π)·½ per bin, at scores near ½; 0.04 at 1,000
  rows). Its 95% interval is a bootstrap with a fixed seed: 2,000 resamples of the group's
  rows (of its effective size with weights), each row standing for its cell (bin × label) at
  the cell's mean score — so resampling needs the 20 cell totals, not the rows; percentile
  interval.
- Brier score = Σw·(score − label)² / Σw (scikit-learn's ``brier_score_loss``), with a normal
  95% interval: ± 1.96 · s / √(effective n), s the weighted standard deviation of the per-row
  squared errors (reliability weights; with weights of 1 the ordinary ddof=1 one).

One pass of ``bincount`` per statistic over (group, bin, label): no per-group loop touches rows.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.fairness.groups import GroupMetrics
from cardpress.compute.rates import Z95, wilson_interval

BINS = 10
# the same edges as scikit-learn's calibration_curve(strategy="uniform"), to the last bit
EDGES = np.linspace(0.0, 1.0, BINS + 1)
DRAWS = 2000
SEED = 21  # the issue that asked for it: any fixed number makes a build deterministic

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class ReliabilityBin:
    """One non-empty score bin of a group."""

    lower: float
    upper: float
    count: float  # rows, or Σw
    rows: int
    mean_score: float
    observed: float
    observed_lower: float
    observed_upper: float


@dataclass(frozen=True)
class Calibration:
    """A group's calibration: its reliability bins, ECE and Brier score with intervals."""

    bins: tuple[ReliabilityBin, ...]
    mean_score: float
    observed_rate: float
    ece: float
    ece_lower: float
    ece_upper: float
    brier: float
    brier_lower: float
    brier_upper: float


def score_bins(score: Floats) -> NDArray[np.int8]:
    """Each score's bin, 0 … 9: (k/10, (k+1)/10], the first closed at 0 (scikit-learn's rule)."""
    return np.searchsorted(EDGES[1:-1], score, side="left").astype(np.int8)


def calibration_by_group(
    codes: NDArray[np.integer],
    truth: NDArray[np.integer],
    score: Floats,
    groups: int,
    weights: Floats | None = None,
    labels: list[str] | None = None,
    bins: NDArray[np.int8] | None = None,
) -> list[Calibration | None]:
    """The calibration of every group code (None for a group without rows or without weight).

    ``labels`` (one per code) seed each group's bootstrap, so a group's interval does not
    depend on which other groups the table has; without them the code is the seed. ``bins``
    are :func:`score_bins` of ``score``, when the caller shares them between groupings.
    """
    key = codes.astype(np.int64) * (BINS * 2)
    key += (score_bins(score) if bins is None else bins) * np.int8(2)
    key += truth
    cells = groups * BINS * 2
    rows = np.bincount(key, minlength=cells).reshape(groups, BINS, 2)
    mass: Floats
    squares: Floats
    score_mass: Floats
    if weights is None:
        mass = rows.astype(np.float64)
        squares = mass
        score_mass = np.bincount(key, weights=score, minlength=cells).reshape(groups, BINS, 2)  # type: ignore[assignment]
    else:
        mass = np.bincount(key, weights=weights, minlength=cells).reshape(groups, BINS, 2)  # type: ignore[assignment]
        squares = np.bincount(key, weights=weights * weights, minlength=cells)  # type: ignore[assignment]
        squares = squares.reshape(groups, BINS, 2)
        score_mass = np.bincount(key, weights=weights * score, minlength=cells)  # type: ignore[assignment]
        score_mass = score_mass.reshape(groups, BINS, 2)
    brier, brier_half = _brier(codes, truth, score, groups, weights)
    del key
    results: list[Calibration | None] = []
    for code in range(groups):
        if rows[code].sum() == 0 or mass[code].sum() == 0:  # no rows, or all of weight 0
            results.append(None)
            continue
        seed = zlib.crc32(labels[code].encode()) if labels is not None else code
        cell = _Cells(mass[code], squares[code], score_mass[code], rows[code], weights is not None)
        results.append(_calibration(cell, float(brier[code]), float(brier_half[code]), seed))
    return results


@dataclass(frozen=True)
class _Cells:
    """One group's totals per (bin, label): Σw, Σw², Σw·score and row counts, each 10 × 2."""

    mass: Floats
    squares: Floats
    score_mass: Floats
    rows: NDArray[np.int64]
    weighted: bool


def _calibration(cells: _Cells, brier: float, half: float, seed: int) -> Calibration:
    bin_mass = cells.mass.sum(axis=1)
    bin_squares = cells.squares.sum(axis=1)
    positives = cells.mass[:, 1]
    scores = cells.score_mass.sum(axis=1)
    total = float(bin_mass.sum())
    shown = []
    for k in np.flatnonzero(cells.rows.sum(axis=1)):
        observed = float(positives[k] / bin_mass[k]) if bin_mass[k] > 0 else math.nan
        if not cells.weighted:
            low, high = wilson_interval(int(cells.rows[k, 1]), int(cells.rows[k].sum()))
        elif bin_mass[k] > 0:
            effective = _effective(float(bin_mass[k]), float(bin_squares[k]))
            low, high = wilson_interval(observed * effective, effective)
        else:
            low, high = math.nan, math.nan
        mean = float(scores[k] / bin_mass[k]) if bin_mass[k] > 0 else math.nan
        shown.append(
            ReliabilityBin(float(EDGES[k]), float(EDGES[k + 1]), _count(bin_mass[k], cells),
                           int(cells.rows[k].sum()), mean, observed, low, high)
        )  # fmt: skip
    ece = float(np.abs(positives - scores).sum() / total)
    ece_low, ece_high = _ece_interval(cells, _effective(total, float(bin_squares.sum())), seed)
    return Calibration(
        tuple(shown), float(scores.sum() / total), float(positives.sum() / total), ece, ece_low,
        ece_high, brier, max(0.0, brier - half), min(1.0, brier + half),
    )  # fmt: skip


def _ece_interval(cells: _Cells, effective: float, seed: int) -> tuple[float, float]:
    """Percentile bootstrap of the ECE from the 20 (bin, label) cells; see the module doc."""
    size = round(effective)
    if size < 2:
        return math.nan, math.nan
    mass = cells.mass.ravel()
    shares = mass / mass.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_score = np.where(mass > 0, cells.score_mass.ravel() / mass, 0.0)
    rng = np.random.default_rng([SEED, seed])
    drawn = rng.multinomial(size, shares, size=DRAWS).reshape(DRAWS, BINS, 2).astype(np.float64)
    predicted = (drawn * cell_score.reshape(BINS, 2)).sum(axis=2)
    ece = np.abs(drawn[:, :, 1] - predicted).sum(axis=1) / size
    low, high = np.quantile(ece, [0.025, 0.975])
    return float(low), float(high)


def _brier(
    codes: NDArray[np.integer],
    truth: NDArray[np.integer],
    score: Floats,
    groups: int,
    weights: Floats | None,
) -> tuple[Floats, Floats]:
    """Each group's Brier score and the half-width of its 95% interval (two passes)."""
    error = score - truth
    error **= 2
    return mean_squared_by_group(codes, error, groups, weights)


def mean_squared_by_group(
    codes: NDArray[np.integer], error: Floats, groups: int, weights: Floats | None
) -> tuple[Floats, Floats]:
    """Each group's weighted mean of the per-row squared errors ``error``, and its 95% half-width.

    The mean is a Brier score; the half-width is NaN where the effective n is below 2.

    ``error`` is overwritten (it holds row-length scratch): pass a copy to keep it.
    """
    mass: Floats
    squares: Floats
    if weights is None:
        mass = np.bincount(codes, minlength=groups).astype(np.float64)
        squares = mass
        sums = np.bincount(codes, weights=error, minlength=groups)
    else:
        mass = np.bincount(codes, weights=weights, minlength=groups)  # type: ignore[assignment]
        squares = np.bincount(codes, weights=weights * weights, minlength=groups)  # type: ignore[assignment]
        sums = np.bincount(codes, weights=weights * error, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        brier = sums / mass
        error -= brier[codes]
        error **= 2
        if weights is not None:
            error *= weights
        spread = np.bincount(codes, weights=error, minlength=groups)
        # reliability-weighted variance, then the variance of a mean over the effective size
        variance = spread / (mass - squares / mass)
        half = Z95 * np.sqrt(variance * squares / (mass * mass))
    half = np.where(mass * mass > squares * (1 + 1e-9), half, np.nan)
    return brier, half


def _effective(total: float, squares: float) -> float:
    if squares == 0:
        return 0.0
    return total * total / squares


def _count(mass: float, cells: _Cells) -> float:
    """A bin's count as the page shows it: whole rows unweighted, Σw with weights."""
    return float(mass) if cells.weighted else int(mass)


def ece_spread(
    groups: Sequence[GroupMetrics], calibration: dict[str, Calibration]
) -> tuple[str | None, str | None, float]:
    """(highest, lowest, max − min) of the ECE over the groups that are not small.

    NaN (and None) with fewer than two such groups: a spread of one group says nothing.
    """
    found = [(calibration[g.label].ece, g.label) for g in groups
             if not g.small and g.label in calibration]  # fmt: skip
    if len(found) < 2:
        return None, None, math.nan
    highest, lowest = max(found, key=lambda f: f[0]), min(found, key=lambda f: f[0])
    return highest[1], lowest[1], highest[0] - lowest[0]
