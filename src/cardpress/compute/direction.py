"""Which way is better for a metric or a disparity, so a change can be called better or worse.

Higher is better for rates of right answers (accuracy, precision, recall, F1, AUC, average
precision, R², specificity) and for fairness ratios (1 is parity, and a ratio is at most 1),
also of errors (an MAE ratio);
lower is better for errors and losses (error rates, FPR, FNR, log loss, Brier score, MAE, RMSE,
calibration error) and for fairness differences (0 is parity). Anything else has no direction:
its change is shown signed, never judged.
"""

from __future__ import annotations

import re

_LOWER = re.compile(
    r"error|loss|fpr|fnr|false_positive|false_negative|brier|mae|mse|rmse|ece|difference|gap"
)
_HIGHER = re.compile(
    r"accuracy|precision|recall|f1|auc|average_precision|\bap\b|r2|tpr|tnr|specificity|"
    r"sensitivity|true_positive|true_negative|ratio"
)


def direction(name: str) -> str | None:
    """``"higher"`` or ``"lower"`` (is better), or None when the name does not say."""
    key = name.lower().replace("-", "_").replace(" ", "_")
    # a ratio between groups (min ÷ max) is parity at 1 even when it divides errors: "MAE
    # ratio" must not read as the error it names
    if key.endswith("ratio"):
        return "higher"
    if _LOWER.search(key):
        return "lower"
    if _HIGHER.search(key):
        return "higher"
    return None


def judged(delta: float | None, name: str) -> str | None:
    """``"better"``, ``"worse"`` or ``"same"`` for a change of ``delta``; None: not judged."""
    way = direction(name)
    if delta is None or way is None:
        return None
    if delta == 0:
        return "same"
    return "better" if (delta > 0) == (way == "higher") else "worse"
