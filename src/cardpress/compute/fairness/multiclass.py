"""Multiclass metrics from confusion matrices: one ``numpy.bincount`` per grouping, then algebra.

Every figure is a function of a group's K × K confusion matrix (rows: true class, columns:
predicted class; weighted counts when sample weights are given), as in scikit-learn:

- accuracy = trace / n;
- per class c: precision = C[c,c] / column sum, recall = C[c,c] / row sum (support),
  F1 = 2·C[c,c] / (row sum + column sum); undefined (NaN) when the denominator is 0, as
  scikit-learn's ``zero_division=np.nan``;
- macro = the mean over the classes present in the group (in its labels or its predictions) where
  the per-class value is defined; weighted = the same mean weighted by support; micro = from the
  pooled counts, which for one label per row equals accuracy;
- one-vs-rest: class c against all others is a binary problem (TP = C[c,c], FN = row sum − TP,
  FP = column sum − TP, TN = the rest), so every binary rate applies per class.

``weights`` is ``None`` (every row counts 1) or one non-negative weight per row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.fairness.ovr_auc import class_auc, partition, sortable
from cardpress.compute.rates import auc_by_group

FloatArray = NDArray[np.float64]
AVERAGES = ("macro", "micro", "weighted")
SCORES = ("precision", "recall", "f1")


def confusion_by_group(
    codes: NDArray[np.integer],
    groups: int,
    truth: NDArray[np.integer],
    pred: NDArray[np.integer],
    classes: int,
    weights: FloatArray | None = None,
) -> FloatArray:
    """Each group's confusion matrix, shape (groups, classes, classes): [group, true, predicted]."""
    key = codes.astype(np.int64) * (classes * classes)
    key += truth.astype(np.int64) * classes
    key += pred
    counts = np.bincount(key, weights=weights, minlength=groups * classes * classes)
    result: FloatArray = counts.astype(np.float64).reshape(groups, classes, classes)
    return result


def confusion_matrix(
    truth: NDArray[np.integer],
    pred: NDArray[np.integer],
    classes: int,
    weights: FloatArray | None = None,
) -> FloatArray:
    """The confusion matrix of all rows: [true, predicted]."""
    zeros = np.zeros(len(truth), dtype=np.int8)
    result: FloatArray = confusion_by_group(zeros, 1, truth, pred, classes, weights)[0]
    return result


def row_normalised(matrix: FloatArray) -> FloatArray:
    """Each row divided by its sum: the share of a true class predicted as each class.

    Rows of classes with no support are NaN.
    """
    totals = matrix.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where(totals > 0, matrix / totals, np.nan)
    return result


@dataclass(frozen=True)
class ClassScores:
    """Accuracy, per-class precision, recall and F1, and their averages, of one matrix."""

    accuracy: float
    support: FloatArray
    predicted: FloatArray
    per_class: dict[
        str, FloatArray
    ]  # precision | recall | f1 -> one value per class, NaN: undefined
    averages: dict[str, float]  # e.g. "macro_f1", "weighted_precision", "micro_recall"


def class_scores(matrix: FloatArray) -> ClassScores:
    """The scores of a confusion matrix, as scikit-learn's with ``zero_division=np.nan``."""
    hits = np.diagonal(matrix).astype(np.float64)
    support, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    total = float(matrix.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = {
            "precision": np.where(predicted > 0, hits / predicted, np.nan),
            "recall": np.where(support > 0, hits / support, np.nan),
            "f1": np.where(support + predicted > 0, 2 * hits / (support + predicted), np.nan),
        }
    present = (support > 0) | (predicted > 0)
    accuracy = float(hits.sum()) / total if total > 0 else math.nan
    averages = {}
    for name, values in per_class.items():
        averages[f"macro_{name}"] = _mean(values[present], None)
        averages[f"weighted_{name}"] = _mean(values[present], support[present])
        averages[f"micro_{name}"] = accuracy  # pooled counts: Σ hits / n, every way
    return ClassScores(accuracy, support, predicted, per_class, averages)


def _mean(values: FloatArray, weights: FloatArray | None) -> float:
    """Mean (weighted) over the defined values; NaN when none is (scikit-learn's _nanaverage)."""
    defined = ~np.isnan(values)
    if not defined.any():
        return math.nan
    if weights is None or math.isclose(float(weights[defined].sum()), 0.0):
        return float(values[defined].mean())
    return float(np.average(values[defined], weights=weights[defined]))


def one_vs_rest(matrix: FloatArray) -> FloatArray:
    """(TP, FP, TN, FN) of each class against the rest, shape (classes, 4)."""
    tp = np.diagonal(matrix).astype(np.float64)
    fn = matrix.sum(axis=1) - tp
    fp = matrix.sum(axis=0) - tp
    tn = matrix.sum() - tp - fn - fp
    return np.stack([tp, fp, tn, fn], axis=1)


def ovr_auc_by_group(
    codes: NDArray[np.integer],
    groups: int,
    truth: NDArray[np.integer],
    scores: list[FloatArray],
    weights: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One-vs-rest AUC of every class in every group: (auc, lower, upper), shape (groups, classes).

    Unweighted: the exact AUC with its DeLong 95% interval (:func:`auc_by_group`'s numbers, by
    :func:`.ovr_auc.class_auc` without an index sort per class; scores with a negative or NaN
    value take the general sort). Weighted: the weighted Mann–Whitney statistic (scikit-learn's
    ``roc_auc_score`` with ``sample_weight``); there is no interval (NaN): DeLong's variance is
    for unweighted samples.
    """
    shape = (groups, len(scores))
    auc, lower, upper = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    parts = partition(codes, groups, truth) if weights is None else None
    for index, score in enumerate(scores):
        if parts is not None and sortable(score):
            auc[:, index], lower[:, index], upper[:, index] = class_auc(parts, index, score)
            continue
        positive = (truth == index).astype(np.int8)
        if weights is not None:
            auc[:, index] = weighted_auc_by_group(codes, groups, positive, score, weights)
        else:  # negative (or NaN) scores: the general index sort
            auc[:, index], lower[:, index], upper[:, index] = auc_by_group(
                codes, positive, score, groups
            )
    return auc, lower, upper


def weighted_auc_by_group(
    codes: NDArray[np.integer],
    groups: int,
    positive: NDArray[np.integer],
    score: FloatArray,
    weights: FloatArray,
) -> FloatArray:
    """Weighted AUC of every group, NaN for a group without positive or negative weight.

    Σ over positives of w·(weight of the group's negatives scored lower + ½ of those tied),
    ÷ (positive weight × negative weight).
    """
    order = np.lexsort((score, codes))
    code, value = codes[order], score[order]
    starts = np.r_[0, np.flatnonzero((code[1:] != code[:-1]) | (value[1:] != value[:-1])) + 1]
    weight = weights[order]
    is_positive = positive[order].astype(bool)
    run_pos = np.add.reduceat(np.where(is_positive, weight, 0.0), starts)
    run_neg = np.add.reduceat(np.where(is_positive, 0.0, weight), starts)
    run_code = code[starts].astype(np.int64)
    total_pos = np.bincount(run_code, weights=run_pos, minlength=groups)
    total_neg = np.bincount(run_code, weights=run_neg, minlength=groups)
    group_start = np.cumsum(total_neg) - total_neg
    below = np.cumsum(run_neg) - run_neg - group_start[run_code]
    wins = np.bincount(run_code, weights=run_pos * (below + run_neg / 2), minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc: FloatArray = np.where(
            (total_pos > 0) & (total_neg > 0), wins / (total_pos * total_neg), np.nan
        )
    return auc


def macro_auc(auc: FloatArray) -> FloatArray:
    """Mean of the one-vs-rest AUCs over the classes where it is defined (last axis).

    Equal to scikit-learn's ``roc_auc_score(multi_class="ovr", average="macro")`` when every
    class has positives and negatives, the only case that function accepts.
    """
    defined = ~np.isnan(auc)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where(
            defined.any(axis=-1), np.nansum(auc, axis=-1) / defined.sum(axis=-1), np.nan
        )
    return result


def effective_n(weight_sum: Any, square_sum: Any) -> Any:
    """Kish's effective sample size (Σw)² / Σw²; equal to the row count when every weight is 1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(square_sum > 0, weight_sum**2 / square_sum, 0.0)
