"""The slice fairness report of a multiclass model, from its checked evaluation predictions.

For all rows, each sensitive column and each configured intersection: every group's confusion
matrix, accuracy and macro/micro/weighted precision, recall and F1 (:mod:`.multiclass`), and each
class against the rest as a binary problem, so the binary report's rates, reference comparisons,
between-groups spreads, parity measures, four-fifths rule and LL144 impact ratios apply per class
unchanged (:mod:`.disparity`, :mod:`.rules`). The headline disparity of a grouping is the worst
over its classes: the largest difference and the smallest ratio. With per-class scores, each
group's calibration per class and its multiclass Brier score (:mod:`.multiclass_calibration`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cardpress.compute.fairness.calibration import ece_spread
from cardpress.compute.fairness.disparity import (
    METRICS,
    Parity,
    Spread,
    choose_reference,
    compare,
    parity,
    spread,
)
from cardpress.compute.fairness.groups import (
    RATES,
    GroupMetrics,
    Rate,
    group_codes,
    group_label,
)
from cardpress.compute.fairness.multiclass import (
    FloatArray,
    class_scores,
    confusion_by_group,
    effective_n,
    macro_auc,
    one_vs_rest,
    ovr_auc_by_group,
)
from cardpress.compute.fairness.multiclass_calibration import ClassScores, class_calibration
from cardpress.compute.fairness.multiclass_types import (
    ClassDisparity,
    ClassGroup,
    ClassGrouping,
    MulticlassReport,
)
from cardpress.compute.fairness.report import groupings_of
from cardpress.compute.fairness.rules import four_fifths, local_law_144
from cardpress.compute.limits import below
from cardpress.compute.rates import wilson_interval
from cardpress.model import Y_CLASS_SCORE, Y_PRED, Y_TRUE, FairnessSettings

if TYPE_CHECKING:  # pandas loads with the predictions: a build that reads none never needs it
    import pandas as pd

SUMMARY = ("accuracy", "macro_f1")  # spread over groups of the whole-model figures


def multiclass_report(
    frame: pd.DataFrame,
    sensitive: tuple[str, ...],
    settings: FairnessSettings,
    weights: FloatArray | None = None,
    calibration: bool = True,
) -> MulticlassReport:
    """The report of a checked multiclass table; ``weights`` one per row, or None.

    ``calibration`` False leaves each group's calibration and Brier score out (a policy's
    checks read neither: they cost most of the report's time).
    """
    classes = tuple(str(c) for c in frame[Y_TRUE].cat.categories)
    data = _data(frame, weights, calibration)
    scores = data.scores
    overall = _groups(frame, (), data, 0, classes)[0]
    wanted, skipped = groupings_of(sensitive, settings)
    groupings = tuple(_grouping(frame, cols, data, classes, settings) for cols in wanted)
    return MulticlassReport(
        len(frame), classes, scores is not None, weights is not None, overall, groupings,
        tuple(skipped), _warnings(overall, classes),
    )  # fmt: skip


def multiclass_groups(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    min_group_size: int,
    weights: FloatArray | None = None,
) -> list[ClassGroup]:
    """The groups of one grouping of a checked multiclass table, largest first."""
    classes = tuple(str(c) for c in frame[Y_TRUE].cat.categories)
    return _groups(frame, columns, _data(frame, weights), min_group_size, classes)


def _data(frame: pd.DataFrame, weights: FloatArray | None, calibration: bool = True) -> _Data:
    classes = len(frame[Y_TRUE].cat.categories)
    columns = [f"{Y_CLASS_SCORE}{i}" for i in range(classes)]
    scores = [frame[c].to_numpy(np.float64) for c in columns] if columns[0] in frame else None
    truth = frame[Y_TRUE].cat.codes.to_numpy(np.int16)
    # the score bins and per-row squared errors do not depend on the grouping: computed once
    calibrated = ClassScores.of(truth, scores, weights) if scores and calibration else None
    return _Data(truth, frame[Y_PRED].cat.codes.to_numpy(np.int16), scores, weights, classes,
                 calibrated)  # fmt: skip


@dataclass(frozen=True)
class _Data:
    truth: NDArray[np.integer]
    pred: NDArray[np.integer]
    scores: list[FloatArray] | None
    weights: FloatArray | None
    classes: int
    calibrated: ClassScores | None = None


def _groups(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    data: _Data,
    min_size: int,
    classes: tuple[str, ...],
) -> list[ClassGroup]:
    codes, labels = group_codes(frame, columns)
    count, k = len(labels), data.classes
    matrices = confusion_by_group(codes, count, data.truth, data.pred, k, data.weights)
    squares = matrices
    if data.weights is not None:
        squares = confusion_by_group(codes, count, data.truth, data.pred, k, data.weights**2)
    rows = np.bincount(codes, minlength=count)
    auc = None
    if data.scores:
        auc = ovr_auc_by_group(codes, count, data.truth, data.scores, data.weights)
    calibration = None
    if data.calibrated is not None:
        names = [group_label(v) for v in labels]
        calibration = class_calibration(codes, count, data.calibrated, names, classes)
    total = float(matrices.sum())
    groups = []
    for code, values in enumerate(labels):
        if rows[code] == 0:
            continue  # an empty intersection: no rows, no metrics
        scored = (auc[0][code], auc[1][code], auc[2][code]) if auc else None
        group = _group(columns, values, int(rows[code]), matrices[code], squares[code], total,
                       min_size, scored, data.weights is not None)  # fmt: skip
        if calibration is not None:
            group = replace(group, calibration=calibration[0][code], brier=calibration[1][code])
        groups.append(group)
    # largest first by Σw (rows without weights), as the binary report: the default reference
    return sorted(groups, key=lambda g: (-g.weight, g.label))


def _group(
    columns: tuple[str, ...],
    values: tuple[str | None, ...],
    rows: int,
    matrix: FloatArray,
    squares: FloatArray,
    total: float,
    min_size: int,
    scored: tuple[FloatArray, FloatArray, FloatArray] | None,
    weighted: bool,
) -> ClassGroup:
    scores = class_scores(matrix)
    weight = float(matrix.sum())
    # small by the effective number of rows (Σw)²/Σw², as the binary report (rows unweighted)
    small = below(float(effective_n(np.float64(weight), np.float64(squares.sum()))), min_size)
    share = weight / total if total else math.nan
    accuracy = _rate((np.trace(matrix), weight), (np.trace(squares), float(squares.sum())))
    counts, count_squares = one_vs_rest(matrix), one_vs_rest(squares)
    ovr = []
    for index in range(len(counts)):
        auc = (float(scored[0][index]), float(scored[1][index]), float(scored[2][index])) \
            if scored else None  # fmt: skip
        ovr.append(_binary(columns, values, rows, share, small, counts[index],
                           count_squares[index], auc, weighted))  # fmt: skip
    mean_auc = float(macro_auc(scored[0])) if scored else math.nan
    f1 = tuple(float(v) for v in scores.per_class["f1"])
    return ClassGroup(columns, values, rows, weight, share, small, matrix, accuracy,
                      scores.averages, f1, tuple(ovr), mean_auc)  # fmt: skip


def _binary(
    columns: tuple[str, ...],
    values: tuple[str | None, ...],
    rows: int,
    share: float,
    small: bool,
    counts: FloatArray,
    squares: FloatArray,
    auc: tuple[float, float, float] | None,
    weighted: bool,
) -> GroupMetrics:
    """One class against the rest as the binary report's group: the same rates and intervals."""
    named = dict(zip(("tp", "fp", "tn", "fn"), counts, strict=True))
    named["n"] = float(counts.sum())
    named_squares = dict(zip(("tp", "fp", "tn", "fn"), squares, strict=True))
    named_squares["n"] = float(squares.sum())
    rates = {}
    for name, (top, bottom, why) in RATES.items():
        part = (_sum(named, top), _sum(named, bottom))
        rates[name] = _rate(part, (_sum(named_squares, top), _sum(named_squares, bottom)), why)
    value, low, high = auc if auc is not None else (math.nan, math.nan, math.nan)
    reason: str | None = "no per-class scores in the predictions"
    if auc is not None:
        reason = None if not math.isnan(value) else "the class is all or none of this group"
    tp, fp, tn, fn = (_whole(c) for c in counts)
    effective = effective_n(np.float64(named["n"]), np.float64(named_squares["n"]))
    # count is Σw with weights, as the binary report's (its tables show it beside Σw selected);
    # told by the report, not by Σw² = Σw: weights of 0 and 1 have that too, and their rows
    # are not their Σw
    count = named["n"] if weighted else rows
    return GroupMetrics(columns, values, count, share, tp, fp, tn, fn, rates, value, low, high,
                        reason, small, rows, float(effective), weighted)  # fmt: skip


def _sum(named: dict[str, Any], spec: str) -> float:
    return float(sum(named[k] for k in spec.split("+")))


def _rate(
    part: tuple[Any, float],
    squares: tuple[Any, float],
    why: str = "every row of this group has weight 0",
) -> Rate:
    """A proportion with its Wilson 95% interval at Kish's effective n (n without weights)."""
    top, bottom = float(part[0]), float(part[1])
    n: Any = float(effective_n(np.float64(bottom), np.float64(squares[1])))
    # shown with weights only: without them the effective size is the row count (as binary)
    effective = n if float(squares[1]) != bottom else None
    if bottom == 0:
        return Rate(math.nan, math.nan, math.nan, _whole(top), _whole(bottom), why, effective)
    value = top / bottom
    low, high = wilson_interval(value * n, n)
    return Rate(value, low, high, _whole(top), _whole(bottom), None, effective)


def _whole(value: Any) -> Any:
    """A count as an int when it is whole (always, without weights), else the weighted sum."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _grouping(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    data: _Data,
    classes: tuple[str, ...],
    settings: FairnessSettings,
) -> ClassGrouping:
    groups = _groups(frame, columns, data, settings.min_group_size, classes)
    first = [g.ovr[0] for g in groups]
    reference, rule = choose_reference(first, dict(settings.reference))
    label = reference.label if reference is not None else None
    per_class = tuple(_class(groups, index, name, label, settings, len(classes))
                      for index, name in enumerate(classes))  # fmt: skip
    worst, worst_class = _worst(per_class)
    summary = {name: _summary_spread(groups, name) for name in SUMMARY}
    eces = [(c.ece_spread[2], c.name) for c in per_class if not math.isnan(c.ece_spread[2])]
    worst_ece = max(eces, key=lambda e: e[0]) if eces else (math.nan, None)
    return ClassGrouping(columns, tuple(groups), label, rule, summary, per_class, worst,
                         worst_class, worst_ece)  # fmt: skip


def _class(
    groups: list[ClassGroup],
    index: int,
    name: str,
    reference: str | None,
    settings: FairnessSettings,
    classes: int,
) -> ClassDisparity:
    binary = [g.ovr[index] for g in groups]
    base = next((g for g in binary if g.label == reference), None)
    comparisons = {}
    if base is not None:
        comparisons = {g.label: {m: compare(g, base, m) for m in METRICS} for g in binary}
    spreads = {metric: spread(binary, metric) for metric in METRICS}
    calibrated = {g.label: g.calibration[index] for g in groups if g.calibration}
    found = {label: c for label, c in calibrated.items() if c is not None}
    return ClassDisparity(
        name, comparisons, spreads, parity(spreads),
        # one level over every class's table: k classes tested at 5% each flag k times as often
        four_fifths(binary, settings.min_group_size, settings.four_fifths_threshold, classes),
        local_law_144(binary), ece_spread(binary, found),
    )  # fmt: skip


def _worst(per_class: tuple[ClassDisparity, ...]) -> tuple[Parity, dict[str, str | None]]:
    """The largest difference and the smallest ratio of each measure over the classes.

    Classes where a measure is undefined are left out; NaN when it is defined for none.
    """
    values: dict[str, float] = {}
    which: dict[str, str | None] = {}
    for measure in Parity.__dataclass_fields__:
        found = [(getattr(c.parity, measure), c.name) for c in per_class]
        found = [(v, n) for v, n in found if not math.isnan(v)]
        pick = min if measure.endswith("ratio") else max
        value, name = pick(found, key=lambda f: f[0]) if found else (math.nan, None)
        values[measure], which[measure] = value, name
    return Parity(**values), which


def _summary_spread(groups: list[ClassGroup], name: str) -> Spread:
    defined, left_out = [], []
    for group in groups:
        if group.small:
            continue
        value = group.accuracy.value if name == "accuracy" else group.averages[name]
        if math.isnan(value):
            left_out.append((group.label, "undefined for this group"))
        else:
            defined.append((value, group.label))
    if len(defined) < 2:
        why = "fewer than two groups large enough and with the metric defined"
        nan = math.nan
        return Spread(name, None, None, nan, nan, nan, nan, len(defined), tuple(left_out), why)
    high, low = max(defined, key=lambda d: d[0]), min(defined, key=lambda d: d[0])
    ratio = low[0] / high[0] if high[0] else math.nan
    return Spread(name, high[1], low[1], high[0], low[0], high[0] - low[0], ratio, len(defined),
                  tuple(left_out))  # fmt: skip


def _warnings(overall: ClassGroup, classes: tuple[str, ...]) -> tuple[str, ...]:
    support, predicted = overall.confusion.sum(axis=1), overall.confusion.sum(axis=0)
    notes = []
    for index, name in enumerate(classes):
        if support[index] == 0 and predicted[index] > 0:
            notes.append(
                f"class {name!r} is predicted for {_whole(predicted[index]):,} rows but is never "
                "the true label: its recall, false negative rate and AUC are undefined; its "
                "precision is 0 and it counts in the macro averages with no support"
            )
    return tuple(notes)
