r"""`cardpress check` results as text for a terminal, JUnit XML for CI systems, and Markdown.

Pure: each function returns a string. JUnit XML is built with ElementTree, so every figure and
name from the records is escaped. A character XML 1.0 cannot hold even escaped (a control
character in a policy rule's name, say) is written as its escape, ``\x01``, in every output:
the JUnit report always parses, and a terminal is never sent an escape sequence.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from cardpress.compute.check import RuleResult
from cardpress.xml_text import visible

LABEL = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "n/a": "N/A "}


def summary_line(results: Sequence[RuleResult]) -> str:
    """``1 failed, 2 warned, 5 passed`` (and ``, 1 not applicable`` when a rule was not)."""
    counts = {status: sum(r.status == status for r in results) for status in LABEL}
    line = f"{counts['fail']} failed, {counts['warn']} warned, {counts['pass']} passed"
    return line + (f", {counts['n/a']} not applicable" if counts["n/a"] else "")


def as_text(results: Sequence[RuleResult]) -> str:
    """One block per model version; each rule's status, figure, limit and policy line."""
    lines = []
    for target, rows in groupby(results, key=lambda r: r.target):
        lines.append(target)
        for r in rows:
            lines.append(
                f"  {LABEL[r.status]}  {r.rule}: {r.figure} (limit: {r.limit}) [{r.source}]"
            )
    lines.append(summary_line(results))
    return visible("\n".join(lines)) + "\n"


def as_junit(results: Sequence[RuleResult]) -> str:
    """JUnit XML: a test suite per model version, a test case per rule; warnings pass, noted."""
    suites = ET.Element("testsuites", name="cardpress check")
    suites.set("tests", str(len(results)))
    suites.set("failures", str(sum(r.status == "fail" for r in results)))
    for target, group in groupby(results, key=lambda r: r.target):
        rows = list(group)
        suite = ET.SubElement(suites, "testsuite", name=target, tests=str(len(rows)))
        suite.set("failures", str(sum(r.status == "fail" for r in rows)))
        suite.set("errors", "0")
        suite.set("skipped", str(sum(r.status == "n/a" for r in rows)))
        for r in rows:
            case = ET.SubElement(suite, "testcase", name=r.rule, classname=target, file=r.source)
            message = f"{r.figure} (limit: {r.limit}) [{r.source}]"
            if r.status == "fail":
                ET.SubElement(case, "failure", message=message, type=r.kind).text = message
            elif r.status == "warn":
                ET.SubElement(case, "system-out").text = f"warning: {message}"
            elif r.status == "n/a":
                ET.SubElement(case, "skipped", message=message)
    ET.indent(suites)
    return visible(ET.tostring(suites, encoding="unicode", xml_declaration=True)) + "\n"


def as_markdown(results: Sequence[RuleResult]) -> str:
    """A Markdown table for a CI step summary (e.g. ``$GITHUB_STEP_SUMMARY``)."""
    lines = [
        f"### cardpress check: {summary_line(results)}",
        "",
        "| Result | Version | Rule | Figure | Limit | Policy |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        cells = [LABEL[r.status].strip(), r.target, r.rule, r.figure, r.limit, r.source]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return visible("\n".join(lines)) + "\n"


def _cell(text: str) -> str:
    """Table cell text: pipes escaped, HTML characters escaped, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")
