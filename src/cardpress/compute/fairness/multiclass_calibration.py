"""Calibration of a multiclass model's class scores by group: each class against the rest.

Class c's score is read as the probability that the label is c, so the binary conventions of
:mod:`.calibration` apply per class unchanged, with truth = (label = c) and score = c's score
column: the same 10 bins, reliability with Wilson intervals, ECE with its seeded bootstrap, Brier
score with its normal interval, sample weights and effective n.

The whole model's **multiclass Brier score** = Σw · Σ_c (score_c − [label = c])² ÷ Σw, which is
the sum of the classes' one-vs-rest Brier scores and lies in [0, 2] — scikit-learn's
``brier_score_loss(labels, probability matrix)`` for more than two classes (its default,
``scale_by_half="auto"``, does not halve it then). Its 95% interval is normal, as the binary
Brier score's: ± 1.96 · s ÷ √(effective n), s the (weighted) standard deviation of the per-row
sums of squared errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.fairness.calibration import (
    Calibration,
    calibration_by_group,
    mean_squared_by_group,
    score_bins,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Brier:
    """A multiclass Brier score with its 95% interval (NaN: undefined)."""

    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class ClassScores:
    """What calibration reads of every row, computed once and shared by the groupings."""

    truth: NDArray[np.integer]  # class codes
    scores: list[FloatArray]  # one column per class
    bins: list[NDArray[np.int8]]  # each class score's bin
    errors: FloatArray  # each row's Σ_c (score_c − [label = c])²
    weights: FloatArray | None

    @classmethod
    def of(
        cls, truth: NDArray[np.integer], scores: list[FloatArray], weights: FloatArray | None
    ) -> ClassScores:
        """Bins and squared errors of class codes ``truth`` and one score column per class."""
        errors = np.zeros(len(truth), dtype=np.float64)
        for index, score in enumerate(scores):
            error = score - (truth == index)
            error **= 2
            errors += error
        return cls(truth, scores, [score_bins(s) for s in scores], errors, weights)


def class_calibration(
    codes: NDArray[np.integer],
    groups: int,
    rows: ClassScores,
    labels: list[str],
    classes: tuple[str, ...],
) -> tuple[list[tuple[Calibration | None, ...]], list[Brier]]:
    """Each group's calibration per class (one-vs-rest) and its multiclass Brier score.

    ``labels`` are the groups' labels (one per code) and ``classes`` the class names: together
    they seed each (group, class) bootstrap, so an interval does not depend on the other groups.
    """
    per_class = []
    for index, name in enumerate(classes):
        truth = (rows.truth == index).astype(np.int8)
        seeds = [f"{label}\x00{name}" for label in labels]
        score, bins = rows.scores[index], rows.bins[index]
        found = calibration_by_group(codes, truth, score, groups, rows.weights, seeds, bins)
        per_class.append(found)
    value, half = mean_squared_by_group(codes, rows.errors.copy(), groups, rows.weights)
    briers = []
    for code in range(groups):
        b, h = float(value[code]), float(half[code])
        briers.append(Brier(b, max(0.0, b - h), min(2.0, b + h)) if not math.isnan(h)
                      else Brier(b, math.nan, math.nan))  # fmt: skip
    by_group = [tuple(found[code] for found in per_class) for code in range(groups)]
    return by_group, briers
