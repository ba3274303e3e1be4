"""Mapping labels to 0/1 and refusing what is not binary classification."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from cardpress.model import Y_PRED, Y_SCORE, Y_TRUE, Predictions, Source
from cardpress.readers.predictions.checks import checked_predictions


def _predictions(label: str | int | bool = 1) -> Predictions:
    return Predictions(
        uri="p.csv", dataset="d", y_true="y", y_pred="yhat", source=Source("r.json", 1),
        y_score="p", sensitive=("g",), positive_label=label,
    )  # fmt: skip


@given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.floats(0, 1), st.sampled_from("ab")),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([(1, int), (True, bool), ("yes", str)]),
)
def test_positive_label_maps_to_one(rows: list[tuple[bool, bool, float, str]], kind: tuple) -> None:  # type: ignore[type-arg]
    label, convert = kind

    def value(flag: bool) -> object:
        if convert is str:
            return "yes" if flag else "no"
        return convert(flag)

    frame = pd.DataFrame(
        {"y": [value(r[0]) for r in rows], "yhat": [value(r[1]) for r in rows],
         "p": [r[2] for r in rows], "g": [r[3] for r in rows]}
    )  # fmt: skip
    checked, problems = checked_predictions(frame, _predictions(label), (), {})
    assert problems == [] and checked is not None
    assert checked[Y_TRUE].tolist() == [int(r[0]) for r in rows]
    assert checked[Y_PRED].tolist() == [int(r[1]) for r in rows]
    assert checked[Y_SCORE].tolist() == [r[2] for r in rows]
    assert checked["g"].tolist() == [r[3] for r in rows]


def test_boolean_scores_are_refused() -> None:
    frame = pd.DataFrame({"y": [0, 1], "yhat": [0, 1], "p": [True, False], "g": ["a", "b"]})
    checked, problems = checked_predictions(frame, _predictions(), (), {})
    assert checked is None
    assert [str(p) for p in problems] == [
        "p.csv: p: scores are not numbers (bool) — give the predicted probability of the "
        "positive class, a number from 0 to 1 (AUC, calibration and the threshold curves read it "
        "as a probability; a raw margin or logit must be mapped to [0, 1] first, e.g. with a "
        "sigmoid)"
    ]
