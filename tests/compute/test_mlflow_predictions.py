"""The record's ``predictions.dataset`` from the run tag ``cardpress.predictions.dataset``."""

from __future__ import annotations

from cardpress.compute.mlflow.predictions import Prediction, predictions_record
from cardpress.readers.mlflow.store import StoreDataset, StoreRun, StoreVersion

WHERE = "adult-clf version 1 (run r1)"


def _version(tag: str) -> StoreVersion:
    # two inputs under one name (MLflow's default name is "dataset"): train and test
    train = StoreDataset("adult", "1111aaaa", "local", "{}", None, None, "training")
    test = StoreDataset("adult", "2222bbbb", "local", "{}", None, None, "testing")
    tags = {"cardpress.predictions.dataset": tag,
            "cardpress.predictions.columns": '{"y_true": "label", "y_pred": "pred"}'}  # fmt: skip
    run = StoreRun("r1", 0, None, "FINISHED", {}, [], tags, [train, test])
    return StoreVersion("adult-clf", "1", "models:/m-1", run)


def _record(tag: str) -> tuple[str | None, list[str]]:
    prediction = Prediction("predictions/adult-clf-1.parquet", "0" * 64, ["label", "pred"])
    out = predictions_record(_version(tag), ["adult", "adult-2"], "adult-2", prediction, WHERE)
    return (out.record or {}).get("dataset"), out.problems


def test_a_dataset_name_two_inputs_share_is_refused_listing_what_to_use() -> None:
    _, problems = _record("adult")
    assert problems == [
        f"{WHERE}: tag cardpress.predictions.dataset='adult' names 2 dataset inputs of the run "
        "(adult: context training, MLflow digest 1111aaaa; adult-2: context testing, MLflow digest "
        "2222bbbb)"
        " — set the tag to the MLflow digest of the one the predictions were made on, or to its "
        "id when the id is not the shared name"
    ]


def test_an_id_or_a_digest_picks_one_of_them() -> None:
    assert _record("adult-2") == ("adult-2", [])
    assert _record("1111aaaa") == ("adult", [])
    assert _record("2222bbbb") == ("adult-2", [])
