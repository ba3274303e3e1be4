"""Which way is better for a metric or disparity, and so whether a change is better or worse."""

from __future__ import annotations

import pytest

from cardpress.compute.direction import direction, judged


@pytest.mark.parametrize(
    ("name", "way"),
    [
        ("accuracy", "higher"), ("roc_auc", "higher"), ("f1", "higher"), ("recall", "higher"),
        ("average_precision", "higher"), ("r2", "higher"), ("demographic parity ratio", "higher"),
        ("false_positive_rate", "lower"), ("log_loss", "lower"), ("brier_score", "lower"),
        ("rmse", "lower"), ("mae", "lower"), ("equalized odds difference", "lower"),
        ("error_rate", "lower"), ("selection_rate", None), ("rows", None),
        # a ratio of groups' errors (min ÷ max) is a parity ratio: nearer 1, higher, is better;
        # the diff page called MAE ratio 0.79 → 0.91 "worse"
        ("MAE ratio", "higher"), ("rmse_ratio", "higher"), ("fnr ratio", "higher"),
    ],
)  # fmt: skip
def test_direction_by_name(name: str, way: str | None) -> None:
    assert direction(name) == way


def test_a_change_is_better_worse_same_or_not_judged() -> None:
    assert judged(0.1, "accuracy") == "better" and judged(-0.1, "accuracy") == "worse"
    assert judged(0.1, "log_loss") == "worse" and judged(-0.1, "log_loss") == "better"
    assert judged(0.0, "accuracy") == "same"
    assert judged(None, "accuracy") is None and judged(0.1, "selection_rate") is None
