"""Read a check policy (``policy.toml``, schema ``cardpress/policy/1``).

A bad policy is a usage error (exit 2), not a records problem: every problem is listed with the
line of its ``[[rule]]`` table or field, and which rules and fields exist.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Collection
from importlib import resources
from pathlib import Path
from typing import Any

from cardpress.compute.fairness.disparity import METRICS
from cardpress.compute.fairness.regression import quantile_id
from cardpress.compute.fairness.regression_report import SIGNED, is_regression_metric
from cardpress.errors import Problem, UsageError
from cardpress.model import Policy, Records, Rule, Source
from cardpress.readers.jsonpos import Path as JsonPath
from cardpress.readers.validate import schema_problems

# fields each kind takes besides kind, name and level; and those it needs
FIELDS: dict[str, tuple[set[str], list[set[str]]]] = {
    "sections": ({"require"}, [{"require"}]),
    "signoff": ({"statuses"}, []),
    "fairness": (
        {"metric", "measure", "min", "max", "min_group_size", "columns"},
        [{"metric"}, {"measure"}, {"min", "max"}],
    ),
    "performance": ({"metric", "dataset", "min", "max"}, [{"metric"}, {"dataset"}, {"min", "max"}]),
    "hashes": (set(), []),
}
COMMON = {"kind", "name", "level"}
RULE_HEADER = re.compile(r"^\[\[\s*rule\s*\]\]\s*(#.*)?$")
ANY_RULE = {"models"}  # fields every kind takes, kept with the rule's parameters


class PolicyError(UsageError):
    """The policy file cannot be used; nothing was checked."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.field))
        lines = [str(p) for p in self.problems]
        lines.append(f"{len(lines)} problem(s) in the policy; nothing was checked.")
        super().__init__("\n".join(lines))


def default_policy_path() -> Path:
    """The policy ``check`` applies when none is given (shipped with cardpress)."""
    return Path(str(resources.files("cardpress").joinpath("policies", "default.toml")))


def records_policy(root: Path) -> Policy | None:
    """The records folder's own ``policy.toml`` (None without one), as build and validate read it.

    Raises:
        PolicyError: the file breaks the policy format (exit 2, as with ``check --policy``).
    """
    return read_policy(root / "policy.toml", "policy.toml") if policy_given(root) else None


def read_policy(path: Path, name: str | None = None) -> Policy:
    """The policy at ``path``, shown to users as ``name`` (default: the path).

    Raises:
        PolicyError: the file is missing, is not TOML, or breaks the policy format.
    """
    name = name or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fix = "give the path of a policy TOML file (see `cardpress schema policy`)"
        raise PolicyError([Problem(name, None, "", f"cannot be read ({error})", fix)]) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) if match else None
        fix = "fix the TOML syntax (each rule is a [[rule]] table)"
        raise PolicyError([Problem(name, line, "", f"invalid TOML: {error}", fix)]) from None
    problems = schema_problems(document, "policy", name, lambda p: _line(text, p))
    if not problems:
        problems = [
            p for i, r in enumerate(document["rule"]) for p in _rule_problems(r, i, name, text)
        ]
    if problems:
        raise PolicyError(problems)
    rules = tuple(
        _rule(r, Source(name, _line(text, ("rule", i)))) for i, r in enumerate(document["rule"])
    )
    return Policy(name, rules)


def _rule_problems(rule: dict[str, Any], index: int, file: str, text: str) -> list[Problem]:
    kind = rule["kind"]
    takes, needs = FIELDS[kind]
    problems = []
    for field in sorted(set(rule) - takes - COMMON - ANY_RULE):
        fix = f"remove it ({kind} rules take: {', '.join(sorted(takes)) or 'no other fields'})"
        line = _line(text, ("rule", index, field))
        problems.append(
            Problem(file, line, f"rule[{index}].{field}", f"does not apply to a {kind} rule", fix)
        )
    for alternatives in needs:
        if not alternatives & set(rule):
            wanted = " or ".join(sorted(alternatives))
            line = _line(text, ("rule", index))
            problem = f"a {kind} rule needs {wanted}"
            problems.append(Problem(file, line, f"rule[{index}]", problem, f"add {wanted}"))
    problems += _limit_problems(rule, index, file, text)
    metric = rule.get("metric") if kind == "fairness" else None
    if metric is not None and metric not in METRICS and not is_regression_metric(metric):
        fix = (
            f"use one of {', '.join(METRICS)} (classifiers) or mae, rmse, r2, bias, ae_p50, "
            "ae_p90 (regression)"
        )
        line = _line(text, ("rule", index, "metric"))
        problem = f"{metric!r} is not a fairness metric"
        problems.append(Problem(file, line, f"rule[{index}].metric", problem, fix))
    if metric in SIGNED and rule.get("measure") == "ratio":
        line = _line(text, ("rule", index, "measure"))
        problem = f"{metric} can be negative, so a ratio between groups says nothing"
        fix = 'use measure = "difference"'
        problems.append(Problem(file, line, f"rule[{index}].measure", problem, fix))
    return problems


def _limit_problems(rule: dict[str, Any], index: int, file: str, text: str) -> list[Problem]:
    """``min = nan`` passed every figure (nothing compares below NaN); ``min`` > ``max`` none."""
    problems = []
    for field in ("min", "max"):
        value = rule.get(field)
        if isinstance(value, float) and not math.isfinite(value):
            line = _line(text, ("rule", index, field))
            fix = "write a finite number (nan and inf are no limit)"
            problem = f"is {value}, which no figure can be compared with"
            problems.append(Problem(file, line, f"rule[{index}].{field}", problem, fix))
    low, high = rule.get("min"), rule.get("max")
    if not problems and low is not None and high is not None and low > high:
        line = _line(text, ("rule", index, "max"))
        problem = f"max {high} is below min {low}: every figure would fail"
        problems.append(Problem(file, line, f"rule[{index}].max", problem, "swap min and max"))
    return problems


def check_names(policy: Policy, records: Records) -> None:
    """Refuse rules that name what the records do not have: the rule would be off, or fail.

    ``models`` naming a model no run record has: a typo (``income-clasifier``) made the rule
    "not applicable" to every version, and the gate passed. A fairness rule on a quantile of
    |error| the reports do not compute (``ae_p95`` with ``[fairness] error_quantiles`` 0.5 and
    0.9): it failed every regression model as "not computed", found only by ``check``.

    Raises:
        PolicyError: naming each unknown model or quantile, its rule's line, and the fix.
    """
    models = {run.model for run in records.runs}
    problems = _quantile_problems(policy, records.config.fairness.error_quantiles)
    for index, rule in enumerate(policy.rules):
        for name in rule.params.get("models", []):
            if name in models:
                continue
            close = difflib.get_close_matches(name, sorted(models), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            known = ", ".join(sorted(models)) or "none"
            fix = f"{hint}name models the run records have ({known})"
            problem = f"names model {name!r}, which no run record has: the rule would check nothing"
            where = rule.source.line
            problems.append(Problem(policy.file, where, f"rule[{index}].models", problem, fix))
    if problems:
        raise PolicyError(problems)


def _quantile_problems(policy: Policy, quantiles: Collection[float]) -> list[Problem]:
    computed = [quantile_id(q) for q in sorted(quantiles)]
    problems = []
    for index, rule in enumerate(policy.rules):
        metric = rule.params.get("metric")
        if rule.kind != "fairness" or not isinstance(metric, str) or metric in computed:
            continue
        if is_regression_metric(metric) and metric.startswith("ae_p"):
            wanted = metric.removeprefix("ae_p")
            problem = f"{metric} is not computed: [fairness] error_quantiles has no {wanted}%"
            fix = (f"use one of {', '.join(computed) or 'none'}, or add {float(wanted) / 100:g} "
                   "to error_quantiles in cardpress.toml")  # fmt: skip
            where = rule.source.line
            problems.append(Problem(policy.file, where, f"rule[{index}].metric", problem, fix))
    return problems


def policy_given(root: Path) -> bool:
    """Whether the records folder has a ``policy.toml``, usable or not.

    A link to nowhere or a folder is one too: reading it fails clearly, where falling back to
    the default policy would apply rules the user did not write, without a word.
    """
    path = root / "policy.toml"
    return path.exists() or path.is_symlink()


def _rule(table: dict[str, Any], source: Source) -> Rule:
    params = {k: v for k, v in table.items() if k not in COMMON}
    name = table.get("name") or _default_name(table)
    return Rule(table["kind"], name, table.get("level", "fail"), params, source)


def _default_name(table: dict[str, Any]) -> str:
    kind = table["kind"]
    if kind == "fairness":
        columns = " × ".join(table.get("columns", []))
        by = f" by {columns}" if columns else ""
        return f"fairness: {table['metric']} {table['measure']}{by}"
    if kind == "performance":
        return f"performance: {table['metric']} on {table['dataset']}"
    return {"sections": "card sections documented", "signoff": "sign-off before approval",
            "hashes": "data-set hashes unchanged"}[kind]  # fmt: skip


def _line(text: str, path: JsonPath) -> int | None:
    """The line of ``[[rule]]`` number ``path[1]``, or of a field inside it (tomllib keeps none)."""
    if len(path) < 2 or path[0] != "rule" or not isinstance(path[1], int):
        field = str(path[0]) if path else None
        return next((n for n, line in _lines(text) if field and line.startswith(f"{field} ")), None)
    # a header may carry a comment, as in docs/check.md: [[rule]]   # a performance floor
    headers = [n for n, line in _lines(text) if RULE_HEADER.match(line)]
    if path[1] >= len(headers):
        return None
    start = headers[path[1]]
    if len(path) < 3:
        return start
    end = headers[path[1] + 1] if path[1] + 1 < len(headers) else 10**9
    pattern = re.compile(rf"^{re.escape(str(path[2]))}\s*=")
    found = (n for n, line in _lines(text) if start < n < end and pattern.match(line))
    return next(found, start)


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
