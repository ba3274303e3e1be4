"""Train a 3-class working-hours model on UCI Adult and write its cardpress records.

Run from anywhere:  python examples/adult-income/train_hours.py
It records the run with cardpress.run (docs/logging.md), which writes runs/hours-band-1.json and
predictions/hours-band-1.parquet next to this file. The records are committed, so the example
builds without training.

The target is derived from the census column ``hours_per_week`` (and is not a model input):

- ``part-time``: fewer than 35 hours a week;
- ``full-time``: 35 to 45 hours a week, inclusive;
- ``long``: more than 45 hours a week.

``sex`` and ``race`` are the sensitive columns, evaluated and not used as inputs. To keep the
example's build fast the model trains on 8,000 rows sampled from ``adult.data`` and is evaluated
on 4,000 rows sampled from ``adult.test`` (seed 0); both samples are recorded as data sets
derived from their files.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import cardpress

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from train import CATEGORICAL, load, wilson  # noqa: E402  (the example's own loader)

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss"]  # hours are the target
SENSITIVE = ["sex", "race"]
CLASSES = ["part-time", "full-time", "long"]
TRAIN_ROWS, TEST_ROWS, SEED = 8_000, 4_000, 0
STARTED = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)  # fixed: the committed records reproduce


def band(hours: pd.Series) -> np.ndarray:
    """part-time < 35 ≤ full-time ≤ 45 < long."""
    return np.select([hours < 35, hours <= 45], ["part-time", "full-time"], "long")


def main() -> None:
    train_frame = load("adult.data").sample(TRAIN_ROWS, random_state=SEED).reset_index(drop=True)
    test_frame = load("adult.test").sample(TEST_ROWS, random_state=SEED).reset_index(drop=True)
    for frame in (train_frame, test_frame):
        frame["hours_band"] = band(frame["hours_per_week"])
    dense = OneHotEncoder(handle_unknown="ignore", min_frequency=20, sparse_output=False)
    features = ColumnTransformer([("num", "passthrough", NUMERIC), ("cat", dense, CATEGORICAL)])
    estimator = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.1, random_state=0)
    pipeline = Pipeline([("features", features), ("model", estimator)])
    ended = STARTED + timedelta(minutes=1)
    with cardpress.run(
        "hours-band", "1", records=HERE, run_id="adult-hours-band-v1",
        description="Gradient-boosted trees predicting a person's weekly working-hours band.",
        started=STARTED, clock=lambda: ended, packages=["numpy", "pandas", "scikit-learn"],
        overwrite=True,  # regenerates the committed records; a real pipeline logs a new version
    ) as run:  # fmt: skip
        run.estimator(estimator)
        run.dataset("adult-data", HERE / "data/adult.data", role="reference",
                    name="UCI Adult, training split")  # fmt: skip
        run.dataset("adult-test-file", HERE / "data/adult.test", role="reference",
                    name="UCI Adult, test split")  # fmt: skip
        run.dataset(
            "hours-train", train_frame, role="train",
            source=f"data/adult.data#sample-{TRAIN_ROWS}-seed-{SEED}",
            name=f"UCI Adult training split, {TRAIN_ROWS:,} rows sampled (seed {SEED})",
            derived_from=["adult-data"], rows=TRAIN_ROWS,
        )  # fmt: skip
        run.dataset(
            "hours-test", test_frame, role="evaluation",
            source=f"data/adult.test#sample-{TEST_ROWS}-seed-{SEED}",
            name=f"UCI Adult test split, {TEST_ROWS:,} rows sampled (seed {SEED})",
            derived_from=["adult-test-file"], rows=TEST_ROWS,
        )  # fmt: skip
        pipeline.fit(train_frame[NUMERIC + CATEGORICAL], train_frame["hours_band"])
        probabilities = pipeline.predict_proba(test_frame[NUMERIC + CATEGORICAL])
        learned = list(pipeline.classes_)
        scores = {name: probabilities[:, learned.index(name)] for name in CLASSES}
        truth = test_frame["hours_band"].to_numpy()
        pred = np.asarray(learned)[probabilities.argmax(axis=1)]
        out = pd.DataFrame({"row_id": np.arange(TEST_ROWS, dtype="int32"), "band": truth,
                            "pred": pred, "sex": test_frame["sex"].to_numpy(),
                            "race": test_frame["race"].to_numpy()})  # fmt: skip
        columns = {}
        for name in CLASSES:
            column = "p_" + name.replace("-", "_")
            out[column] = scores[name]
            columns[name] = column
        correct = int((truth == pred).sum())
        run.metric("accuracy", accuracy_score(truth, pred), dataset="hours-test",
                   ci=wilson(correct, TEST_ROWS))  # fmt: skip
        for average in ("macro", "weighted"):
            precision, recall, f1, _ = precision_recall_fscore_support(
                truth, pred, average=average, zero_division=np.nan
            )
            for key, value in (("precision", precision), ("recall", recall), ("f1", f1)):
                run.metric(f"{average}_{key}", value, dataset="hours-test")
        matrix = np.column_stack([scores[name] for name in learned])
        run.metric("roc_auc_ovr", roc_auc_score(truth, matrix, multi_class="ovr",
                                                labels=learned), dataset="hours-test")  # fmt: skip
        run.predictions(
            out, dataset="hours-test", id="row_id", y_true="band", y_pred="pred",
            y_score_by_class=columns, sensitive=SENSITIVE,
        )  # fmt: skip
    assert run.path is not None
    print(f"wrote {run.path.relative_to(HERE)}", file=sys.stderr)


if __name__ == "__main__":
    main()
