"""A build's charts: kept ones read from the cache, the others drawn while the build goes on.

Drawing charts is a large part of a cold build's work, and it is done on background threads
(:mod:`cardpress.render.chart_workers`), so it need not wait for the rest of the build. When the
records' chart cache holds no chart (a first build, or the cache was deleted), the workers are
started as the build starts, before it loads its engines; every chart is sent to them as soon as
its page is planned (:meth:`ChartFeed.prefetch`), and the pages take their SVGs when they are
filled in (:meth:`ChartFeed.render`). A build with charts kept starts its workers when it first
knows of missing charts: one renderer thread when they are few (a new version's; a second
engine's start would cost more than it saves), one per CPU when they are many — or at once, one
per CPU, when the caller knows that many will be: when the monitoring files changed since the
last build, the drift charts that follow the windows (timelines, the latest window's histograms)
are drawn again, and a worker's start (~0.2 s) then overlaps the loading of the data engines
instead of following the monitoring read.
The folders whose changes mean that are the ones the build :meth:`ChartFeed.watch` es. Which
charts a page shows, and their bytes, do not depend on any of this: only when they are drawn.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardpress.readers import chart_cache
from cardpress.render.chart_workers import Workers

if TYPE_CHECKING:
    from cardpress.compute.fairness.regression_report import SliceReport
    from cardpress.compute.site import Site
    from cardpress.model import Run
    from cardpress.render.plans import PagePlan, VersionCard

Spec = dict[str, Any]


class ChartFeed:
    """Where the pages of one build get their charts' SVGs."""

    def __init__(self, records: Path, workers: int) -> None:
        self.folder = chart_cache.cache_folder(records)
        self.workers = workers  # threads to draw with; 1: draw in the caller's thread, as needed
        self.pool: Workers | None = None
        self._missing: set[str] = set()  # keys of the charts known not to be kept
        # the chart mappings of pages prefetched already, by id (held, so no id is reused): a
        # version's card and fairness page are prefetched as planned, then again with the site
        self._sent: dict[int, Mapping[str, Any]] = {}
        self.watched: list[str] = []  # folders of the records whose change redraws many charts

    def start(self, threads: int | None = None) -> None:
        """Start the chart workers now (``threads`` of them; default: one per CPU)."""
        if self.pool is None and self.workers > 1:
            count = threads or self.workers
            folder = self.folder
            if folder is None:
                self.pool = Workers(count)
                return

            def keep(spec: str, svg: str) -> bool:
                return chart_cache.save_svg(folder, chart_cache.chart_key(spec), svg)

            def load(spec: str) -> str | None:
                return chart_cache.load_svg(folder, chart_cache.chart_key(spec))

            self.pool = Workers(count, keep, load)

    def watch(self, folders: list[str]) -> None:
        """Folders (relative to the records) whose files, changed, make many charts drawn again.

        The monitoring folders: the caller keeps their stamp, and the next build starts its
        workers at once when it differs (see :func:`chart_feed`).
        """
        self.watched = sorted(set(self.watched) | set(folders))

    def prefetch(self, plans: list[PagePlan]) -> None:
        """Start drawing the charts of these pages that are not kept."""
        from cardpress.render.charts import POOL_THRESHOLD
        from cardpress.render.pages import chart_specs

        plans = [plan for plan in plans if id(plan.charts) not in self._sent]
        self._sent.update((id(plan.charts), plan.charts) for plan in plans if plan.charts)
        texts = dict.fromkeys(chart_cache.spec_json(spec) for spec in chart_specs(plans))
        keys = {text: chart_cache.chart_key(text) for text in texts}
        new = [
            text for text, key in keys.items() if key not in self._missing and not self._kept(key)
        ]
        self._missing.update(keys[text] for text in new)
        if self.pool is None:
            if self.workers <= 1 or not new:
                return  # drawn in the caller's thread, as pages ask for them; or none to draw
            # A few charts (a new version's) are drawn beside the build all the same, on one
            # renderer thread: no second engine to start (~0.2 s of CPU), and the build plans and
            # compares its other pages meanwhile (adding a version to 1 × 300: 0.5 s sooner).
            self.start(1 if len(self._missing) < POOL_THRESHOLD else None)
        if self.pool is not None:
            # The longest specs (the slowest charts) first, so no worker is left with one at the
            # end while the other waits; then by text, so the order does not vary.
            self.pool.submit(sorted(new, key=lambda text: (-len(text), text)))

    def render(self, specs: list[Spec]) -> list[str]:
        """The SVG of each spec, in order: kept ones read back, the others drawn and kept."""
        from cardpress.render import charts  # looked up now: a test can watch what is drawn

        def draw(missing: list[Spec]) -> list[str]:
            return charts.render_svgs(missing, self.workers, pool=self.pool)

        if self.pool is None or self.folder is None:
            return chart_cache.cached_svgs(self.folder, specs, draw)
        # Charts the pool drew (or is drawing) come from it; the others are read back from the
        # cache or drawn. The pool keeps what it draws, in its own threads.
        texts = [chart_cache.spec_json(spec) for spec in specs]
        submitted = list(dict.fromkeys(self.pool.submitted(texts)))
        held = dict(zip(submitted, self.pool.results(submitted), strict=True))
        rest = [spec for spec, text in zip(specs, texts, strict=True) if text not in held]
        others = iter(chart_cache.cached_svgs(self.folder, rest, draw, keep=False))
        return [held[text] if text in held else next(others) for text in texts]

    def _kept(self, key: str) -> bool:
        if self.folder is None:
            return False
        return chart_cache.load_svg(self.folder, key) is not None


def card_planner(
    site: Site, feed: ChartFeed | None, cards: dict[tuple[str, str], VersionCard]
) -> Callable[[Run, SliceReport], None]:
    """Each fairness report, as it is computed: its version's card and page planned, charts begun.

    The card and fairness page go into ``cards``; ``feed`` starts drawing their charts. Most
    of a version's charts are its fairness page's, and the reports of a cold build of many
    versions took longer than anything else before the first page was planned: the workers
    waited for all of them. Now they draw while the next reports are computed.
    """
    from cardpress.render.plans import PagePlan
    from cardpress.render.version_plans import plan_card

    entries = {(m.name, e.version): (m, e) for m in site.models for e in m.versions}

    def planned(run: Run, report: SliceReport) -> None:
        key = (run.model, run.version)
        model, entry = entries[key]
        card = cards[key] = plan_card(site, model, entry, {key: report})
        data, fairness, charts = card
        if feed is not None:
            feed.prefetch([PagePlan("", "card.html", data, charts), *filter(None, [fairness])])

    return planned


@contextmanager
def chart_feed(records: Path, many: bool = False) -> Iterator[ChartFeed]:
    """The chart feed of a build; its workers, if any, are stopped when the build ends.

    The workers start at once when no chart is kept, or when the caller knows (``many``) that
    many charts will be drawn; otherwise once the missing charts are known to be many.
    """
    feed = ChartFeed(records, os.cpu_count() or 1)
    if many or _nothing_kept(feed.folder):
        feed.start()
    try:
        yield feed
    finally:
        if feed.pool is not None:
            feed.pool.close()


def _nothing_kept(folder: Path | None) -> bool:
    """Whether the chart cache holds no chart: then this build draws every chart it shows."""
    if folder is None:
        return True
    try:
        with os.scandir(folder / "charts") as entries:
            return next(entries, None) is None
    except OSError:  # no such folder yet
        return True
