"""Size-aware thresholds: each distance's distribution when nothing drifted, by simulation.

A distance between a window of m present values and the reference is never 0, even with no
drift at all, and how far from 0 it lands depends on m (and on the reference's size N): a
threshold that suits windows of 500 rows alerts far too often on windows of 100. So the
threshold of each window is computed for its own m:

1. p̂ = the reference's shares over its bins (present values only);
2. draw B pairs (a reference of N rows, a window of m rows), both multinomial with p̂ — two
   samples of the same population, so the reference's own noise is counted too (it matters
   when the reference is small);
3. compute the statistic for each pair, vectorised over the B pairs;
4. the threshold is the stated upper quantile of those B values; the tail probability of an
   observed value is (1 + #draws ≥ value) / (B + 1).

Nothing is re-read: only the binned summaries are used. Draws use a fixed seed per feature
and row count, so a build is deterministic and independent of the order features come in.
Row counts above ``EXACT_UP_TO`` are rounded to a 4% geometric grid before simulating, so 90
daily windows of similar sizes share a handful of simulations; the quantiles scale roughly as
1/√m, so the rounding (at most 2% of m) moves a threshold by at most about 1%.

Wasserstein is simulated with every bin at the reference's centroid (the summaries hold no
within-bin spread), so its calibration is approximate; the bin-count statistics (JS, PSI,
Hellinger, KS D) are simulated exactly.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.drift.stats import PSI_FLOOR
from cardpress.model_drift import FeatureCounts

Floats = NDArray[np.float64]
EXACT_UP_TO = 50
GRID_STEP = 1.04
MIN_DRAWS = 2000
MAX_DRAWS = 20000
BLOCK_CELLS = 2_000_000
CATEGORICAL = ("psi", "js", "hellinger")
NUMERIC = (*CATEGORICAL, "ks_d", "wasserstein")


def draws_for(level: float) -> int:
    """Enough draws that about 5 fall beyond the quantile at ``1 - level``, within bounds."""
    return int(min(MAX_DRAWS, max(MIN_DRAWS, math.ceil(5 / level))))


def grid_size(m: int) -> int:
    """The row count simulated for a window of ``m`` present values (see the module doc)."""
    if m <= EXACT_UP_TO:
        return m
    step = round(math.log(m / EXACT_UP_TO) / math.log(GRID_STEP))
    return round(EXACT_UP_TO * GRID_STEP**step)


@dataclass
class NullDistribution:
    """Sorted simulated values of each statistic for one feature at one window size."""

    values: dict[str, Floats]

    def quantile(self, statistic: str, level: float) -> float:
        """The upper ``1 - level`` quantile (the higher order statistic: never optimistic)."""
        found = self.values[statistic]
        return float(np.quantile(found, 1 - level, method="higher"))

    def tail(self, statistic: str, value: float) -> float:
        """(1 + draws at or above ``value``) / (B + 1): a valid p-value, never 0."""
        found = self.values[statistic]
        above = len(found) - int(np.searchsorted(found, value, side="left"))
        return (1 + above) / (len(found) + 1)


@dataclass
class Calibrator:
    """Null distributions per (feature, simulated size), cached for one build."""

    draws: int
    _reference_draws: dict[str, Floats] = field(default_factory=dict)
    _cache: dict[tuple[str, int], NullDistribution] = field(default_factory=dict)

    def null(self, name: str, reference: FeatureCounts, numeric: bool, m: int) -> NullDistribution:
        """The statistics' distribution for a window of ``m`` present values with no drift."""
        size = grid_size(m)
        key = (name, size)
        if key not in self._cache:
            self._cache[key] = self._simulate(name, reference, numeric, size)
        return self._cache[key]

    def _simulate(
        self, name: str, reference: FeatureCounts, numeric: bool, m: int
    ) -> NullDistribution:
        counts = np.asarray(reference.counts[:-1], dtype=np.float64)
        support = counts > 0  # bins the reference never uses cannot be drawn
        shares = counts[support] / counts.sum()
        unseen = 0.0 if numeric else _unseen_mass(counts)
        # draws in blocks of at most BLOCK_CELLS counts, so 1,000 categories × 20,000 draws
        # stay small in memory; the generators run on from block to block (deterministic)
        block = max(1, min(self.draws, BLOCK_CELLS // len(shares)))
        ref_gen = np.random.default_rng(_seed(name, 0))
        cur_gen = np.random.default_rng(_seed(name, m))
        parts: dict[str, list[Floats]] = {}
        for start in range(0, self.draws, block):
            size = min(block, self.draws - start)
            ref = self._reference(name, ref_gen, int(counts.sum()), shares, start, size)
            if unseen > 0:  # windows hold categories the reference never saw; it holds none
                window_shares = np.append(shares * (1 - unseen), unseen)
                cur = cur_gen.multinomial(m, window_shares, size=size).astype(np.float64)
                ref = np.hstack([ref, np.zeros((size, 1))])
            else:
                cur = cur_gen.multinomial(m, shares, size=size).astype(np.float64)
            p = ref / ref.sum(axis=1, keepdims=True)
            q = cur / m
            found = {"psi": _psi(p, q), "js": _js(p, q), "hellinger": _hellinger(p, q)}
            if numeric:
                found["ks_d"] = np.max(np.abs(np.cumsum(p, 1) - np.cumsum(q, 1)), axis=1)
                found["wasserstein"] = _wasserstein(reference, support, p, q)
            for key, value in found.items():
                parts.setdefault(key, []).append(value)
        return NullDistribution({k: np.sort(np.concatenate(v)) for k, v in parts.items()})

    def _reference(
        self,
        name: str,
        generator: np.random.Generator,
        n: int,
        shares: Floats,
        start: int,
        size: int,
    ) -> Floats:
        """The reference-sized draws, the same for every window size (common random numbers).

        Kept for the build when they fit in one block; drawn again (same seed) otherwise.
        """  # fmt: skip
        if size == self.draws and name in self._reference_draws:
            return self._reference_draws[name]
        drawn = generator.multinomial(n, shares, size=size).astype(np.float64)
        if size == self.draws:
            self._reference_draws[name] = drawn
        return drawn


def _unseen_mass(counts: Floats) -> float:
    """Good–Turing's estimate of the share of rows in categories the reference never saw.

    (categories seen once) ÷ (rows). A window drawn from the same population as a reference with
    many rare categories holds some the reference lacks, and they count towards the distance
    (the "unseen" bin); a null drawn from the reference's categories alone never does, and
    its thresholds were too low: 300 equally likely categories, 1,440 reference rows, windows of
    200 rows crossed the threshold for 0.5% in 4.1% of windows, 2.05% of them without the
    unseen categories. 0 when no category was seen once (a well-sampled reference): unchanged.
    """
    total = counts.sum()
    return float(np.count_nonzero(counts == 1) / total) if total else 0.0


def _seed(name: str, m: int) -> int:
    return zlib.crc32(f"{name}\0{m}".encode())


def _psi(p: Floats, q: Floats) -> Floats:
    p, q = _floored(p), _floored(q)
    result: Floats = np.sum((q - p) * np.log(q / p), axis=1)
    return result


def _floored(shares: Floats) -> Floats:
    floored = np.maximum(shares, PSI_FLOOR)
    result: Floats = floored / floored.sum(axis=1, keepdims=True)
    return result


def _js(p: Floats, q: Floats) -> Floats:
    m = (p + q) / 2
    divergence = (_kl2(p, m) + _kl2(q, m)) / 2
    result: Floats = np.sqrt(np.maximum(0.0, divergence))
    return result


def _kl2(p: Floats, q: Floats) -> Floats:
    ratio = np.divide(p, q, out=np.ones_like(p), where=p > 0)
    result: Floats = np.sum(p * np.log2(ratio), axis=1)
    return result


def _hellinger(p: Floats, q: Floats) -> Floats:
    result: Floats = np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2, axis=1) / 2)
    return result


def _wasserstein(
    reference: FeatureCounts, support: NDArray[np.bool_], p: Floats, q: Floats
) -> Floats:
    """∫|F_p − F_q| with every bin at the reference's centroid, over the reference's spread."""
    if not reference.value_sums:
        return np.zeros(len(p))
    counts = np.asarray(reference.counts[:-1], dtype=np.float64)[support]
    sums = np.asarray(reference.value_sums[:-1], dtype=np.float64)[support]
    at = sums / counts
    with np.errstate(over="ignore", invalid="ignore"):  # values near 1e300: no spread to use
        mean = float(np.sum(at * counts) / counts.sum())
        spread = math.sqrt(float(np.sum(counts * (at - mean) ** 2) / counts.sum()))
    if spread == 0 or not math.isfinite(spread) or len(at) < 2:
        return np.zeros(len(p))
    gaps = np.diff(at)
    gap = np.abs(np.cumsum(p, axis=1) - np.cumsum(q, axis=1))[:, :-1]
    result: Floats = gap @ gaps / spread
    return result
