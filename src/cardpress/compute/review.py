"""Sign-offs of one model version: which are current, which are stale, and the decision.

A sign-off is *current* when the run record it names (by sha256) is the record the version has
now; otherwise it is *stale*: the reviewer read something else. The version's decision is the
latest current sign-off's (by time, then file name); stale ones never count.
"""

from __future__ import annotations

from typing import Any

from cardpress.model import Run, SignOff


def review_state(signoffs: tuple[SignOff, ...], run: Run) -> dict[str, Any]:
    """The sign-offs of ``run``'s version, oldest first, and the decision they add up to."""
    mine = [s for s in signoffs if (s.model, s.version) == (run.model, run.version)]
    mine.sort(key=lambda s: (s.signed_at, s.source.file))
    rows = [_row(s, run) for s in mine]
    current = [r for r in rows if not r["stale"]]
    latest = current[-1] if current else None
    return {
        "signoffs": rows,
        "stale": len(rows) - len(current),
        "latest": latest,
        "decision": latest["decision"] if latest else None,
        "record_sha256": run.digest,
    }


def _row(signoff: SignOff, run: Run) -> dict[str, Any]:
    return {
        "name": signoff.name,
        "role": signoff.role,
        "decision": signoff.decision,
        "conditions": signoff.conditions,
        "comment": signoff.comment,
        "signed_at": signoff.signed_at.isoformat(),
        "record_sha256": signoff.record_sha256,
        "stale": signoff.record_sha256 != run.digest,
        # a decision on a record that did not exist yet: a wrong clock, or a wrong signed_at
        "before_run": signoff.signed_at < run.started_at,
        "file": signoff.source.file,
    }
