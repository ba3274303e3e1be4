"""Train two versions of an income classifier on UCI Adult and write their cardpress records.

Run from anywhere:  python examples/adult-income/train.py
It writes runs/income-classifier-<version>.json and predictions/income-classifier-<version>.parquet
next to this file. The records it wrote are committed, so the example builds without training.

Version 1: logistic regression on numeric and one-hot categorical features.
Version 2: histogram gradient boosting on the same features.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

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


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wilson(successes: int, n: int) -> dict[str, float | str]:
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return {"lower": centre - half, "upper": centre + half, "level": 0.95, "method": "Wilson score"}


def metrics_for(frame: pd.DataFrame, dataset: str, when: datetime) -> list[dict[str, object]]:
    y, pred, score = frame["label"], frame["pred"], frame["score"]
    stamp = when.isoformat().replace("+00:00", "Z")
    correct = int((y == pred).sum())
    rows: list[dict[str, object]] = [
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
    for row in rows:
        row.update({"dataset": dataset, "timestamp": stamp})
        row["value"] = float(row["value"])  # type: ignore[arg-type]
    return rows


def git_commit() -> tuple[str | None, bool | None]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--", "."],
                cwd=HERE,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        return None, None
    return commit, dirty


def train(
    version: str,
    train_frame: pd.DataFrame,
    test_frame: pd.DataFrame,
    code: tuple[str | None, bool | None],
) -> None:
    started = STARTED[version]
    model = model_for(version).fit(train_frame[NUMERIC + CATEGORICAL], train_frame["label"])
    scores = model.predict_proba(test_frame[NUMERIC + CATEGORICAL])[:, 1]
    out = pd.DataFrame({
        "row_id": np.arange(len(test_frame), dtype="int32"),
        "label": test_frame["label"].to_numpy(),
        "pred": (scores >= 0.5).astype("int8"),
        "score": scores.round(6),
        "sex": test_frame["sex"].to_numpy(), "race": test_frame["race"].to_numpy(),
    })  # fmt: skip
    predictions = HERE / "predictions" / f"income-classifier-{version}.parquet"
    predictions.parent.mkdir(exist_ok=True)
    out.to_parquet(predictions, index=False, compression="zstd")
    commit, dirty = code
    estimator = model.named_steps["model"]
    record = {
        "schema": "cardpress/run/1",
        "run_id": f"adult-income-v{version}",
        "model": {
            "name": "income-classifier",
            "version": version,
            "type": type(estimator).__name__,
        },
        "description": "Logistic regression baseline."
        if version == "1"
        else "Gradient-boosted trees on the same features.",
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "ended_at": (started + timedelta(minutes=2)).isoformat().replace("+00:00", "Z"),
        "status": "FINISHED",
        "code": {
            "repo_url": "examples/adult-income",
            "path": "train.py",
            "commit": commit or "unknown",
            "dirty": bool(dirty),
        },
        "params": {
            k: v
            for k, v in sorted(estimator.get_params().items())
            if isinstance(v, (int, float, str, bool)) or v is None
        },
        "datasets": [
            {
                "id": "adult-train",
                "name": "UCI Adult, training split",
                "role": "train",
                "uri": "data/adult.data",
                "sha256": sha256(HERE / "data/adult.data"),
                "rows": len(train_frame),
                "size_bytes": (HERE / "data/adult.data").stat().st_size,
                "description": (
                    "1994 US Census extract (Becker & Kohavi, 1996), CC BY 4.0. "
                    "Rows with missing values kept; '?' read as missing."
                ),
            },
            {
                "id": "adult-test",
                "name": "UCI Adult, test split",
                "role": "evaluation",
                "uri": "data/adult.test",
                "sha256": sha256(HERE / "data/adult.test"),
                "rows": len(test_frame),
                "size_bytes": (HERE / "data/adult.test").stat().st_size,
                "description": (
                    "The data set's own held-out test file; "
                    "labels end with a period in the raw file."
                ),
            },
        ],
        "metrics": metrics_for(out, "adult-test", started + timedelta(minutes=2)),
        "predictions": {
            "uri": f"predictions/{predictions.name}",
            "sha256": sha256(predictions),
            "dataset": "adult-test",
            "columns": {
                "id": "row_id",
                "y_true": "label",
                "y_pred": "pred",
                "y_score": "score",
                "sensitive": SENSITIVE,
            },
        },
        "environment": {
            "python": platform.python_version(),
            "packages": {
                name: metadata.version(name) for name in ("numpy", "pandas", "scikit-learn")
            },
        },
    }
    path = HERE / "runs" / f"income-classifier-{version}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(HERE)} and {predictions.relative_to(HERE)}", file=sys.stderr)


def main() -> None:
    train_frame, test_frame = load("adult.data"), load("adult.test")
    code = git_commit()  # before writing, so the records we write do not make the tree dirty
    for version in ("1", "2"):
        train(version, train_frame, test_frame, code)


if __name__ == "__main__":
    main()
