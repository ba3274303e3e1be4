"""The live status of a version: what changed since its card was frozen, and what disagrees.

The card of a published version never changes, but its sign-offs, the policy gate, drift and
production use come later. This is computed at every build and shown on the card (through
``review/status.js``), on the review page and as build warnings, so every page tells one story:

- the **decision** is the latest current sign-off's, one source of truth;
- a **status** in card.md that contradicts it (``in-review`` but approved, ``approved`` with no
  approving sign-off, ``approved`` but rejected) is stated, not hidden;
- a version seen in **production** (monitoring rows) before any approving sign-off is stated,
  with the first day it served and how many rows it served before approval.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cardpress.compute.check import APPROVING
from cardpress.model_drift import DriftSummaries

REJECTING = ("rejected",)


def live_status(
    review: dict[str, Any],
    drift: dict[str, Any] | None = None,
    summaries: DriftSummaries | None = None,
) -> dict[str, Any]:
    """The live status of the version of ``review`` (the review page's data).

    ``drift`` is the model's drift headline (or None without monitoring rows); ``summaries``
    its monitoring windows, to find when the version first served.
    """
    state = review["review"]
    latest = state["latest"]
    served = _served(summaries, review["version"], latest if _approves(latest) else None)
    return {
        "kind": "live-status",
        "model": review["model"],
        "version": review["version"],
        "status": review["status"],
        "decision": state["decision"],
        "signoff": _signoff(latest) if latest else None,
        "stale_signoffs": state["stale"],
        "contradiction": contradiction(review["status"], state["decision"]),
        "gate": _gate(review.get("checks")),
        "drift": drift,
        "production": served,
    }


def contradiction(status: str | None, decision: str | None) -> str | None:
    """A sentence when card.md's status and the sign-off decision disagree, else None."""
    if status == "approved" and decision is None:
        return "card.md says approved, but no current sign-off approves this version"
    if (status == "approved" and decision in REJECTING) or (
        status in {"draft", "in-review"} and decision in APPROVING + REJECTING
    ):
        return f"card.md says {status}, but the latest current sign-off decided {decision}"
    return None


def _signoff(latest: dict[str, Any]) -> dict[str, Any]:
    """Who decided, and when in UTC: the card shows its date, which must be the review page's."""
    shown = {k: latest[k] for k in ("name", "role", "conditions", "before_run")}
    return {**shown, "signed_at": _utc(latest["signed_at"])}


def _utc(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(UTC).isoformat()


def _approves(signoff: dict[str, Any] | None) -> bool:
    return bool(signoff and signoff["decision"] in APPROVING)


def _gate(checks: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if checks is None:
        return None
    counts = {s: sum(c["status"] == s for c in checks) for s in ("pass", "warn", "fail")}
    verdict = "fail" if counts["fail"] else "warn" if counts["warn"] else "pass"
    rules = [{"rule": c["rule"], "status": c["status"], "figure": c["figure"]} for c in checks]
    return {"verdict": verdict, "counts": counts, "rules": rules}


def _served(
    summaries: DriftSummaries | None, version: str, approval: dict[str, Any] | None
) -> dict[str, Any] | None:
    """When the version first served in production, and what it served before approval."""
    if summaries is None:
        return None
    windows = [(w.start, dict(w.versions).get(version, 0)) for w in summaries.windows]
    served = [(start, rows) for start, rows in windows if rows]
    if not served:
        return None
    approved_at = _utc(approval["signed_at"]) if approval else None
    cutoff = datetime.fromisoformat(approved_at) if approved_at else None
    before = [
        rows for start, rows in served if cutoff is None or datetime.fromisoformat(start) < cutoff
    ]
    return {
        "first_window": served[0][0],
        "rows": sum(rows for _, rows in served),
        "rows_before_approval": sum(before),
        "before_approval": bool(before),
        "approved_at": approved_at,
    }


def status_warnings(status: dict[str, Any]) -> list[str]:
    """The build warnings of a live status: contradictions and use before approval."""
    name = f"{status['model']}@{status['version']}"
    found = [f"{name}: {status['contradiction']}"] if status["contradiction"] else []
    signoff = status["signoff"]
    if signoff and signoff["before_run"]:
        found.append(
            f"{name}: the deciding sign-off by {signoff['name']} is dated "
            f"{signoff['signed_at'][:10]} (UTC), before the run it reviews began — check its "
            "signed_at (or the run record's started_at)"
        )
    served = status["production"]
    if served and served["before_approval"]:
        when = (
            f"before its approval on {served['approved_at'][:10]}"
            if served["approved_at"]
            else "with no approving sign-off"
        )
        found.append(
            f"{name}: served {served['rows_before_approval']:,} rows in production (from "
            f"{served['first_window'][:10]}) {when}"
        )
    return found
