"""Read sign-offs (``signoffs/**/*.json``, schema ``cardpress/signoff/1``).

A sign-off names a model version and the sha256 of the run record the reviewer read. One that
names a version with no run record is an error; one whose record has changed since is *stale*
(computed later, shown on the review page).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cardpress.errors import Problem
from cardpress.model import Run, SignOff, Source
from cardpress.readers.files import Allowed, files_under, relative
from cardpress.readers.limits import MAX_SIGNOFF_BYTES, read_limited
from cardpress.readers.runs.read import line_finder, parse_object
from cardpress.readers.validate import schema_problems

SIGNOFF_SCHEMA = "cardpress/signoff/1"


def read_signoffs(
    root: Path,
    runs: list[Run],
    problems: list[Problem],
    complete: bool = True,
    allow: Allowed = (),
) -> list[SignOff]:
    """Every valid sign-off under ``root/signoffs``, in file order; problems are appended.

    Unless ``complete`` (every run record was read), the model and version a sign-off names are
    not checked: the version may be that of the record that failed.
    """
    known: dict[str, list[str]] = {}
    for run in runs:
        known.setdefault(run.model, []).append(run.version)
    versions = known if complete else None
    signoffs = []
    for path in files_under(root, root / "signoffs", problems, _is_json, allow):
        signoff = _read(root, path, versions, problems, allow)
        if signoff is not None:
            signoffs.append(signoff)
    return signoffs


def _is_json(path: Path) -> bool:
    return path.suffix == ".json"


def _read(
    root: Path,
    path: Path,
    versions: dict[str, list[str]] | None,
    problems: list[Problem],
    allow: Allowed = (),
) -> SignOff | None:
    name = relative(root, path)
    text = read_limited(root, path, MAX_SIGNOFF_BYTES, problems, "sign-off", allow)
    document = parse_object(text, name, problems, "a sign-off", SIGNOFF_SCHEMA) if text else None
    if document is None or text is None:
        return None
    where = line_finder(text)
    found = schema_problems(document, "signoff", name, where)
    found = found or _semantic(document, name, where, versions)
    if found:
        problems.extend(found)
        return None
    return SignOff(
        model=document["model"],
        version=document["version"],
        record_sha256=document["record_sha256"],
        name=document["name"],
        role=document["role"],
        decision=document["decision"],
        signed_at=datetime.fromisoformat(document["signed_at"].replace("Z", "+00:00")),
        source=Source(name, 1),
        conditions=document.get("conditions"),
        comment=document.get("comment"),
    )


def _semantic(
    document: dict[str, Any], name: str, where: Any, versions: dict[str, list[str]] | None
) -> list[Problem]:
    problems = []
    model, version = document["model"], document["version"]
    if versions is None:
        pass  # a run record failed: whether this version exists is not known yet
    elif model not in versions:
        known = ", ".join(sorted(versions)) or "none"
        fix = f"sign off a model that has run records (models: {known})"
        problems.append(Problem(name, where(("model",)), "model", f"no model {model!r}", fix))
    elif version not in versions[model]:
        known = ", ".join(versions[model])
        fix = f"sign off a version that has a run record (versions: {known})"
        problem = f"{model} has no version {version!r}"
        problems.append(Problem(name, where(("version",)), "version", problem, fix))
    if document["decision"] == "approved-with-conditions" and not document.get("conditions"):
        fix = "write the conditions in conditions"
        problem = "an approval with conditions names no conditions"
        problems.append(Problem(name, where(("decision",)), "conditions", problem, fix))
    try:
        signed = datetime.fromisoformat(document["signed_at"].replace("Z", "+00:00"))
        # Pages show times in UTC: a time whose UTC date is before year 1 cannot be shown.
        signed.astimezone(UTC)
    except OverflowError:
        fix = "write the time the decision was made, e.g. 2026-03-01T10:00:00Z"
        line = where(("signed_at",))
        problems.append(Problem(name, line, "signed_at", "is out of range in UTC", fix))
        return problems
    except ValueError:
        signed = None
    if signed is None or signed.tzinfo is None:
        fix = "write an ISO 8601 time with its zone, e.g. 2026-03-01T10:00:00Z"
        line = where(("signed_at",))
        problems.append(Problem(name, line, "signed_at", "is not a time with a zone", fix))
    return problems
