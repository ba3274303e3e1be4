"""``cardpress.run``: record a training run as a ``cardpress/run/1`` record, without a tracker."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from cardpress.errors import ArgumentError
from cardpress.recorder import arguments as a
from cardpress.recorder.entries import (
    artifact_entry,
    check_columns,
    check_references,
    dataset_entry,
    metric_entry,
    stage_predictions,
)
from cardpress.recorder.environment import (
    code_fields,
    package_versions,
    platform_name,
    python_version,
)
from cardpress.recorder.estimator import describe
from cardpress.recorder.hashing import file_sha256
from cardpress.recorder.writing import Staged, write_record

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class RunRecorder:
    """One training run being recorded; written by :meth:`finish`, or when its ``with`` ends.

    Create it with :func:`cardpress.run`. An exception inside the ``with`` block discards the
    run: no record and no predictions file are written.
    """

    def __init__(
        self,
        model: str,
        version: str,
        records: str | Path,
        *,
        run_id: str | None = None,
        model_type: str | None = None,
        description: str | None = None,
        started: datetime | str | None = None,
        ended: datetime | str | None = None,
        clock: Clock | None = None,
        code: bool | Mapping[str, Any] = True,
        script: str | Path | None = None,
        packages: Iterable[str] | None = None,
        overwrite: bool = False,
    ) -> None:
        self.model = a.check_name("model", model)
        self.version = a.check_name("version", version)
        if isinstance(records, str | Path) and Path(records).exists():
            if not Path(records).is_dir():
                raise ArgumentError(f"records: {str(records)!r} is not a folder — give the "
                                    "records folder (it holds runs/ and predictions/)")  # fmt: skip
        elif not isinstance(records, str | Path):
            raise ArgumentError(f"records: {records!r} is not a path — give the records folder")
        self.root = Path(records).resolve()
        self._clock: Clock = clock if clock is not None else _now
        self.started = a.check_time("started", started if started is not None else self._clock())
        self._ended = a.check_time("ended", ended) if ended is not None else None
        self._head: dict[str, Any] = {
            "run_id": run_id if run_id is not None else self._default_run_id(),
            "model_type": model_type,
            "description": description,
        }
        if not isinstance(self._head["run_id"], str) or not self._head["run_id"]:
            raise ArgumentError(f"run_id: {run_id!r} is not a non-empty string — pass one, or "
                                "leave it out for '<model>-<version>-<start time>'")  # fmt: skip
        self._code = code_fields(code, script, self.root)
        # named packages are checked now; the default (imported ones) is read when writing
        self._packages = package_versions(packages) if packages is not None else None
        self._overwrite = overwrite
        self._params: dict[str, a.Scalar] = {}
        self._library: str | None = None
        self._defaults: dict[str, a.Scalar] = {}
        self._datasets: list[dict[str, Any]] = []
        self._metrics: list[dict[str, Any]] = []
        self._predictions: dict[str, Any] | None = None
        self._staged: Staged | None = None
        self._artifacts: list[dict[str, Any]] = []
        self.path: Path | None = None
        self._done = False

    def _default_run_id(self) -> str:
        return f"{self.model}-{self.version}-{self.started.astimezone(UTC):%Y%m%dT%H%M%SZ}"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.discard()
        elif not self._done:
            self.finish()

    def param(self, name: str, value: Any) -> None:
        """Record one hyper-parameter or setting: a string, finite number, bool or None."""
        self._open()
        key = a.check_key("param name", name)
        self._params[key] = a.check_scalar(f"param {key!r}", value)

    def estimator(self, estimator: Any) -> None:
        """Record the algorithm: class, library, parameters and the class's defaults.

        For any object with scikit-learn's ``get_params()``; the card shows the class and the
        library's version, and folds away parameters still at their default.
        """
        self._open()
        facts = describe(estimator)
        self._head["model_type"] = facts.type
        self._library, self._defaults = facts.library, facts.defaults
        self.params(facts.params)

    def params(self, values: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        """Record several parameters: ``run.params({"C": 1.0})`` or ``run.params(C=1.0)``."""
        for name, value in {**a.check_mapping("params", values), **more}.items():
            self.param(name, value)

    def dataset(
        self,
        id: str,
        data: Any,
        *,
        role: str,
        source: str | None = None,
        name: str | None = None,
        description: str | None = None,
        rows: int | None = None,
        columns: Iterable[Mapping[str, str]] | None = None,
        derived_from: Iterable[str] | None = None,
        other_digests: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Record a data set the run read: a file path or a pandas DataFrame.

        Files are hashed (sha256 of their bytes) and their rows counted; a DataFrame is hashed
        in its canonical form and needs ``source=``. ``source`` overrides the recorded ``uri``
        (default: the path relative to the records folder, or a ``file://`` URI outside it).

        Returns:
            The ``datasets[]`` entry as it will be written.
        """
        self._open()
        if any(d["id"] == id for d in self._datasets):
            raise ArgumentError(f"dataset id {id!r} is logged twice — give each data set of "
                                "a run its own id")  # fmt: skip
        entry = dataset_entry(
            self.root, id, data, role=role, source=source, name=name, description=description,
            rows=rows, columns=columns, derived_from=derived_from, other_digests=other_digests,
        )  # fmt: skip
        self._datasets.append(entry)
        return entry

    def metric(
        self,
        key: str,
        value: Any,
        *,
        dataset: str,
        slice: Mapping[str, Any] | None = None,
        ci: Any = None,
        threshold: Any = None,
        step: int | None = None,
        timestamp: datetime | str | None = None,
        description: str | None = None,
    ) -> None:
        """Record a measured result on a logged data set (``dataset`` is its id).

        ``ci`` is ``(lower, upper)`` or a dict with ``lower``, ``upper``, ``level`` and
        ``method``; ``slice`` the group of a disaggregated result, e.g. ``{"sex": "Female"}``.
        ``timestamp`` defaults to the clock's time now.
        """
        self._open()
        when = a.check_time(f"metric {key!r}: timestamp",
                            timestamp if timestamp is not None else self._clock())  # fmt: skip
        entry = metric_entry(
            key, value, dataset=dataset, slice=slice, ci=ci, threshold=threshold, step=step,
            timestamp=a.iso(when), description=description,
        )  # fmt: skip
        self._metrics.append(entry)

    def predictions(
        self,
        data: Any,
        *,
        dataset: str,
        y_true: str = "y_true",
        y_pred: str = "y_pred",
        y_score: str | None = None,
        id: str | None = None,
        sensitive: Iterable[str] = (),
        positive_label: str | int | bool | None = None,
        y_score_by_class: Mapping[Any, str] | None = None,
        weight: str | None = None,
        threshold: float | None = None,
    ) -> None:
        """Record the evaluation predictions on data set ``dataset``: a DataFrame or a file.

        A multiclass model names each class's probability column in ``y_score_by_class``
        (class label -> column; the labels are written as text). ``weight`` names a column of
        sample weights (numbers >= 0); ``threshold`` is the deployed decision threshold
        (``y_pred`` positive when ``y_score >= threshold``).

        A DataFrame is written to ``predictions/<model>-<version>.parquet`` (pyarrow, no index,
        zstd); a file outside the records folder is copied there with its own extension. Both
        appear only when the run is written.
        """
        self._open()
        if self._predictions is not None:
            raise ArgumentError("predictions: already logged for this run — a run record has "
                                "one predictions file; log it once")  # fmt: skip
        if isinstance(sensitive, str):
            sensitive = [sensitive]
        declared = _threshold(threshold) if threshold is not None else None
        columns: dict[str, Any] = {
            "id": id,
            "y_true": y_true,
            "y_pred": y_pred,
            "y_score": y_score,
            "sensitive": list(sensitive) or None,
            "y_score_by_class": (
                {str(k): str(v) for k, v in y_score_by_class.items()} if y_score_by_class else None
            ),
            "weight": weight,
        }
        columns = {k: v for k, v in columns.items() if v is not None}
        final = self.root / "predictions" / f"{self.model}-{self.version}.parquet"
        uri, staged = stage_predictions(self.root, data, final)
        file = staged.temporary if staged is not None else self.root / uri
        try:
            check_columns(file, columns)
        except ArgumentError:
            if staged is not None:
                staged.discard()
            raise
        entry: dict[str, Any] = {"uri": uri, "sha256": file_sha256(file), "dataset": dataset}
        if positive_label is not None:
            entry["positive_label"] = a.check_scalar("positive_label", positive_label)
        if declared is not None:
            entry["threshold"] = declared
        entry["columns"] = columns
        self._predictions, self._staged = entry, staged

    def artifact(self, path: str | Path, *, kind: str | None = None) -> None:
        """Record a file the run produced (a model file, a plot): its location, hash and size."""
        self._open()
        self._artifacts.append(artifact_entry(self.root, path, kind))

    @property
    def record(self) -> dict[str, Any]:
        """The run record as it would be written now (ended_at: the clock's time)."""
        ended = self._ended if self._ended is not None else self._clock()
        document: dict[str, Any] = {
            "schema": "cardpress/run/1",
            "run_id": self._head["run_id"],
            "model": {"name": self.model, "version": self.version},
        }
        if self._head["model_type"] is not None:
            document["model"]["type"] = str(self._head["model_type"])
        if self._library is not None:
            document["model"]["library"] = self._library
        if self._defaults:
            document["model"]["defaults"] = dict(self._defaults)
        if self._head["description"] is not None:
            document["description"] = str(self._head["description"])
        document |= {"started_at": a.iso(self.started), "ended_at": a.iso(ended)}
        document["status"] = "FINISHED"
        if self._code:
            document["code"] = dict(self._code)
        if self._params:
            document["params"] = dict(self._params)
        document |= {"datasets": list(self._datasets), "metrics": list(self._metrics)}
        if self._predictions is not None:
            document["predictions"] = self._predictions
        if self._artifacts:
            document["artifacts"] = list(self._artifacts)
        environment: dict[str, Any] = {"python": python_version(), "platform": platform_name()}
        packages = self._packages if self._packages is not None else package_versions(None)
        if packages:
            environment["packages"] = packages
        document["environment"] = environment
        return document

    def finish(self) -> Path:
        """Check and write the record; return its path. Called by the ``with`` block's end.

        Raises:
            ArgumentError: no data set was logged, or a metric names one that was not.
            RecordsError: the record would not be valid; nothing was written.
            RecordExistsError: a different record of this version exists and ``overwrite`` was
                not set; nothing was written.
        """
        self._open()
        try:
            document = self.record
            check_references(document)
            ended = self._ended if self._ended is not None else None
            if ended is not None and ended < self.started:
                raise ArgumentError(f"ended: {a.iso(ended)} is before started "
                                    f"{a.iso(self.started)} — check the two times")  # fmt: skip
            self.path = write_record(self.root, document, self._staged, overwrite=self._overwrite)
        except BaseException:
            self.discard()
            raise
        self._done = True
        return self.path

    def discard(self) -> None:
        """Give up the run: write nothing and remove any predictions file staged for it."""
        if self._staged is not None:
            self._staged.discard()
        self._done = True

    def _open(self) -> None:
        if self._done:
            raise ArgumentError(f"run {self.model}@{self.version} is already written or "
                                "discarded — start a new cardpress.run(...)")  # fmt: skip


def _threshold(value: Any) -> float:
    """A decision threshold: a number from 0 to 1."""
    number = a.check_number("predictions: threshold", value)
    if not 0 <= number <= 1:
        raise ArgumentError(f"predictions: threshold {number!r} is outside [0, 1] — give the "
                            "score at or above which y_pred is positive")  # fmt: skip
    return float(number)
