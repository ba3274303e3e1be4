"""The record's ``predictions`` from a predictions table found in a run's artifacts.

A table named by the run tag ``cardpress.predictions`` that cannot be mapped stops the import
(the user asked for it); one found without a tag (a ``[mlflow] predictions`` pattern, the table
``mlflow.evaluate`` logged) is left out with a warning instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from cardpress.compute.mlflow.datasets import parse_json
from cardpress.readers.mlflow.store import StoreVersion

PREDICTIONS_TAG = "cardpress.predictions"
COLUMNS_TAG = "cardpress.predictions.columns"
DATASET_TAG = "cardpress.predictions.dataset"
POSITIVE_TAG = "cardpress.predictions.positive_label"
_GUESSES = {
    "y_true": ("y_true", "label", "target", "true", "actual"),
    # "outputs" is the predictions column mlflow.evaluate writes when none is named
    "y_pred": ("y_pred", "pred", "prediction", "predicted", "predictions", "outputs"),
    "y_score": ("y_score", "score", "proba", "probability"),
    "id": ("id", "row_id"),
}


@dataclass(frozen=True)
class Prediction:
    """The predictions file as copied into the records folder, and how it was found."""

    uri: str
    sha256: str
    columns: list[str]
    artifact: str = ""
    found_by: str | None = None  # None: named by the run tag; else the pattern or evaluate table


@dataclass
class Outcome:
    """The ``predictions`` object (None when left out), and what stopped or was left out."""

    record: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def predictions_record(
    version: StoreVersion, ids: list[str], default: str, prediction: Prediction, where: str
) -> Outcome:
    """``predictions`` of the record; ``ids[i]`` is the id of the run's i-th dataset input."""
    tags = version.run.tags
    out = Outcome({"uri": prediction.uri, "sha256": prediction.sha256, "dataset": default})
    assert out.record is not None
    problems: list[str] = []
    wanted = tags.get(DATASET_TAG)
    if wanted:
        found, problem = _tagged_dataset(version, ids, wanted, where)
        if found is not None:
            out.record["dataset"] = found
        problems += [problem] if problem else []
    if POSITIVE_TAG in tags:
        label = parse_json(tags[POSITIVE_TAG])
        out.record["positive_label"] = (
            label if isinstance(label, str | int | bool) else tags[POSITIVE_TAG]
        )
    out.record["columns"] = _columns(tags.get(COLUMNS_TAG), prediction.columns, where, problems)
    if prediction.found_by is None or not problems:
        out.problems = problems
        return out
    shown = "; ".join(p.removeprefix(f"{where}: ") for p in problems)
    out.warnings.append(f"{where}: predictions {prediction.artifact!r} ({prediction.found_by}) "
                        f"left out: {shown}")  # fmt: skip
    return Outcome(None, [], out.warnings)


def _tagged_dataset(
    version: StoreVersion, ids: list[str], wanted: str, where: str
) -> tuple[str | None, str | None]:
    """The id the tag names (a dataset id, name or MLflow digest), or the problem saying why not.

    Inputs may share a name (MLflow names every dataset ``dataset`` unless told): such a name
    is never resolved to one of them, since training data taken for test data goes unseen.
    """
    inputs = list(zip(version.run.datasets, ids, strict=True))
    named = [(d, i) for d, i in inputs if d.name == wanted]
    if len(named) > 1:
        shown = "; ".join(f"{i}: context {d.context or 'none'}, MLflow digest {d.digest}"
                          for d, i in named)  # fmt: skip
        return None, (
            f"{where}: tag {DATASET_TAG}={wanted!r} names {len(named)} dataset inputs of the run "
            f"({shown}) — set the tag to the MLflow digest of the one the predictions were made "
            "on, or to its id when the id is not the shared name"
        )
    for matches in ([i for i in ids if i == wanted], [i for _, i in named],
                    [i for d, i in inputs if d.digest == wanted]):  # fmt: skip
        if len(matches) == 1:
            return matches[0], None
    known = ", ".join(sorted(d.name for d in version.run.datasets))
    problem = f"{where}: tag {DATASET_TAG}={wanted!r} names no dataset input of the run"
    return None, f"{problem} — use one of: {known}"


def _columns(
    tag: str | None, present: list[str], where: str, problems: list[str]
) -> dict[str, Any]:
    if tag is not None:
        given = parse_json(tag)
        if isinstance(given, dict):
            return given
        problems.append(
            f"{where}: tag {COLUMNS_TAG} is not a JSON object — write e.g. "
            '{"y_true": "label", "y_pred": "pred", "sensitive": ["sex"]}'
        )
        return {}
    lower = {name.lower(): name for name in present}
    columns: dict[str, Any] = {}
    for role, guesses in _GUESSES.items():
        found = next((lower[g] for g in guesses if g in lower), None)
        if found is not None:
            columns[role] = found
    if "y_true" not in columns or "y_pred" not in columns:
        problems.append(
            f"{where}: cannot tell the true-label and predicted-label columns of the predictions "
            f"(columns: {', '.join(present)}) — set the run tag {COLUMNS_TAG} to e.g. "
            '{"y_true": "label", "y_pred": "pred"}'
        )
    return columns


def predictions_name(version: StoreVersion, artifact: str) -> str:
    """Where the predictions go in the records folder: ``predictions/<model>-<version>.<ext>``."""
    suffix = PurePosixPath(artifact).suffix.lower()
    return f"predictions/{version.model}-{version.version}{suffix}"
