"""Train two versions of an income classifier on UCI Adult and write their cardpress records.

Run from anywhere:  python examples/adult-income/train.py
It records each run with cardpress.run (docs/logging.md), which writes
runs/income-classifier-<version>.json and predictions/income-classifier-<version>.parquet next to
this file. The records it wrote are committed, so the example builds without training.

Version 1: logistic regression on numeric and one-hot categorical features.
Version 2: histogram gradient boosting on the same features.
"""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import cardpress

HERE = Path(__file__).resolve().parent
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country", "income",
]  # fmt: skip
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "marital_status", "occupation", "relationship", "native_country"]
SENSITIVE = ["sex", "race"]  # evaluated, deliberately not used as model inputs
Z95 = 1.959963984540054
# Fixed times keep the committed records reproducible; a real pipeline records the clock.
STARTED = {
    "1": datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
    "2": datetime(2026, 6, 3, 9, 30, tzinfo=UTC),
}
DESCRIPTIONS = {
    "1": "Logistic regression baseline.",
    "2": "Gradient-boosted trees on the same features.",
}


def load(name: str) -> pd.DataFrame:
    frame = pd.read_csv(
        HERE / "data" / name, names=COLUMNS, skipinitialspace=True, na_values="?",
        comment="|", header=None,
    )  # fmt: skip
    frame["label"] = frame["income"].str.rstrip(".").eq(">50K").astype("int8")
    return frame.drop(columns="income")


def model_for(version: str) -> Pipeline:
    categorical = OneHotEncoder(handle_unknown="ignore", min_frequency=20)
    if version == "1":
        features = ColumnTransformer(
            [("num", StandardScaler(), NUMERIC), ("cat", categorical, CATEGORICAL)]
        )
        estimator = LogisticRegression(C=1.0, max_iter=2000)
    else:
        dense = OneHotEncoder(handle_unknown="ignore", min_frequency=20, sparse_output=False)
        features = ColumnTransformer([("num", "passthrough", NUMERIC), ("cat", dense, CATEGORICAL)])
        estimator = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, random_state=0)
    return Pipeline([("features", features), ("model", estimator)])


def wilson(successes: int, n: int) -> dict[str, float | str]:
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return {"lower": centre - half, "upper": centre + half, "level": 0.95, "method": "Wilson score"}


def metrics_for(frame: pd.DataFrame) -> list[dict[str, Any]]:
    y, pred, score = frame["label"], frame["pred"], frame["score"]
    correct = int((y == pred).sum())
    rows: list[dict[str, Any]] = [
        {
            "key": "accuracy",
            "value": accuracy_score(y, pred),
            "ci": wilson(correct, len(y)),
            "threshold": 0.5,
        },
        {"key": "precision", "value": precision_score(y, pred), "threshold": 0.5},
        {"key": "recall", "value": recall_score(y, pred), "threshold": 0.5},
        {"key": "f1", "value": f1_score(y, pred), "threshold": 0.5},
        {"key": "roc_auc", "value": roc_auc_score(y, score)},
    ]
    for column in SENSITIVE:
        for group, part in frame.groupby(column, sort=True):
            selected = int(part["pred"].sum())
            hits = int((part["label"] == part["pred"]).sum())
            rows.append(
                {
                    "key": "accuracy",
                    "value": hits / len(part),
                    "ci": wilson(hits, len(part)),
                    "slice": {column: str(group)},
                }
            )
            rows.append(
                {
                    "key": "selection_rate",
                    "value": selected / len(part),
                    "ci": wilson(selected, len(part)),
                    "slice": {column: str(group)},
                }
            )
    return rows


def train(version: str, train_frame: pd.DataFrame, test_frame: pd.DataFrame) -> None:
    pipeline = model_for(version)
    estimator = pipeline.named_steps["model"]
    ended = STARTED[version] + timedelta(minutes=2)
    with cardpress.run(
        "income-classifier",
        version,
        records=HERE,
        run_id=f"adult-income-v{version}",
        description=DESCRIPTIONS[version],
        started=STARTED[version],
        clock=lambda: ended,  # a real pipeline leaves this out and records the clock
        packages=["numpy", "pandas", "scikit-learn"],
        overwrite=True,  # regenerates the committed records; a real pipeline logs a new version
    ) as run:
        run.estimator(estimator)  # class, library, parameters and the class's defaults
        run.dataset(
            "adult-train", HERE / "data/adult.data", role="train",
            name="UCI Adult, training split", rows=len(train_frame),  # no header row to skip
            description=(
                "1994 US Census extract (Becker & Kohavi, 1996), CC BY 4.0. "
                "Rows with missing values kept; '?' read as missing."
            ),
        )  # fmt: skip
        run.dataset(
            "adult-test", HERE / "data/adult.test", role="evaluation",
            name="UCI Adult, test split", rows=len(test_frame),  # its first line is a comment
            description=(
                "The data set's own held-out test file; labels end with a period in the raw file."
            ),
        )  # fmt: skip
        pipeline.fit(train_frame[NUMERIC + CATEGORICAL], train_frame["label"])
        scores = pipeline.predict_proba(test_frame[NUMERIC + CATEGORICAL])[:, 1]
        out = pd.DataFrame({
            "row_id": np.arange(len(test_frame), dtype="int32"),
            "label": test_frame["label"].to_numpy(),
            "pred": (scores >= 0.5).astype("int8"),
            "score": scores.round(6),
            "sex": test_frame["sex"].to_numpy(), "race": test_frame["race"].to_numpy(),
        })  # fmt: skip
        for metric in metrics_for(out):
            run.metric(**metric, dataset="adult-test")
        run.predictions(
            out, dataset="adult-test", id="row_id", y_true="label", y_pred="pred",
            y_score="score", sensitive=SENSITIVE,
        )  # fmt: skip
    assert run.path is not None
    print(f"wrote {run.path.relative_to(HERE)}", file=sys.stderr)


def main() -> None:
    train_frame, test_frame = load("adult.data"), load("adult.test")
    for version in ("1", "2"):
        train(version, train_frame, test_frame)


if __name__ == "__main__":
    main()
