"""Write monitoring/income-classifier/: 90 days of production rows and their late labels.

The example has no real production traffic, so this script makes some, honestly labelled as
such: the 16,281 rows of the UCI test split (data/adult.test) are replayed in a fixed random
order over 90 days from 2026-06-10, about 180 a day. Version 1 serves the first 30 days and
version 2 the rest; each row's prediction and score are the ones that version recorded for
that row (predictions/income-classifier-<v>.parquet), so the accuracy per day is real.

Drift is injected, so the timeline has something to show: from day 45 on, ages are shifted up
by up to 8 years (growing linearly to day 90) and a growing share of rows (up to 15%) report a
workclass never seen before, "Gig-economy". Labels arrive late (an exponential delay with a
mean of 5 days) in labels/, keyed by prediction_id; rows whose label would arrive after the
last day stay unlabelled, as in production.

    python examples/adult-income/make_monitoring.py
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "monitoring" / "income-classifier"
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country", "income",
]  # fmt: skip
FEATURES = [
    "age", "education_num", "hours_per_week", "capital_gain", "workclass", "education",
    "marital_status", "occupation", "sex", "race",
]  # fmt: skip
START, DAYS, SWITCH, DRIFT_FROM = datetime(2026, 6, 10, tzinfo=UTC), 90, 30, 45


def rows() -> pd.DataFrame:
    frame = pd.read_csv(HERE / "data" / "adult.test", names=COLUMNS, skipinitialspace=True,
                        na_values="?", comment="|", header=None)  # fmt: skip
    frame["row_id"] = np.arange(len(frame))
    return frame


def main() -> None:
    rng = np.random.default_rng(20260610)
    frame = rows().iloc[rng.permutation(16281)].reset_index(drop=True)
    seconds = np.sort(rng.uniform(0, DAYS * 86400, len(frame)))
    frame["timestamp"] = [START + timedelta(seconds=float(s)) for s in seconds]
    day = (seconds // 86400).astype(int)
    frame["model_version"] = np.where(day < SWITCH, "1", "2")
    scored = {v: pd.read_parquet(HERE / "predictions" / f"income-classifier-{v}.parquet")
              .set_index("row_id") for v in ("1", "2")}  # fmt: skip
    for column, source in (("prediction", "pred"), ("score", "score"), ("truth", "label")):
        frame[column] = [scored[v].at[r, source] for v, r in zip(frame.model_version, frame.row_id,
                                                                  strict=True)]  # fmt: skip
    ramp = np.clip((day - DRIFT_FROM) / (DAYS - DRIFT_FROM), 0, 1)
    frame["age"] = frame["age"] + np.round(8 * ramp * rng.random(len(frame))).astype(int)
    gig = rng.random(len(frame)) < 0.15 * ramp
    frame.loc[gig, "workclass"] = "Gig-economy"
    frame["prediction_id"] = [f"p{i:06d}" for i in range(len(frame))]
    delay = rng.exponential(5 * 86400, len(frame))
    arrived = seconds + delay
    known = arrived < DAYS * 86400
    labels = pd.DataFrame({
        "prediction_id": frame.prediction_id[known],
        "label": frame.truth[known].astype("int8"),
        "label_timestamp": [START + timedelta(seconds=float(s)) for s in arrived[known]],
    })  # fmt: skip
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "labels").mkdir(parents=True)
    columns = ["timestamp", "prediction_id", "model_version", *FEATURES, "prediction", "score"]
    month = frame.timestamp.map(lambda t: t.strftime("%Y-%m"))
    for name, part in frame.groupby(month):  # one file a month, as a daily export would append
        part[columns].to_parquet(OUT / f"{name}.parquet", index=False)
    labels.to_parquet(OUT / "labels" / "labels.parquet", index=False)


if __name__ == "__main__":
    main()
