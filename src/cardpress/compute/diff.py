"""What changed from one version of a model to the next, from the two cards' data.

Works on card data (the dicts the card pages and their ``.json`` are made from), so a version
already published is compared exactly as it was published.
"""

from __future__ import annotations

import difflib
import re
from html import unescape
from typing import Any

from cardpress.compute.card_data import algorithm_label
from cardpress.compute.direction import judged

_TAGS = re.compile(r"<[^>]+>")


def diff_data(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Changes from ``before`` (the previous version's card) to ``after``, as JSON-able data."""
    old, new = comparable(before), comparable(after)
    metrics = _deltas(_table(old["metrics"]), _table(new["metrics"]))
    fairness = _deltas(_table(old["fairness"]), _table(new["fairness"]))
    return {
        "kind": "version-diff",
        "model": after["model"],
        "title": after["title"],
        "version": after["version"],
        "previous_version": before["version"],
        "algorithm": {
            "before": old["algorithm"],
            "after": new["algorithm"],
            "changed": old["algorithm"] != new["algorithm"],
        },
        "params": _keyed(old["params"], new["params"]),
        "code": _keyed(old["code"], new["code"]),
        "datasets": _keyed(old["datasets"], new["datasets"]),
        "metrics": [
            {
                "key": metric,
                "dataset": dataset,
                "group": group,
                **values,
                "change": judged(values["delta"], metric),
            }
            for (metric, dataset, group), values in metrics
        ],
        "fairness": [
            {
                "grouping": grouping,
                "measure": measure,
                **values,
                "change": judged(values["delta"], measure),
            }
            for (grouping, measure), values in fairness
        ],
        "text": _text_diff(before["version"], old["text"], after["version"], new["text"]),
    }


def comparable(card: dict[str, Any]) -> dict[str, Any]:
    """What a version is compared on, from its card data: the input of every diff.

    The compare page ships this for every version, so the browser can diff any two with the
    same rules as :func:`diff_data`. Metrics are ``[metric, data set, group, value]`` rows and
    fairness disparities ``[grouping, measure, value]`` rows, sorted.
    """
    sections = card["sections"]
    metrics = [[*key, value] for key, value in sorted(_metrics(sections).items())]
    fairness = [[*key, value] for key, value in sorted(_fairness(sections).items())]
    return {
        "version": card["version"],
        "algorithm": algorithm_label(sections["model_details"]),
        "params": _params(sections),
        "code": _code(sections),
        "datasets": _datasets(sections),
        "metrics": metrics,
        "fairness": fairness,
        "text": _narrative_lines(card),
    }


def _table(rows: list[list[Any]]) -> dict[tuple[str, ...], Any]:
    return {tuple(row[:-1]): row[-1] for row in rows}


def _params(sections: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["value"] for p in sections["model_details"]["params"]}


def _code(sections: dict[str, Any]) -> dict[str, Any]:
    code = sections["model_details"]["code"]
    return {key: value for key, value in code.items() if value is not None}


def _datasets(sections: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for group in ("evaluation_data", "training_data"):
        for key in ("datasets", "other_datasets"):
            for d in sections[group].get(key, []):
                # what was not recorded is said so, not printed as Python's None
                sha256 = d["sha256"] or "not recorded"
                rows = "not recorded" if d["rows"] is None else d["rows"]
                found[d["id"]] = f"{d['role']} {d['uri']} sha256 {sha256} rows {rows}"
    return found


def _keyed(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per key that was added, removed or changed (unchanged keys are left out)."""
    rows = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            rows.append({"name": key, "change": "added", "before": None, "after": new[key]})
        elif key not in new:
            rows.append({"name": key, "change": "removed", "before": old[key], "after": None})
        elif old[key] != new[key]:
            rows.append({"name": key, "change": "changed", "before": old[key], "after": new[key]})
    return rows


def _deltas(before: dict[Any, Any], after: dict[Any, Any]) -> list[Any]:
    """(key, {before, after, delta}) for every key of either side; delta is new − old."""
    rows = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        delta = now - was if was is not None and now is not None else None
        rows.append((key, {"before": was, "after": now, "delta": delta}))
    return rows


FAIRNESS_MEASURES = {
    "demographic_parity_difference": "demographic parity difference",
    "demographic_parity_ratio": "demographic parity ratio",
    "equalized_odds_difference": "equalized odds difference",
    "equalized_odds_ratio": "equalized odds ratio",
}
REGRESSION_MEASURES = {
    "worst_mae": "worst group's MAE",
    "mae_difference": "MAE difference",
    "mae_ratio": "MAE ratio",
    "bias_difference": "bias difference",
}


def _fairness(sections: dict[str, Any]) -> dict[tuple[str, str], float]:
    """Headline disparities of the fairness report by (grouping, measure); none without one."""
    report = sections["quantitative_analyses"].get("fairness") or {}
    values = {}
    for row in report.get("headline", []):
        for key, name in FAIRNESS_MEASURES.items():
            if row["parity"].get(key) is not None:
                values[(row["grouping"], name)] = row["parity"][key]
        if row.get("auc_difference") is not None:
            values[(row["grouping"], "AUC difference")] = row["auc_difference"]
        for key, name in REGRESSION_MEASURES.items():  # regression models
            if (row.get("regression") or {}).get(key) is not None:
                values[(row["grouping"], name)] = row["regression"][key]
    return values


def _metrics(sections: dict[str, Any]) -> dict[tuple[str, str, str], float]:
    quantitative = sections["quantitative_analyses"]
    rows = quantitative["overall"] + quantitative["disaggregated"]
    return {(r["key"], r["dataset"], _group(r)): r["value"] for r in rows}


def _group(row: dict[str, Any]) -> str:
    return f"{row['group_columns']} = {row['group']}" if row["group"] else ""


def _text_diff(old_version: str, old: list[str], new_version: str, new: list[str]) -> list[str]:
    """Unified diff of the cards' narrative, as plain text lines."""
    labels = (f"version {old_version}", f"version {new_version}")
    return list(difflib.unified_diff(old, new, *labels, lineterm="", n=1))


def _narrative_lines(card: dict[str, Any]) -> list[str]:
    lines = [card.get("summary") or "", *_html_lines(card.get("intro_html", ""))]
    for section_id, title in card["section_titles"].items():
        narrative = card["sections"][section_id].get("narrative", "")
        if narrative:
            lines += [f"## {title}", *_html_lines(narrative)]
    for extra in card.get("additional_sections", []):
        lines += [f"## {extra['heading']}", *_html_lines(extra["html"])]
    return [line for line in lines if line.strip()]


def _html_lines(html: str) -> list[str]:
    text = _TAGS.sub("", html.replace("</p>", "\n").replace("<br>", "\n").replace("</li>", "\n"))
    return [unescape(line).strip() for line in text.splitlines()]
