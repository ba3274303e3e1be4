"""The fairness page's calibration, threshold and sample-weight sections, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, recall_score, roc_auc_score

from cardpress import build
from tests.conftest import EXAMPLE
from tests.functional.test_fairness_input import _write_predictions
from tests.functional.test_fairness_page import _page


def test_example_page_shows_calibration_by_group_matching_sklearn(example_site: Path) -> None:
    frame = pd.read_parquet(EXAMPLE / "predictions" / "income-classifier-2.parquet")
    page = _page(example_site)
    by_sex = next(g for g in page["groupings"] if g["name"] == "sex")
    for row in by_sex["scored"]["groups"]:
        part = frame[frame["sex"] == row["label"]]
        observed, predicted = calibration_curve(part["label"], part["score"], n_bins=10)
        bins = row["calibration"]["bins"]
        assert [b["observed"] for b in bins] == pytest.approx(observed, abs=1e-9)
        assert [b["mean_score"] for b in bins] == pytest.approx(predicted, abs=1e-9)
        brier = row["calibration"]["brier"]
        assert brier["value"] == pytest.approx(brier_score_loss(part["label"], part["score"]))
        assert brier["lower"] < brier["value"] < brier["upper"]
        curves = row["curves"]
        at_half = page["thresholds"].index(0.5)
        assert curves["recall"][at_half] == pytest.approx(
            recall_score(part["label"], part["score"] >= 0.5), abs=1e-9
        )
    spread = by_sex["scored"]["ece_spread"]
    eces = {r["label"]: r["calibration"]["ece"]["value"] for r in by_sex["scored"]["groups"]}
    assert spread["difference"] == pytest.approx(max(eces.values()) - min(eces.values()))
    assert page["deployed_threshold"]["value"] == 0.5
    assert page["deployed_threshold"]["source"] == "inferred"
    html = (example_site / "models/income-classifier/v/2/fairness/index.html").read_text()
    for text in ("Calibration within groups", "Rates across thresholds", "Kleinberg",
                 'id="by-sex-calibration-caption"', 'id="by-sex-race-thresholds-caption"',
                 "ECE difference (calibration)"):  # fmt: skip
        assert text in html, text


def _weighted_project(records: Path, threshold: float | None) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 400
    frame = pd.DataFrame({"id": range(n), "group": rng.choice(["a", "b"], n)})
    frame["p"] = rng.random(n).round(3)
    frame["y"] = (rng.random(n) < frame["p"]).astype(int)
    frame["yhat"] = (frame["p"] >= 0.5).astype(int)
    frame["w"] = rng.gamma(2.0, 1.0, n).round(4)
    _write_predictions(records, frame[["id", "y", "yhat", "p", "group", "w"]].to_csv(index=False))
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["columns"]["weight"] = "w"
    if threshold is not None:
        run["predictions"]["threshold"] = threshold
    run_path.write_text(json.dumps(run, indent=2))
    return frame


def test_weighted_page_counts_effective_n_and_matches_fairlearn(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    frame = _weighted_project(records, threshold=0.6)
    build(records, tmp_path / "out", source_date_epoch=0)
    folder = tmp_path / "out/models/churn/v/1/fairness"
    page = json.loads((folder / "index.json").read_text())
    assert page["weighted"] and page["predictions"]["weight"] == "w"
    expected = MetricFrame(
        metrics={"selection_rate": selection_rate}, y_true=frame["y"], y_pred=frame["yhat"],
        sensitive_features=frame["group"],
        sample_params={"selection_rate": {"sample_weight": frame["w"]}},
    ).by_group  # fmt: skip
    for group in page["groupings"][0]["groups"]:
        part = frame[frame["group"] == group["label"]]
        assert group["count"] == pytest.approx(part["w"].sum(), abs=1e-9)
        assert group["rows"] == len(part)
        effective = part["w"].sum() ** 2 / (part["w"] ** 2).sum()
        assert group["effective_n"] == pytest.approx(effective, abs=1e-9)
        rate = group["metrics"]["selection_rate"]
        assert rate["value"] == pytest.approx(expected.loc[group["label"], "selection_rate"])
        assert rate["effective_trials"] == pytest.approx(effective, abs=1e-9)
        auc = roc_auc_score(part["y"], part["p"], sample_weight=part["w"])
        assert group["metrics"]["auc"]["value"] == pytest.approx(auc, abs=1e-9)
    html = (folder / "index.html").read_text()  # the impact tables' counts are Σw: said so
    assert '<th scope="col">Σw</th><th scope="col">Share</th><th scope="col">Selected (Σw)' in html
    scored = page["groupings"][0]["scored"]["groups"][0]
    part = frame[frame["group"] == scored["label"]]
    brier = brier_score_loss(part["y"], part["p"], sample_weight=part["w"])
    assert scored["calibration"]["brier"]["value"] == pytest.approx(brier, abs=1e-9)
    deployed = page["deployed_threshold"]
    assert (deployed["value"], deployed["source"]) == (0.6, "declared")
    assert deployed["disagreeing"] == int(((frame["p"] >= 0.6) != (frame["yhat"] == 1)).sum())
    html = (folder / "index.html").read_text()
    assert "Sample weights</dt>" in html and "n<sub>eff</sub>" in html
    assert "declared in the run record (predictions.threshold)" in html


def test_calibration_and_threshold_csvs_hold_the_page_numbers(example_site: Path) -> None:
    folder = example_site / "models/income-classifier/v/2/fairness"
    page = _page(example_site)
    calibration = pd.read_csv(folder / "calibration.csv")
    thresholds = pd.read_csv(folder / "thresholds.csv")
    by_sex = next(g for g in page["groupings"] if g["name"] == "sex")
    female = next(g for g in by_sex["scored"]["groups"] if g["label"] == "Female")
    rows = calibration[(calibration["grouping"] == "sex") & (calibration["group"] == "Female")]
    ece = rows[rows["measure"] == "ece"].iloc[0]
    assert ece["value"] == female["calibration"]["ece"]["value"]  # full precision
    bins = rows[rows["measure"] == "bin"]
    assert bins["value"].tolist() == [b["observed"] for b in female["calibration"]["bins"]]
    curve = thresholds[(thresholds["grouping"] == "sex") & (thresholds["group"] == "Female")]
    assert curve["tpr"].tolist() == female["curves"]["recall"]
    assert curve["threshold"].tolist() == page["thresholds"]
    assert (calibration["group"] == "all rows").any()
    manifest = json.loads((example_site / "manifest.json").read_text())
    files = manifest["versions"]["income-classifier@2"]["files"]
    assert "models/income-classifier/v/2/fairness/thresholds.csv" in files
