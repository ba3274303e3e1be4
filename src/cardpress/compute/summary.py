"""The headline of a version card: what a reviewer reads first, from the card's own data.

The card is frozen when the version is published, so this panel holds the facts of that moment
(algorithm, risk, evaluation results, fairness, completeness). What changes after publication —
the sign-off decision, the policy gate, drift, lineage freshness — is the live status
(:mod:`cardpress.compute.live_status`), shown beside it and dated.
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.card_data import algorithm_label

HEADLINE_METRICS = 6


def card_summary(card: dict[str, Any]) -> dict[str, Any]:
    """The frozen headline of ``card`` (card data with its fairness headline filled in)."""
    sections = card["sections"]
    details = sections["model_details"]
    risk = details.get("risk")
    return {
        "status_at_publication": card["status"],
        "risk": risk["rating"] if risk else None,
        "algorithm": algorithm_label(details),
        "metrics": headline_metrics(sections),
        "fairness": fairness_headline(sections["quantitative_analyses"].get("fairness")),
        "not_documented": len(card["completeness"]["missing"]),
    }


def headline_metrics(sections: dict[str, Any]) -> list[dict[str, Any]]:
    """Overall results on the evaluation data sets (all overall results when none is named)."""
    evaluation = {d["id"] for d in sections["evaluation_data"]["datasets"]}
    quantitative = sections["quantitative_analyses"]
    # a regression run that records no metrics: the ones computed from its predictions
    overall = quantitative.get("overall") or (quantitative.get("fairness") or {}).get("overall", [])
    chosen = [r for r in overall if r["dataset"] in evaluation] or overall
    return [
        {k: r[k] for k in ("key", "dataset", "value", "ci", "step", "recorded") if k in r}
        for r in chosen[:HEADLINE_METRICS]
    ]


def fairness_headline(fairness: dict[str, Any] | None) -> dict[str, Any] | None:
    """Four-fifths flags and the widest gaps over every grouping, or None without a report."""
    if not fairness:
        return None
    rows = fairness["headline"]
    if fairness.get("task") == "regression":
        return _regression_headline(fairness["href"], rows)
    flagged = _by_grouping(rows, "flagged")
    unconfirmed = _by_grouping(rows, "not_significant")
    return {
        "href": fairness["href"],
        "flagged_groups": sum(len(f["groups"]) for f in flagged),
        "flagged": flagged,
        # below the threshold, but Fisher's test cannot tell the shortfall from chance
        "not_significant_groups": sum(len(f["groups"]) for f in unconfirmed),
        "not_significant": unconfirmed,
        # verdicts the rule reached (groups, or group and class): 0 is "not judged", never a ✓;
        # None for a card published before the count
        "four_fifths_judged": (
            sum(r["judged"] for r in rows) if all("judged" in r for r in rows) else None
        ),
        "lowest_parity_ratio": _extreme(rows, "demographic_parity_ratio", min),
        "largest_odds_difference": _extreme(rows, "equalized_odds_difference", max),
    }


def _by_grouping(rows: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """The groups each grouping lists under ``field`` (none: left out), with its anchor."""
    return [
        {"grouping": r["grouping"], "anchor": r["anchor"], "groups": list(r[field])}
        for r in rows
        if r.get(field)
    ]


def _extreme(rows: list[dict[str, Any]], measure: str, pick: Any) -> dict[str, Any] | None:
    found = [
        (r["parity"][measure], r["grouping"]) for r in rows if r["parity"].get(measure) is not None
    ]
    if not found:
        return None
    value, grouping = pick(found)
    return {"value": value, "grouping": grouping}


def _regression_headline(href: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """No selection rule applies to a regression: the worst group's MAE over every grouping."""
    found = [r for r in rows if r["regression"]["worst_mae"] is not None]
    worst = None
    if found:
        row = max(found, key=lambda r: r["regression"]["worst_mae"])
        figures = row["regression"]
        worst = {
            "value": figures["worst_mae"], "group": figures["worst_group"],
            "grouping": row["grouping"], "overall": figures["overall_mae"],
        }  # fmt: skip
    return {
        "href": href, "task": "regression", "flagged_groups": 0, "flagged": [],
        "not_significant_groups": 0, "not_significant": [], "four_fifths_judged": None,
        "lowest_parity_ratio": None, "largest_odds_difference": None, "worst_group_mae": worst,
    }  # fmt: skip
