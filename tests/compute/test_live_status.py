"""The live status of a version: one decision, stated contradictions, use before approval."""

from __future__ import annotations

from typing import Any

import pytest

from cardpress.compute.live_status import contradiction, live_status, status_warnings
from cardpress.model_drift import DriftSummaries, WindowSummary


def _review(
    status: str | None, decision: str | None, signed_at: str = "2026-03-10T00:00:00+00:00"
) -> dict[str, Any]:
    latest = (
        {
            "name": "Ada",
            "role": "risk",
            "signed_at": signed_at,
            "conditions": None,
            "decision": decision,
            "before_run": False,
        }
        if decision
        else None
    )
    return {
        "model": "m",
        "version": "2",
        "status": status,
        "review": {"latest": latest, "decision": decision, "stale": 1},
        "checks": None,
    }


SAYS = "card.md says {}, but the latest current sign-off decided {}"


@pytest.mark.parametrize(
    ("status", "decision", "expected"),
    [
        ("approved", "approved", None),
        ("approved", "approved-with-conditions", None),
        ("approved", None, "card.md says approved, but no current sign-off approves this version"),
        ("approved", "rejected", SAYS.format("approved", "rejected")),
        ("in-review", "approved-with-conditions",
         SAYS.format("in-review", "approved-with-conditions")),
        ("draft", "rejected", SAYS.format("draft", "rejected")),
        ("in-review", None, None),
        ("retired", "approved", None),
        (None, "approved", None),
    ],
)  # fmt: skip
def test_status_and_decision_contradictions(
    status: str | None, decision: str | None, expected: str | None
) -> None:
    assert contradiction(status, decision) == expected


def _summaries(windows: list[tuple[str, dict[str, int]]]) -> DriftSummaries:
    made = tuple(
        WindowSummary(
            key=start[:10],
            start=start,
            end=start,
            rows=sum(v.values()),
            versions=tuple(sorted(v.items())),
            features=(),
        )
        for start, v in windows
    )
    return DriftSummaries(model="m", engine="duckdb", window="day", window_rows=None,
                          reference_name="ref", bins=(), reference=(), reference_chunks=(),
                          windows=made, sources=())  # type: ignore[arg-type]  # fmt: skip


def test_rows_served_before_the_approving_signoff_are_counted_and_warned() -> None:
    windows = [
        ("2026-03-01T00:00:00+00:00", {"1": 50}),
        ("2026-03-08T00:00:00+00:00", {"1": 10, "2": 30}),
        ("2026-03-09T00:00:00+00:00", {"2": 20}),
        ("2026-03-11T00:00:00+00:00", {"2": 40}),
    ]
    status = live_status(_review("approved", "approved"), None, _summaries(windows))
    assert status["production"] == {
        "first_window": "2026-03-08T00:00:00+00:00",
        "rows": 90,
        "rows_before_approval": 50,
        "before_approval": True,
        "approved_at": "2026-03-10T00:00:00+00:00",
    }
    assert status_warnings(status) == [
        "m@2: served 50 rows in production (from 2026-03-08) before its approval on 2026-03-10"
    ]


def test_no_approval_means_every_served_row_is_before_approval() -> None:
    windows = [("2026-03-08T00:00:00+00:00", {"2": 30})]
    status = live_status(_review("in-review", "rejected"), None, _summaries(windows))
    assert status["production"]["rows_before_approval"] == 30
    assert status["production"]["approved_at"] is None
    assert status_warnings(status)[1] == (
        "m@2: served 30 rows in production (from 2026-03-08) with no approving sign-off"
    )


def test_a_version_never_seen_in_production_and_one_approved_first_warn_nothing() -> None:
    assert live_status(_review("approved", "approved"), None, _summaries([]))["production"] is None
    windows = [("2026-03-12T00:00:00+00:00", {"2": 30})]
    status = live_status(_review("approved", "approved"), None, _summaries(windows))
    assert status["production"]["before_approval"] is False
    assert status_warnings(status) == []


def test_the_gate_verdict_is_the_worst_rule() -> None:
    review = _review("approved", "approved")
    review["checks"] = [
        {"rule": "a", "status": "pass", "figure": "1"},
        {"rule": "b", "status": "warn", "figure": "2"},
    ]
    gate = live_status(review)["gate"]
    assert gate["verdict"] == "warn" and gate["counts"] == {"pass": 1, "warn": 1, "fail": 0}
    review["checks"].append({"rule": "c", "status": "fail", "figure": "3"})
    assert live_status(review)["gate"]["verdict"] == "fail"


def test_signoff_time_is_given_in_utc_as_the_review_page_shows_it() -> None:
    # 01:30 at +05:30 is 20:00 UTC the day before: the card said 2026-06-11, the review page
    # 2026-06-10 20:00 UTC.
    status = live_status(_review("approved", "approved", "2026-06-11T01:30:00+05:30"))
    assert status["signoff"]["signed_at"] == "2026-06-10T20:00:00+00:00"
