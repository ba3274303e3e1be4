"""Selection rate, TPR and FPR of every group at every threshold, and the deployed threshold.

A static version of Fairness Indicators' threshold slider. A row is predicted positive at
threshold t when its score is ≥ t. Thresholds are 0.05, 0.10, … 0.95 (:data:`THRESHOLDS`).

Vectorised without a per-group sort: each score's position among the thresholds (how many are
≤ it) is one ``searchsorted``; counting (group, position, label) with ``bincount`` and summing
from the top gives, for every threshold at once, the weight of the rows scored at or above it.

The deployed threshold is the one declared in the run record (``predictions.threshold``), else
the one the predictions imply: when every predicted positive scores above every predicted
negative, any t in (highest negative score, lowest positive score] reproduces ``y_pred``, and
the shortest decimal in that interval is shown (0.5 rather than 0.50013).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

THRESHOLDS = np.round(np.arange(1, 20) * 0.05, 2)
CURVES = ("selection_rate", "recall", "fpr")

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Curves:
    """One group's rates at each of :data:`THRESHOLDS` (NaN where the rate has no denominator)."""

    selection_rate: tuple[float, ...]
    recall: tuple[float, ...]
    fpr: tuple[float, ...]


@dataclass(frozen=True)
class Deployed:
    """The deployed threshold and how it is known."""

    value: float | None
    source: str  # declared | inferred | none
    note: str
    disagreeing: int = 0  # rows whose y_pred differs from score ≥ value


def curves_by_group(
    codes: NDArray[np.integer],
    truth: NDArray[np.integer],
    score: Floats,
    groups: int,
    weights: Floats | None = None,
    position: NDArray[np.int8] | None = None,
) -> list[Curves | None]:
    """Each group code's curves (None for a group without rows).

    ``position`` is :func:`threshold_positions` of ``score``, when shared between groupings.
    """
    steps = len(THRESHOLDS) + 1
    key = codes.astype(np.int64) * (steps * 2)
    key += (threshold_positions(score) if position is None else position) * np.int8(2)
    key += truth
    cells = groups * steps * 2
    rows = np.bincount(key, minlength=cells).reshape(groups, steps, 2)
    mass = rows if weights is None else np.bincount(key, weights=weights, minlength=cells)
    mass = mass.reshape(groups, steps, 2).astype(np.float64)
    del key
    # at or above threshold k (0-based) = positions k+1 … end: a sum from the top
    above = np.cumsum(mass[:, ::-1, :], axis=1)[:, ::-1, :][:, 1:, :]
    negatives, positives = mass[:, :, 0].sum(axis=1), mass[:, :, 1].sum(axis=1)
    results: list[Curves | None] = []
    with np.errstate(invalid="ignore", divide="ignore"):
        selection = (above[:, :, 0] + above[:, :, 1]) / (negatives + positives)[:, None]
        recall = above[:, :, 1] / positives[:, None]
        fpr = above[:, :, 0] / negatives[:, None]
    for code in range(groups):
        if rows[code].sum() == 0:
            results.append(None)
            continue
        results.append(Curves(_floats(selection[code]), _floats(recall[code]), _floats(fpr[code])))
    return results


def threshold_positions(score: Floats) -> NDArray[np.int8]:
    """How many thresholds each score is at or above (0 … 19)."""
    return np.searchsorted(THRESHOLDS, score, side="right").astype(np.int8)


def _floats(values: Floats) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def deployed_threshold(
    score: Floats, predicted: NDArray[np.integer], declared: float | None
) -> Deployed:
    """The declared threshold (with how many rows disagree with it), else the implied one."""
    positive = predicted == 1
    if declared is not None:
        disagreeing = int(np.count_nonzero((score >= declared) != positive))
        note = "declared in the run record (predictions.threshold)"
        if disagreeing:
            note += f"; {disagreeing:,} rows' predictions differ from score ≥ {declared:g}"
        return Deployed(declared, "declared", note, disagreeing)
    lowest_positive = float(score[positive].min()) if positive.any() else math.inf
    highest_negative = float(score[~positive].max()) if (~positive).any() else -math.inf
    if highest_negative >= lowest_positive:
        note = (
            "not shown: the predictions are not one threshold of the score (a predicted "
            f"negative scores {highest_negative:g}, a predicted positive {lowest_positive:g}); "
            "declare predictions.threshold to mark one"
        )
        return Deployed(None, "none", note)
    if math.isinf(lowest_positive) or math.isinf(highest_negative):
        every = "negative" if math.isinf(lowest_positive) else "positive"
        note = f"not shown: every row is predicted {every}, so no threshold is implied"
        return Deployed(None, "none", note)
    value = shortest_between(highest_negative, lowest_positive)
    note = (
        f"inferred: y_pred = score ≥ t for every t in ({highest_negative:g}, "
        f"{lowest_positive:g}]; the shortest decimal in it is shown"
    )
    return Deployed(value, "inferred", note)


def shortest_between(low: float, high: float) -> float:
    """The number with the fewest decimals in (low, high]; of several, the largest."""
    for decimals in range(0, 17):
        step = 10.0**-decimals
        # rounded before the floor: 0.7 / 0.1 is 6.999…, and 0.7 must stay a candidate
        candidate = round(math.floor(round(high / step, 6)) * step, decimals)
        if candidate > high:  # floating point: step back once
            candidate = round(candidate - step, decimals)
        if low < candidate <= high:
            return candidate
    return high
