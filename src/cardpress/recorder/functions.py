"""The two entry points: ``cardpress.run`` (a context manager) and ``cardpress.log_run``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cardpress.errors import ArgumentError
from cardpress.recorder.run import Clock, RunRecorder


def run(
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
) -> RunRecorder:
    """Start recording a training run of ``model`` ``version`` into the ``records`` folder.

    Use it as a context manager; the record is written to ``runs/<model>-<version>.json`` when
    the block ends without an exception, and nothing is written when it raises.

    Args:
        model: Model name (letters, digits, ``.``, ``_``, ``-``); becomes ``models/<model>/``.
        version: Model version, a string such as ``"3"``.
        records: The records folder; ``runs/`` and ``predictions/`` are made in it.
        run_id: The run's id (default ``<model>-<version>-<start time>``).
        model_type: Kind of model, e.g. ``type(estimator).__name__``.
        description: What this run did differently.
        started: Start time (default: the clock's time now).
        ended: End time (default: the clock's time when the run is written).
        clock: Function giving the time now (default ``datetime.now(UTC)``); inject a fixed one
            for byte-stable records.
        code: True: read commit, dirty flag, branch and remote from git; False: leave out; a
            dict: read git, then set (or, with None, remove) these fields.
        script: The training script (default: the file Python was started with); git is read
            in its folder and ``code.path`` is its path in the repository.
        packages: Distributions whose versions to record (default: every distribution this
            process has imported a module of).
        overwrite: Replace a different existing record of this model version.
    """
    return RunRecorder(
        model, version, records, run_id=run_id, model_type=model_type, description=description,
        started=started, ended=ended, clock=clock, code=code, script=script, packages=packages,
        overwrite=overwrite,
    )  # fmt: skip


def log_run(
    model: str,
    version: str,
    records: str | Path,
    *,
    datasets: Sequence[Mapping[str, Any]],
    metrics: Sequence[Mapping[str, Any]] = (),
    params: Mapping[str, Any] | None = None,
    predictions: Mapping[str, Any] | None = None,
    artifacts: Sequence[str | Path] = (),
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
) -> Path:
    """Record a finished training run in one call; return the path of the record written.

    Each ``datasets`` item holds the arguments of :meth:`RunRecorder.dataset` (``id``,
    ``data``, ``role``, ...), each ``metrics`` item those of :meth:`RunRecorder.metric`
    (``key``, ``value``, ``dataset``, ...), and ``predictions`` those of
    :meth:`RunRecorder.predictions` (``data``, ``dataset``, ``y_true``, ...). The other
    arguments are those of :func:`cardpress.run`. Nothing is written if any of them is wrong.

    Raises:
        ArgumentError: an argument is wrong; the message names it and the fix.
        RecordsError: the record would not be valid.
        RecordExistsError: a different record of this version exists and ``overwrite`` is not
            set.
    """
    recorder = RunRecorder(
        model, version, records, run_id=run_id, model_type=model_type, description=description,
        started=started, ended=ended, clock=clock, code=code, script=script, packages=packages,
        overwrite=overwrite,
    )  # fmt: skip
    with recorder:
        recorder.params(params)
        for index, dataset in enumerate(_items("datasets", datasets)):
            _call(recorder.dataset, f"datasets[{index}]", dataset)
        for index, metric in enumerate(_items("metrics", metrics)):
            _call(recorder.metric, f"metrics[{index}]", metric)
        if predictions is not None:
            _call(recorder.predictions, "predictions", predictions)
        for artifact in artifacts:
            recorder.artifact(artifact)
    assert recorder.path is not None  # the with block wrote it
    return recorder.path


def _items(argument: str, items: object) -> list[Mapping[str, Any]]:
    if isinstance(items, Mapping | str) or not isinstance(items, Sequence):
        raise ArgumentError(f"{argument}: pass a list of dicts, e.g. [{{...}}, {{...}}]")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ArgumentError(f"{argument}[{index}]: {item!r} is not a dict of arguments")
    return list(items)


def _call(method: Callable[..., Any], where: str, given: Mapping[str, Any]) -> None:
    """Call ``method`` with the dict ``given`` as arguments, naming wrong or missing keys."""
    signature = inspect.signature(method)
    allowed = list(signature.parameters)
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ArgumentError(f"{where}: unknown key(s) {unknown} — use {', '.join(allowed)}")
    missing = [
        name
        for name, parameter in signature.parameters.items()
        if parameter.default is inspect.Parameter.empty and name not in given
    ]
    if missing:
        raise ArgumentError(f"{where}: missing {', '.join(map(repr, missing))} — add it")
    positional = [
        given[name]
        for name, p in signature.parameters.items()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    keywords = {
        name: given[name]
        for name, p in signature.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name in given
    }
    method(*positional, **keywords)
