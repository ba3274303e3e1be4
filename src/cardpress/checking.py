"""Policies applied to versions: ``cardpress check`` and the checks a build shows.

The fairness reports the checks read are computed here too (:func:`fairness_reports`), for the
build's version pages and for the checks alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from cardpress.compute.check import Evidence, RuleResult, check_version
from cardpress.compute.fairness.multiclass_report import (
    multiclass_report,
)
from cardpress.compute.fairness.regression_report import SliceReport, regression_report
from cardpress.compute.fairness.report import fairness_report
from cardpress.compute.site import ModelEntry, Site, VersionEntry, build_site
from cardpress.errors import Problem, RecordsError, UsageError
from cardpress.model import WEIGHT, FairnessSettings, Policy, Records, Run
from cardpress.readers.check_cache import checks_key, load_checks, save_checks
from cardpress.readers.files import allowed, current_hashes
from cardpress.readers.policy import (
    check_names,
    default_policy_path,
    policy_given,
    read_policy,
    records_policy,
)
from cardpress.readers.records import (
    read_records,
)

logger = logging.getLogger("cardpress")


def check(
    records: str | Path, policy: str | Path | None = None, versions: Iterable[str] = ()
) -> list[RuleResult]:
    """Apply a policy to the newest version of each model, or to ``versions`` (MODEL@VERSION).

    The policy is ``policy``, else ``policy.toml`` in the records folder, else the default
    policy shipped with cardpress (``cardpress/policies/default.toml``).

    Raises:
        RecordsError: the records have problems.
        PolicyError: the policy cannot be used (exit 2).
        CardpressError: a MODEL@VERSION that does not exist (exit 2).
    """
    root = Path(records)
    loaded = read_records(root)
    rules = _policy(root, policy)
    check_names(rules, loaded)
    site = build_site(loaded, None)
    chosen = targets(site, list(versions))
    runs = [entry.run for _, entry in chosen]
    fairness = fairness_reports(root, runs, site.config.fairness, calibration=False)
    results: list[RuleResult] = []
    for model, entry in chosen:
        results += _check_one(root, loaded, site, model, entry, fairness, rules)
    return results


def site_checks(
    root: Path, loaded: Records, site: Site, fairness: dict[tuple[str, str], SliceReport]
) -> dict[tuple[str, str], list[RuleResult]]:
    """Results of the records' policy.toml for each model's newest version (none without one).

    Read back from the last build when none of their inputs changed (:mod:`check_cache`).
    """
    policy = records_policy(root)
    if policy is None:
        return {}
    check_names(policy, loaded)
    allow = allowed(loaded.config)
    hashes = {m.name: current_hashes(root, m.latest.run.datasets, allow) for m in site.models}
    key = checks_key(policy, (site.models, hashes, loaded.signoffs, site.config.fairness))
    kept = load_checks(root, key)
    if kept is not None:
        return kept
    latest = [m.latest.run for m in site.models]
    missing = [r for r in latest if (r.model, r.version) not in fairness]
    # reports of versions whose pages are not rendered: only the checks read them
    checked = fairness_reports(root, missing, site.config.fairness, calibration=False)
    reports = {**fairness, **checked}
    results = {
        (model.name, model.latest.version): _check_one(root, loaded, site, model, model.latest,
                                                       reports, policy, hashes[model.name])
        for model in site.models
    }  # fmt: skip
    save_checks(root, key, results)
    return results


def _check_one(
    root: Path,
    loaded: Records,
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    reports: dict[tuple[str, str], SliceReport],
    policy: Policy,
    hashes: dict[str, str | None] | None = None,
) -> list[RuleResult]:
    if hashes is None:
        hashes = current_hashes(root, entry.run.datasets, allowed(loaded.config))
    evidence = Evidence(
        model, entry, reports.get((model.name, entry.version)), loaded.signoffs,
        site.config.fairness.min_group_size, hashes,
    )  # fmt: skip
    return check_version(policy.rules, evidence)


def _policy(root: Path, given: str | Path | None) -> Policy:
    if given is not None:
        return read_policy(Path(given))
    if policy_given(root):
        return read_policy(root / "policy.toml", "policy.toml")
    return read_policy(default_policy_path(), "default policy")


def targets(site: Site, wanted: list[str]) -> list[tuple[ModelEntry, VersionEntry]]:
    """The versions named MODEL@VERSION, or every model's newest when none are named.

    Raises:
        UsageError: a name that is not a version of the site (the known ones are listed).
    """
    if not wanted:
        return [(model, model.latest) for model in site.models]
    found = {(m.name, e.version): (m, e) for m in site.models for e in m.versions}
    chosen = []
    for name in wanted:
        model, _, version = name.partition("@")
        if (model, version) not in found:
            known = ", ".join(f"{m}@{v}" for m, v in sorted(found))
            raise UsageError(f"{name}: no such model version — use one of {known}")
        chosen.append(found[(model, version)])
    return chosen


def fairness_reports(
    root: Path,
    runs: list[Run],
    settings: FairnessSettings,
    calibration: bool = True,
    each: Callable[[Run, SliceReport], None] | None = None,
) -> dict[tuple[str, str], SliceReport]:
    """The fairness report of each run whose predictions name sensitive columns.

    ``calibration`` False leaves calibration and threshold curves out: enough for the checks.
    ``each`` is given each report as soon as it is computed.

    Raises:
        RecordsError: a predictions table is not binary classification, or has bad scores or
            too many groups; nothing was written.
    """
    if not runs:
        return {}
    # Loaded here: reading predictions needs pandas (~0.6 s to import), which a build that
    # renders no version page (a new day of monitoring rows) may not do.
    from cardpress.readers.predictions.read import fairness_tables

    problems: list[Problem] = []
    reports: dict[tuple[str, str], SliceReport] = {}
    for run, task, table in fairness_tables(root, runs, settings, problems):
        assert run.predictions is not None  # only runs with predictions have a table
        sensitive, threshold = run.predictions.sensitive, run.predictions.threshold
        weights = table[WEIGHT].to_numpy() if WEIGHT in table.columns else None
        report: SliceReport
        if task == "multiclass":
            report = multiclass_report(table, sensitive, settings, weights, calibration)
        elif task == "regression":
            report = regression_report(table, sensitive, settings, weights)
        else:
            report = fairness_report(table, sensitive, settings, threshold, calibration)
        reports[(run.model, run.version)] = report
        if each is not None:
            each(run, report)
    if problems:
        raise RecordsError(problems)
    return reports
