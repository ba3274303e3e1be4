"""Train a regression model on scikit-learn's diabetes data and write its cardpress records.

Run from anywhere:  python examples/adult-income/train_diabetes.py
It records the run with cardpress.run (docs/logging.md), which writes
runs/diabetes-progression-1.json and predictions/diabetes-progression-1.parquet next to this
file; models/diabetes-progression/card.md is written by hand. The records are committed, so the
example builds without training.

The data: ``sklearn.datasets.load_diabetes`` (442 patients, 10 baseline measurements, and a
quantitative measure of disease progression one year later; Efron et al., 2004). It ships with
scikit-learn: nothing is downloaded.

Sensitive columns, derived and documented here:
- ``sex``: the data codes sex as 1 or 2 (``scaled=False``) and does not say which is which, so
  the groups are named by their code, ``sex 1`` and ``sex 2``, rather than guessed.
- ``age_band``: age in years cut at 50, ``under 50`` and ``50 and over``.
Neither is given to the model as an input.

The run record does not set ``model.task``: cardpress infers ``regression`` from the predictions
(numbers that are not all whole numbers; docs/fairness.md).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

import cardpress

HERE = Path(__file__).resolve().parent
MODEL = "diabetes-progression"
FEATURES = ["bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]  # sex and age left out
STARTED = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # fixed: the committed records reproduce


def load() -> pd.DataFrame:
    frame: pd.DataFrame = load_diabetes(as_frame=True, scaled=False).frame
    frame["sex"] = "sex " + frame["sex"].astype(int).astype(str)  # codes 1 and 2, as documented
    frame["age_band"] = np.where(frame["age"] < 50, "under 50", "50 and over")
    return frame


def main() -> None:
    frame = load()
    # 60% for evaluation (266 patients), so that every group has at least the example's
    # min_group_size of 100 and is judged
    train, test = train_test_split(frame, test_size=0.6, random_state=0)
    model = Ridge(alpha=1.0)
    ended = STARTED + timedelta(minutes=1)
    with cardpress.run(
        MODEL, "1", records=HERE, run_id="diabetes-progression-v1", started=STARTED,
        description="Ridge regression on eight baseline measurements.",
        clock=lambda: ended, packages=["numpy", "pandas", "scikit-learn"], overwrite=True,
    ) as run:  # fmt: skip
        run.estimator(model)
        source = "sklearn.datasets.load_diabetes(scaled=False)"
        run.dataset("diabetes-train", train, role="train", source=source,
                    name="Diabetes, training split", rows=len(train))  # fmt: skip
        run.dataset(
            "diabetes-test", test, role="evaluation", source=source, rows=len(test),
            name="Diabetes, evaluation split",
            description="train_test_split(test_size=0.6, random_state=0) of the 442 patients.",
        )  # fmt: skip
        model.fit(train[FEATURES], train["target"])
        predicted = model.predict(test[FEATURES])
        out = pd.DataFrame({
            "row_id": np.arange(len(test), dtype="int32"),
            "progression": test["target"].to_numpy(),
            "predicted": predicted.round(4),
            "sex": test["sex"].to_numpy(), "age_band": test["age_band"].to_numpy(),
        })  # fmt: skip
        y, p = out["progression"], out["predicted"]
        run.metric("mae", mean_absolute_error(y, p), dataset="diabetes-test")
        run.metric("rmse", mean_squared_error(y, p) ** 0.5, dataset="diabetes-test")
        run.metric("r2", r2_score(y, p), dataset="diabetes-test")
        run.predictions(
            out, dataset="diabetes-test", id="row_id", y_true="progression", y_pred="predicted",
            sensitive=["sex", "age_band"],
        )  # fmt: skip
    assert run.path is not None
    print(f"wrote {run.path.relative_to(HERE)}", file=sys.stderr)


if __name__ == "__main__":
    main()
