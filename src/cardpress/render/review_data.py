"""Data of a version's live pages: the review page and the compliance coverage page.

The review page holds sign-offs and check results. Both pages are rebuilt on every build; the
card they describe stays frozen.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from cardpress.compute.check import APPROVING, RuleResult
from cardpress.compute.compliance import coverage
from cardpress.compute.review import review_state
from cardpress.compute.site import ModelEntry, VersionEntry
from cardpress.model import SignOff


def review_data(
    model: ModelEntry,
    entry: VersionEntry,
    signoffs: tuple[SignOff, ...],
    checks: list[RuleResult] | None,
) -> dict[str, Any]:
    """Sign-offs of the version (current and stale) and, for the newest, the policy's results."""
    return {
        "kind": "review",
        "model": model.name,
        "title": model.title,
        "version": entry.version,
        "status": entry.status,
        "is_latest": entry.is_latest,
        "record": {"file": entry.run.source.file, "sha256": entry.run.digest},
        "review": review_state(signoffs, entry.run),
        "checks": [asdict(r) for r in checks] if checks is not None else None,
    }


def compliance_data(
    card: dict[str, Any],
    review: dict[str, Any],
    has_diff: bool,
    has_drift: bool = False,
    diff_fix: str | None = None,
) -> dict[str, Any]:
    """The checklist coverage of the version described by ``card``.

    ``diff_fix``: what to do about a missing diff page, when publishing an earlier version
    cannot give one (the version was published first and stays as it was published).
    """
    present = {
        "drift": has_drift,
        "diff": has_diff,
        "fairness": bool(card["sections"]["quantitative_analyses"].get("fairness")),
        "signoff": review["review"]["decision"] in APPROVING,
        "changelog": True,
        "manifest": True,
        "inventory": True,
    }
    items = coverage(card, present, {"diff": diff_fix} if diff_fix else None)
    counts = {
        s: sum(i["status"] == s for i in items) for s in ("covered", "partial", "not covered")
    }
    return {
        "kind": "compliance",
        "model": card["model"],
        "title": card["title"],
        "version": card["version"],
        "checklist": items,
        "counts": counts,
        "has_fairness": present["fairness"],
    }
