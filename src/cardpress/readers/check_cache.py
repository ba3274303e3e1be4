"""The policy checks of the last build, kept for a build that changed none of their inputs.

Such a build reads them back instead of computing the newest versions' fairness reports again.

A build with a ``policy.toml`` checks each model's newest version, and the fairness rules read
its fairness report: the predictions read with pandas and the report computed, ~1.5 s of a
build that only added a day of monitoring rows. The checks read nothing of the monitoring rows.

They are kept in ``<records>/.cardpress-cache/checks.json`` under a key over everything they
are computed from: the policy, each checked model (its versions' run records, predictions'
sha256, card), the sign-offs, the fairness settings, the data set files' sha256 now, cardpress's
version and the code of the modules that read predictions and compute reports and checks, and
the versions of the libraries that compute them. A kept entry is used only when its key is this
build's, its sha256 matches and its results are whole and well formed; anything else is
computed again. Deleting the file only costs time. Like the rest of the cache it is trusted as
the records folder it sits in is; ``cardpress check`` (the gate) never reads it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields, is_dataclass
from importlib import metadata
from pathlib import Path

from cardpress.compute.check import RuleResult
from cardpress.model import Policy, Source
from cardpress.readers.chart_cache import cache_folder
from cardpress.readers.hashing import load_cache, save_cache
from cardpress.readers.page_cache import package_digest

FORMAT = 1
FILE = "checks.json"
# The code the checks' results come from (each package's own modules; see package_digest).
CODE = ("cardpress", "cardpress.compute", "cardpress.compute.fairness", "cardpress.readers",
        "cardpress.readers.predictions")  # fmt: skip
LIBRARIES = ("numpy", "pandas", "pyarrow", "scipy")
STATUSES = frozenset({"pass", "warn", "fail", "n/a"})
_FIELDS = tuple(f.name for f in fields(RuleResult))

Checks = dict[tuple[str, str], list[RuleResult]]


def checks_key(policy: Policy, inputs: object) -> str:
    """The key of the checks of ``policy`` computed from ``inputs`` (typed records).

    The policy is keyed with the lines of its rules (each result names its rule's line); the
    inputs without the lines their facts were read from: records already published are read
    without them (see ``read_records``), and no result names them.
    """
    from cardpress import __version__

    made_by = [__version__, *(package_digest(p) for p in CODE)]
    made_by += [f"{name} {_version(name)}" for name in LIBRARIES]
    text = json.dumps([FORMAT, made_by, repr(policy), _value(inputs)])
    return hashlib.sha256(text.encode()).hexdigest()


def _value(value: object) -> object:
    """``value`` as JSON, field by field, with each Source reduced to its file."""
    if isinstance(value, Source):
        return value.file
    if is_dataclass(value) and not isinstance(value, type):
        named = [[f.name, _value(getattr(value, f.name))] for f in fields(value)]
        return [type(value).__name__, named]
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    if isinstance(value, dict):
        return [[repr(key), _value(item)] for key, item in value.items()]
    return repr(value)


def load_checks(records: Path, key: str) -> Checks | None:
    """The kept checks with this key, or None (none kept, another key, or not well formed)."""
    folder = cache_folder(records)
    kept = load_cache(folder / FILE) if folder is not None else {}
    entries = kept.get("checks")
    if kept.get("format") != FORMAT or kept.get("key") != key or not isinstance(entries, list):
        return None
    if kept.get("sha256") != _digest(key, entries):  # edited or damaged since it was written
        return None
    found: Checks = {}
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], list)):
            return None
        model, version, results = entry
        parsed = [_result(item) for item in results]
        if not isinstance(model, str) or not isinstance(version, str) or None in parsed:
            return None
        found[(model, version)] = [result for result in parsed if result is not None]
    return found


def save_checks(records: Path, key: str, checks: Checks) -> None:
    """Keep this build's checks under ``key`` (only these: the file does not grow)."""
    folder = cache_folder(records)
    if folder is None:
        return
    entries: list[object] = [
        [model, version, [asdict(result) for result in results]]
        for (model, version), results in sorted(checks.items())
    ]
    kept = {"format": FORMAT, "key": key, "checks": entries, "sha256": _digest(key, entries)}
    save_cache(folder / FILE, kept)


def _digest(key: str, entries: list[object]) -> str:
    text = json.dumps([key, entries], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _result(item: object) -> RuleResult | None:
    """A kept result, or None when it is not one (a field missing, extra or not text)."""
    if not isinstance(item, dict) or set(item) != set(_FIELDS):
        return None
    if not all(isinstance(item[name], str) for name in _FIELDS) or item["status"] not in STATUSES:
        return None
    return RuleResult(**{name: item[name] for name in _FIELDS})


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
