"""Disparities against fairlearn's MetricFrame and fairness metrics, to 1e-9."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, roc_auc_score

from cardpress.compute.fairness.disparity import choose_reference, compare, parity, spread
from cardpress.compute.fairness.groups import GroupMetrics, group_metrics
from tests.conftest import EXAMPLE

FAIRLEARN = {
    "selection_rate": selection_rate,
    "accuracy": accuracy_score,
    "recall": true_positive_rate,
    "fpr": false_positive_rate,
}


def _groups(frame: pd.DataFrame, columns: list[str], min_size: int = 1) -> list[GroupMetrics]:
    return group_metrics(
        frame, columns, y_true="label", y_pred="pred", y_score="score", min_group_size=min_size
    )


def _all_defined(groups: list[GroupMetrics], metric: str) -> bool:
    return all(g.rates[metric].undefined is None for g in groups)


def _check_against_fairlearn(frame: pd.DataFrame, columns: list[str]) -> None:
    groups = _groups(frame, columns)
    features = frame[columns]
    truth, predicted = frame["label"], frame["pred"]
    for metric, function in FAIRLEARN.items():
        if not _all_defined(groups, metric) or len(groups) < 2:
            continue  # fairlearn turns an undefined recall/FPR into 0; compared separately
        expected = MetricFrame(
            metrics=function, y_true=truth, y_pred=predicted, sensitive_features=features
        )
        ours = spread(groups, metric)
        assert ours.difference == pytest.approx(expected.difference(), abs=1e-9), metric
        if not math.isnan(ours.ratio):
            assert ours.ratio == pytest.approx(expected.ratio(), abs=1e-9), metric
    if len(groups) < 2:
        return
    spreads = {m: spread(groups, m) for m in ("selection_rate", "recall", "fpr")}
    found = parity(spreads)
    dp = demographic_parity_difference(truth, predicted, sensitive_features=features)
    assert found.demographic_parity_difference == pytest.approx(dp, abs=1e-9)
    dp_ratio = demographic_parity_ratio(truth, predicted, sensitive_features=features)
    if not math.isnan(found.demographic_parity_ratio):
        assert found.demographic_parity_ratio == pytest.approx(dp_ratio, abs=1e-9)
    if _all_defined(groups, "recall") and _all_defined(groups, "fpr"):
        eo = equalized_odds_difference(truth, predicted, sensitive_features=features)
        assert found.equalized_odds_difference == pytest.approx(eo, abs=1e-9)
        eo_ratio = equalized_odds_ratio(truth, predicted, sensitive_features=features)
        if not math.isnan(found.equalized_odds_ratio):
            assert found.equalized_odds_ratio == pytest.approx(eo_ratio, abs=1e-9)


def _adult() -> pd.DataFrame:
    return pd.read_parquet(EXAMPLE / "predictions" / "income-classifier-2.parquet")


@pytest.mark.parametrize("columns", [["sex"], ["race"], ["sex", "race"]])
def test_adult_disparities_match_fairlearn(columns: list[str]) -> None:
    _check_against_fairlearn(_adult(), columns)


def test_undefined_recall_is_left_out_not_zero() -> None:
    """fairlearn gives a group with no positives recall 0; we leave it out and say why."""
    frame = _adult()
    frame.loc[frame["race"] == "Other", "label"] = 0  # this group now has no actual positives
    groups = _groups(frame, ["race"])
    ours = spread(groups, "recall")
    assert ("Other", "no actual positives in this group") in ours.left_out
    defined = frame[frame["race"] != "Other"]
    expected = MetricFrame(
        metrics=true_positive_rate, y_true=defined["label"], y_pred=defined["pred"],
        sensitive_features=defined["race"],
    )  # fmt: skip
    assert ours.difference == pytest.approx(expected.difference(), abs=1e-9)
    assert math.isnan(parity({m: spread(groups, m) for m in FAIRLEARN}).equalized_odds_ratio) is (
        math.isnan(ours.ratio) or math.isnan(spread(groups, "fpr").ratio)
    )


def test_auc_spread_matches_sklearn_per_group() -> None:
    frame = _adult()
    groups = _groups(frame, ["race"])
    aucs = {
        race: roc_auc_score(part["label"], part["score"]) for race, part in frame.groupby("race")
    }
    ours = spread(groups, "auc")
    assert ours.difference == pytest.approx(max(aucs.values()) - min(aucs.values()), abs=1e-9)
    assert ours.highest == max(aucs, key=lambda k: aucs[k])


def test_reference_comparisons_by_hand() -> None:
    # fairlearn's documentation example: selection rate F 0.8, M 0.4; accuracy F 0.8, M 0.6
    frame = pd.DataFrame(
        {
            "label": [1, 1, 1, 1, 1, 0, 0, 1, 1, 0],
            "pred": [0, 1, 1, 1, 1, 0, 0, 0, 1, 1],
            "score": np.linspace(0.05, 0.95, 10),
            "sex": ["F"] * 5 + ["M"] * 5,
        }
    )
    groups = _groups(frame, ["sex"])
    reference, rule = choose_reference(groups, {"sex": "M"})
    assert reference is not None and reference.label == "M" and "cardpress.toml" in rule
    female = next(g for g in groups if g.label == "F")
    assert compare(female, reference, "selection_rate").difference == pytest.approx(0.4)
    assert compare(female, reference, "selection_rate").ratio == pytest.approx(2.0)
    assert compare(female, reference, "accuracy").ratio == pytest.approx(0.8 / 0.6)
    assert spread(groups, "selection_rate").ratio == pytest.approx(0.5)
    assert spread(groups, "accuracy").difference == pytest.approx(0.2)


def test_default_reference_is_largest_judged_known_group() -> None:
    frame = pd.DataFrame(
        {
            "label": [1, 0] * 30,
            "pred": [1, 0] * 30,
            "score": [0.9, 0.1] * 30,
            "g": [None] * 30 + ["a"] * 20 + ["b"] * 10,
        }
    )
    groups = _groups(frame, ["g"], min_size=5)
    reference, rule = choose_reference(groups, {})
    assert reference is not None and reference.label == "a" and "largest" in rule
    tiny, why = choose_reference(_groups(frame, ["g"], min_size=50), {})
    assert tiny is None and "large enough" in why


def test_zero_reference_makes_ratio_undefined_not_infinite() -> None:
    frame = pd.DataFrame(
        {"label": [0, 0, 1, 0], "pred": [0, 0, 1, 1], "score": [0.1] * 4, "g": list("aabb")}
    )
    groups = _groups(frame, ["g"])
    a = next(g for g in groups if g.label == "a")
    b = next(g for g in groups if g.label == "b")
    result = compare(b, a, "selection_rate")
    assert result.difference == 1.0 and math.isnan(result.ratio)
    assert result.ratio_undefined == "the reference group's value is 0"
    assert compare(a, b, "auc").undefined == "only one class in this group"


def test_small_groups_take_no_part() -> None:
    frame = pd.DataFrame(
        {
            "label": [1, 0] * 20 + [1, 1],
            "pred": [1, 0] * 20 + [0, 0],
            "score": [0.5] * 42,
            "g": ["big"] * 40 + ["tiny"] * 2,
        }
    )
    result = spread(_groups(frame, ["g"], min_size=30), "selection_rate")
    assert result.groups == 1 and math.isnan(result.difference) and result.undefined


frames = st.integers(2, 60).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "label": st.lists(st.integers(0, 1), min_size=n, max_size=n),
            "pred": st.lists(st.integers(0, 1), min_size=n, max_size=n),
            "a": st.lists(st.sampled_from("xyz"), min_size=n, max_size=n),
            "b": st.lists(st.sampled_from("pq"), min_size=n, max_size=n),
        }
    )
)


@settings(max_examples=60, deadline=None)
@given(frames)
def test_random_inputs_match_fairlearn(data: dict[str, list[object]]) -> None:
    frame = pd.DataFrame(data)
    frame["score"] = 0.5
    _check_against_fairlearn(frame, ["a"])
    _check_against_fairlearn(frame, ["a", "b"])


def test_a_tie_names_two_groups() -> None:
    """Every group at 1: the spread said "(light 1, light 1)", one group for both ends."""
    frame = pd.DataFrame({"g": list("aabb"), "label": [1, 1, 1, 1], "pred": [1, 1, 1, 1],
                          "score": [0.9, 0.8, 0.7, 0.6]})  # fmt: skip
    result = spread(_groups(frame, ["g"]), "recall")
    assert (result.highest, result.lowest, result.difference) == ("a", "b", 0.0)
