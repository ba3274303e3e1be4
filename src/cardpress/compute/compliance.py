"""Compliance coverage of one model version: which checklist items the records cover, and where.

The checklist draws on EU AI Act Annex IV and Articles 10, 12, 14, 18, 19 and 72, the NIST AI RMF,
SR 11-7 and ISO/IEC 42001 (items as in docs/compliance.md). Each item lists *evidence*: a card
section or field, the fairness report, sign-offs, the version diff, the change log, the
manifest, or a ``## …`` section of card.md with a matching heading. An item is *covered* when
all its evidence is present, *partial* when some is, *not covered* otherwise; what is missing is
said with how to add it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Probe = tuple[str, str]  # (kind, what): section | field | heading | page


@dataclass(frozen=True)
class Item:
    """One checklist item and the evidence that covers it."""

    number: int
    title: str
    sources: str
    evidence: tuple[Probe, ...]


CHECKLIST: tuple[Item, ...] = (
    Item(1, "Intended purpose, provider, version and its relation to earlier versions",
         "AI Act Annex IV 1(a); NIST MAP 1.1; ISO/IEC 42001 A.6.2.2",
         (("section", "intended_use"), ("field", "owners"), ("page", "diff"))),
    Item(2, "Software versions, environment, deployment and instructions for use",
         "Annex IV 1(b)–(h); Art. 13",
         (("field", "code version"), ("field", "environment"), ("heading", "deployment"))),
    Item(3, "Development method, pre-trained or third-party components",
         "Annex IV 2(a); NIST MAP 4.1", (("section", "model_details"), ("heading", "development"))),
    Item(4, "Design choices, rationale, assumptions and trade-offs",
         "Annex IV 2(b)–(c); SR 11-7 conceptual soundness", (("heading", "design"),)),
    Item(5, "Data lineage: provenance, selection, labelling, cleaning, representativeness",
         "Annex IV 2(d); Art. 10(2)–(3); ISO A.7.4–A.7.6; NIST MAP 2.3",
         (("section", "training_data"), ("section", "evaluation_data"), ("field", "data hashes"))),
    Item(6, "Bias examination and accuracy for specific groups",
         "Art. 10(2)(f)–(g); Annex IV 2(g), 3; NIST MEASURE 2.11",
         (("page", "fairness"), ("section", "factors"))),
    Item(7, "Human-oversight measures", "Annex IV 2(e), 3; Art. 14; NIST MAP 3.5",
         (("heading", "human oversight"),)),
    Item(8, "Pre-determined changes to the system and its performance", "Annex IV 2(f)",
         (("heading", "planned changes"),)),
    Item(9, "Validation and testing: test data, metrics, reports dated and signed",
         "Annex IV 2(g); NIST MEASURE 2.1, 2.3, 2.5; ISO A.6.2.4; SR 11-7 outcomes analysis",
         (("section", "evaluation_data"), ("section", "quantitative_analyses"),
          ("page", "signoff"))),
    Item(10, "Cybersecurity measures", "Annex IV 2(h)", (("heading", "cybersecurity"),)),
    Item(11, "Capabilities, limits, foreseeable unintended outcomes, input specifications",
         "Annex IV 3; NIST MAP 2.2, MEASURE 2.5",
         (("section", "caveats_and_recommendations"), ("field", "out-of-scope use"))),
    Item(12, "Why the chosen metrics are appropriate", "Annex IV 4; NIST MEASURE 1.1, 2.13",
         (("section", "metrics"),)),
    Item(13, "Risk-management system", "Annex IV 5; Art. 9; NIST MANAGE 1.2",
         (("field", "risk rating"), ("heading", "risk management"))),
    Item(14, "Change log over the lifecycle; changes logged and auditable",
         "Annex IV 6; SR 11-7; ISO 7.5.2", (("page", "changelog"), ("page", "diff"))),
    Item(15, "Harmonised standards applied, or other solutions adopted", "Annex IV 7",
         (("heading", "standards"),)),
    Item(16, "EU declaration of conformity", "Annex IV 8; Art. 47",
         (("heading", "declaration of conformity"),)),
    Item(17, "Post-market monitoring system and plan",
         "Annex IV 9; Art. 72; NIST MEASURE 2.4, MANAGE 4.1; ISO A.6.2.6",
         (("page", "drift"), ("heading", "monitoring"))),
    Item(18, "Automatic event logs over the system's lifetime", "Art. 12; ISO A.6.2.8",
         (("heading", "logging"),)),
    Item(19, "Log retention of at least six months", "Art. 19(1); Art. 26(6)",
         (("heading", "retention"),)),
    Item(20, "Documentation kept for ten years, immutable", "Art. 18(1)",
         (("page", "manifest"),)),
    Item(21, "Go/no-go decision: who approved and accepted residual risk",
         "NIST MANAGE 1.1; SR 11-7", (("page", "signoff"), ("field", "status"))),
    Item(22, "Model inventory, including retired models", "NIST GOVERN 1.6; SR 11-7",
         (("page", "inventory"), ("field", "status"))),
    Item(23, "Periodic review", "SR 11-7; ISO 9.2, 9.3", (("heading", "review"),)),
    Item(24, "Impact assessment for individuals and society", "ISO 8.4, A.5.2–A.5.5",
         (("section", "ethical_considerations"), ("heading", "impact assessment"))),
    Item(25, "Incidents tracked and communicated", "NIST MANAGE 4.3; ISO A.8.4",
         (("heading", "incidents"),)),
    Item(26, "Control of documents: availability, distribution, protection", "ISO 7.5.3",
         (("page", "manifest"), ("field", "owners"))),
)  # fmt: skip

PAGES = {  # page evidence: label, link from the compliance page, how to add it when missing
    "diff": ("changes since the previous version", "../diff/index.html",
             "publish a previous version of the model"),
    "fairness": ("fairness report", "../fairness/index.html",
                 "name sensitive columns in the run's evaluation predictions"),
    "signoff": ("current approving sign-off", "../review/index.html",
                "add a sign-off in signoffs/ (docs/records.md)"),
    "changelog": ("site change log", "../../../../../changelog/index.html", ""),
    "manifest": ("SHA256SUMS and manifest.json (tamper-evident, immutable versions)",
                 "../../../../../manifest.json", ""),
    "inventory": ("model inventory (home page)", "../../../../../index.html", ""),
    "drift": ("drift timeline of production monitoring", "../../../drift/index.html",
              "add monitoring rows under monitoring/<model>/ (docs/drift.md)"),
}  # fmt: skip


def coverage(
    card: dict[str, Any], present: dict[str, bool], fixes: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every checklist item with its status, its evidence (with links) and what is missing.

    ``present`` says which pages exist for this version: diff, fairness, signoff (a current
    approving sign-off), changelog, manifest, inventory. ``fixes`` replaces a missing page's
    advice where the usual one cannot be followed.
    """
    rows = []
    # by id, once a card: a scan of the sections for each probe was most of a site's checklists
    sections: dict[str, dict[str, Any]] = {}
    for row in card["completeness"]["sections"]:
        sections.setdefault(row["id"], row)
    for item in CHECKLIST:
        found: list[dict[str, Any]] = []
        missing: list[dict[str, Any]] = []
        for kind, what in item.evidence:
            evidence = _probe(card, sections, present, kind, what, fixes or {})
            (found if evidence["present"] else missing).append(evidence)
        status = "covered" if not missing else "partial" if found else "not covered"
        rows.append({"number": item.number, "title": item.title, "sources": item.sources,
                     "status": status, "evidence": found, "missing": missing})  # fmt: skip
    return rows


def _probe(
    card: dict[str, Any],
    sections: dict[str, dict[str, Any]],
    present: dict[str, bool],
    kind: str,
    what: str,
    fixes: dict[str, str],
) -> dict[str, Any]:
    if kind == "section":
        title = card["section_titles"][what]
        row = sections[what]
        fix = f"document it in the run record or a ## {title} section of card.md"
        return _evidence(bool(row["documented_by"]), f"card: {title}", f"../index.html#{what}", fix)
    if kind == "field":
        fields = card["completeness"]["fields"]
        has = _has_hashes(card) if what == "data hashes" else bool(fields.get(what))
        fix = f"record the {what} (docs/records.md)"
        return _evidence(has, f"card: {what}", "../index.html#model_details", fix)
    if kind == "heading":
        matches = [s for s in card["additional_sections"] if what in s["heading"].lower()]
        anchor = (
            f"../index.html#extra-{card['additional_sections'].index(matches[0]) + 1}"
            if matches
            else ""
        )
        fix = f"add a card.md section whose heading contains “{what}”"
        label = f"card section “{matches[0]['heading']}”" if matches else f"card section on {what}"
        return _evidence(bool(matches), label, anchor, fix)
    label, href, fix = PAGES[what]
    return _evidence(present.get(what, False), label, href, fixes.get(what, fix))


def _evidence(found: bool, label: str, href: str, fix: str) -> dict[str, Any]:
    return {"present": found, "label": label, "href": href if found else "", "fix": fix}


def _has_hashes(card: dict[str, Any]) -> bool:
    sections = card["sections"]
    datasets = sections["training_data"]["datasets"] + sections["evaluation_data"]["datasets"]
    return bool(datasets) and all(d.get("sha256") for d in datasets)
