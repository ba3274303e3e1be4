"""A version's pages, planned: card, fairness report, print view, diff, review, compliance.

The first four are frozen once published; review and compliance are rebuilt every build.
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.card import card_data
from cardpress.compute.card_data import TASK_INFERRED
from cardpress.compute.diff import diff_data
from cardpress.compute.fairness.multiclass_types import MulticlassReport
from cardpress.compute.fairness.regression_report import RegressionReport, SliceReport
from cardpress.compute.site import ModelEntry, Site, VersionEntry
from cardpress.compute.summary import card_summary
from cardpress.render.card_charts import card_chart_specs
from cardpress.render.charts import Chart
from cardpress.render.fairness.data import fairness_chart_specs, fairness_data, headline
from cardpress.render.fairness.multiclass import (
    multiclass_chart_specs,
    multiclass_csv,
    multiclass_data,
    multiclass_headline,
)
from cardpress.render.fairness.multiclass_scored import multiclass_calibration_csv
from cardpress.render.fairness.regression import (
    overall_results,
    regression_chart_specs,
    regression_data,
    regression_headline,
)
from cardpress.render.fairness.scored import calibration_csv, thresholds_csv
from cardpress.render.fairness.tables import fairness_csv
from cardpress.render.plans import Extras, PagePlan, RenderedFile, VersionCard
from cardpress.render.review_data import compliance_data, review_data


def version_pages(
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    cards: dict[tuple[str, str], dict[str, Any]],
    extras: Extras,
) -> list[PagePlan]:
    """The frozen pages of a version: card, fairness report, diff against the previous."""
    base = f"models/{model.name}/v/{entry.version}"
    planned = extras.cards.get((model.name, entry.version))
    data, fairness, card_charts = planned or plan_card(site, model, entry, extras.fairness)
    cards[(model.name, entry.version)] = data
    plans = [PagePlan(f"{base}/index.html", "card.html", data, card_charts)]
    plans += [fairness] if fairness is not None else []
    plans.append(_print_page(base, data, card_charts, fairness))
    previous = cards.get((model.name, entry.previous or ""))
    if previous is not None:
        plans.append(PagePlan(f"{base}/diff/index.html", "diff.html", diff_data(previous, data)))
    return plans


def plan_card(
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    reports: dict[tuple[str, str], SliceReport],
) -> VersionCard:
    """A version's card and fairness page, planned: their charts can be drawn from now on."""
    data, fairness = version_card(site, model, entry, reports)
    return data, fairness, card_chart_specs(data)


def version_card(
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    reports: dict[tuple[str, str], SliceReport],
) -> tuple[dict[str, Any], PagePlan | None]:
    """The card data of a version, with its fairness headline, and its fairness page if any."""
    data = card_data(model, entry)
    report = reports.get((model.name, entry.version))
    page = _fairness_page(site, data, entry, report) if report is not None else None
    if report is not None and page is not None:
        regression = report.task == "regression"
        rows = (regression_headline if regression else multiclass_headline
                if isinstance(report, MulticlassReport) else headline)(page.data)  # fmt: skip
        data["sections"]["quantitative_analyses"]["fairness"] = {
            "href": "fairness/index.html", "headline": rows, "task": report.task
        }  # fmt: skip
        if regression:
            data["sections"]["quantitative_analyses"]["fairness"]["overall"] = overall_results(
                page.data
            )
        details = data["sections"]["model_details"]
        if details["task"] is None:  # not recorded: the task the predictions were read as
            details["task"] = report.task
            details["task_source"] = TASK_INFERRED
        page.data["task_source"] = details["task_source"]
    data["summary_panel"] = card_summary(data)
    return data, page


def _print_page(
    base: str, card: dict[str, Any], card_charts: dict[str, Chart], fairness: PagePlan | None
) -> PagePlan:
    """The card and its fairness report as one document to print (``print.html``, frozen).

    It sits beside the card's ``index.html``, so the card's relative links work unchanged.
    """
    charts = {f"card:{name}": spec for name, spec in card_charts.items()}
    data: dict[str, Any] = {"kind": "print", "card": card, "fairness": None}
    if fairness is not None:
        charts |= {f"fairness:{name}": spec for name, spec in fairness.charts.items()}
        data["fairness"] = fairness.data
    return PagePlan(f"{base}/print.html", "print.html", data, charts)


def live_pages(
    model: ModelEntry, entry: VersionEntry, card: dict[str, Any], extras: Extras
) -> list[PagePlan]:
    """The pages of a version rebuilt at every build: review (sign-offs, checks), compliance."""
    base = f"models/{model.name}/v/{entry.version}"
    key = (model.name, entry.version)
    review = review_data(model, entry, extras.signoffs, extras.checks.get(key))
    # A diff page is made when a version is published after another; a published version keeps
    # the pages it was published with, so one that sorted first then still has none.
    has_diff = card["previous_version"] is not None
    compliance = compliance_data(
        card, review, has_diff=has_diff, has_drift=model.name in extras.monitored,
        diff_fix=None if has_diff else _late_predecessor(entry),
    )  # fmt: skip
    return [
        PagePlan(f"{base}/review/index.html", "review.html", review),
        PagePlan(f"{base}/compliance/index.html", "compliance.html", compliance),
    ]


def _late_predecessor(entry: VersionEntry) -> str | None:
    """The advice for a version without a diff page that has a predecessor now: compare."""
    earlier = entry.previous
    if earlier is None:
        return None
    return (f"version {entry.version} was published before version {earlier}, which comes "
            f"before it, was added, and stays as it was published: the model's compare page "
            f"shows the changes between {earlier} and {entry.version}")  # fmt: skip


def _fairness_page(
    site: Site, card: dict[str, Any], entry: VersionEntry, report: SliceReport
) -> PagePlan:
    assert entry.run.predictions is not None  # a report exists only for runs with predictions
    charts: dict[str, Chart]
    if isinstance(report, RegressionReport):
        data = regression_data(report, entry.run.predictions, site.config.fairness)
        charts, table = regression_chart_specs(data), fairness_csv(data)
    elif isinstance(report, MulticlassReport):
        data = multiclass_data(report, entry.run.predictions, site.config.fairness)
        charts, table = multiclass_chart_specs(data), multiclass_csv(data)
    else:
        data = fairness_data(report, entry.run.predictions, site.config.fairness)
        charts, table = fairness_chart_specs(data), fairness_csv(data)
    for key in ("model", "title", "version", "record"):
        data[key] = card[key]
    folder = f"models/{card['model']}/v/{card['version']}/fairness"
    files = [RenderedFile(f"{folder}/groups.csv", table)]
    if "thresholds" in data:  # with scores: the calibration and threshold tables as CSV too
        files.append(RenderedFile(f"{folder}/calibration.csv", calibration_csv(data)))
        files.append(RenderedFile(f"{folder}/thresholds.csv", thresholds_csv(data)))
    elif "calibration_method" in data:  # multiclass with class scores: calibration per class
        files.append(RenderedFile(f"{folder}/calibration.csv", multiclass_calibration_csv(data)))
    return PagePlan(f"{folder}/index.html", "fairness.html", data, charts, files=tuple(files))
