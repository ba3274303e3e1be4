"""JSON-able pieces of a model card: details, data sets, metrics, with their sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cardpress.model import Dataset, Metric, Narrative, Run, Source

# how a card knows its task when the run record does not say (set with the fairness report)
TASK_INFERRED = "inferred from the evaluation predictions"


def run_source(source: Source) -> str:
    """A source as shown on a page: ``runs/x.json:12``."""
    return str(source)


def model_details(run: Run, narrative: Narrative | None, status: str | None) -> dict[str, Any]:
    """Model details: identity, accountability, code, parameters, environment."""
    n = narrative
    return {
        "owners": [{"name": o.name, "contact": o.contact, "role": o.role} for o in n.owners]
        if n
        else [],
        "contacts": list(n.contacts) if n else [],
        "license": n.license if n else None,
        "risk": {"rating": n.risk_rating, "explanation": n.risk_explanation}
        if n and n.risk_rating
        else None,
        "status": status,
        "model_type": (n.model_type if n else None) or run.model_type,
        "task": run.task,  # inferred from the predictions later when not recorded (pages.py)
        "task_source": "recorded in the run record (model.task)" if run.task else None,
        "algorithm": algorithm(run),
        "description": run.description,
        "references": list(n.references) if n else [],
        "citation": n.citation if n else None,
        "tags": list(n.tags) if n else [],
        "run": {
            "id": run.run_id,
            "status": run.status,
            "started_at": run.started_at.isoformat(),
            "ended_at": run.ended_at.isoformat() if run.ended_at else None,
            "source": run_source(run.source),
            "name": run.run_name,
            "parent_id": run.parent_run_id,
            "tags": dict(run.tags),
        },
        "signature": _signature(run),
        "code": {
            "repo_url": run.code.repo_url,
            "commit": run.code.commit,
            "branch": run.code.branch,
            "path": run.code.path,
            "dirty": run.code.dirty,
        },
        "params": _params(run),
        "artifacts": [
            {"uri": a.uri, "kind": a.kind, "sha256": a.sha256, "size_bytes": a.size_bytes}
            for a in run.artifacts
        ],
        "environment": {
            "python": run.environment.python,
            "platform": run.environment.platform,
            "packages": [{"name": k, "version": v} for k, v in run.environment.packages],
        },
        "origin": dict(run.origin),
    }


def algorithm(run: Run) -> dict[str, Any] | None:
    """The recorded algorithm: class, library and the library's version, or None."""
    if run.model_type is None and run.library is None:
        return None
    versions = {_distribution(name): version for name, version in run.environment.packages}
    library = run.library
    return {
        "class": run.model_type,
        "library": library,
        "library_version": versions.get(_distribution(library)) if library else None,
    }


def algorithm_label(details: dict[str, Any]) -> str | None:
    """``HistGradientBoostingClassifier (scikit-learn 1.5.2)``, as the card and diff show it."""
    found = details.get("algorithm")
    if not found:
        return None
    library = " ".join(str(p) for p in (found["library"], found["library_version"]) if p)
    name = found["class"] or "algorithm not recorded"
    return f"{name} ({library})" if library else name


def _signature(run: Run) -> dict[str, Any] | None:
    """The model's inputs and outputs, or None when the run recorded no signature."""
    if not run.signature_inputs and not run.signature_outputs:
        return None
    return {
        side: [{"name": name, "type": kind} for name, kind in columns]
        for side, columns in (("inputs", run.signature_inputs), ("outputs", run.signature_outputs))
    }


def curves_data(run: Run) -> list[dict[str, Any]]:
    """Training curves: every step's value, with the first, best-known and final ones."""
    return [
        {
            "key": c.key,
            "dataset": c.dataset,
            "points": [{"step": s, "value": v} for s, v in zip(c.steps, c.values, strict=True)],
            "first": c.values[0],
            "final": c.values[-1],
            "minimum": min(c.values),
            "maximum": max(c.values),
            "source": run_source(c.source),
        }
        for c in sorted(run.curves, key=lambda c: (c.key, c.dataset or ""))
    ]


def _params(run: Run) -> list[dict[str, Any]]:
    """Each parameter, and whether it is at the algorithm's default (None: defaults unknown)."""
    defaults = dict(run.defaults)
    return [
        {
            "name": name,
            "value": value,
            "at_default": (name in defaults and _same(defaults[name], value)) if defaults else None,
        }
        for name, value in run.params
    ]


def _same(default: object, value: object) -> bool:
    # 1 and 1.0 are one setting; True and 1 are not (bool is an int in Python)
    if isinstance(default, bool) or isinstance(value, bool):
        return default is value
    return default == value


def _distribution(name: str) -> str:
    """A distribution name as pip compares them (PEP 503): ``Scikit_Learn`` → ``scikit-learn``."""
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def datasets_data(run: Run, roles: tuple[str, ...]) -> list[dict[str, Any]]:
    """The run's data sets whose role is one of ``roles``, in record order."""
    return [_dataset(d) for d in run.datasets if d.role in roles]


def _dataset(dataset: Dataset) -> dict[str, Any]:
    return {
        "id": dataset.id,
        "name": dataset.name,
        "role": dataset.role,
        "uri": dataset.uri,
        "source_type": dataset.source_type,
        "sha256": dataset.sha256 or None,
        "other_digests": dict(dataset.other_digests),
        "rows": dataset.rows,
        "size_bytes": dataset.size_bytes,
        "description": dataset.description,
        "columns": [{"name": n, "type": t, "description": d} for n, t, d in dataset.columns],
        "derived_from": list(dataset.derived_from),
        "source": run_source(dataset.source),
    }


def final_metrics(metrics: Iterable[Metric]) -> list[tuple[Metric, int]]:
    """Each metric's final value, and how many values it was recorded with.

    One metric is a key on a data set, group and decision threshold; recorded several times
    (at steps of training), its final value is the one at the highest step, else the last one
    listed — the value ``cardpress check`` judges, so the card shows what the gate judged.
    """
    found: dict[tuple[Any, ...], list[Metric]] = {}
    for metric in metrics:
        found.setdefault((metric.key, metric.dataset, metric.slice, metric.threshold), []).append(
            metric
        )
    return [(final_value(values), len(values)) for values in found.values()]


def final_value(values: list[Metric]) -> Metric:
    """The value a metric recorded several times ends at: the highest step, else the last one."""
    stepped = [(m.step, index) for index, m in enumerate(values) if m.step is not None]
    return values[max(stepped)[1]] if stepped else values[-1]


def metric_data(metric: Metric, recorded: int = 1) -> dict[str, Any]:
    """One metric with its interval, group and source (and its step, when it is one of several)."""
    ci = metric.ci
    several = {"step": metric.step, "recorded": recorded} if recorded > 1 else {}
    return {
        **several,
        "key": metric.key,
        "value": metric.value,
        "dataset": metric.dataset,
        "group_columns": " × ".join(column for column, _ in metric.slice),
        "group": " × ".join(value for _, value in metric.slice),
        "ci": {"lower": ci.lower, "upper": ci.upper, "level": ci.level, "method": ci.method}
        if ci
        else None,
        "threshold": metric.threshold,
        "source": run_source(metric.source),
    }
