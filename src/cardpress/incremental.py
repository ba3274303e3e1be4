"""Incremental builds: render only the pages, and the charts, whose inputs changed.

Both caches live in ``<records>/.cardpress-cache/`` and only save time: a page is carried over
from the previous site when the digest of its inputs is the one recorded for it *and* each of
its files there still has the sha256 recorded, so the site is byte-identical to a clean build.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from cardpress.compute.site import Site
from cardpress.readers import chart_cache, page_cache
from cardpress.render import charts
from cardpress.render.env import ContainedLoader
from cardpress.render.page_digest import plan_digest, shared_digest
from cardpress.render.pages import output_paths, render_pages
from cardpress.render.plans import PagePlan, RenderedFile
from cardpress.render.site_data import site_data

logger = logging.getLogger("cardpress")


@dataclass
class Pages:
    """A build's pages: files rendered now, files carried over (path -> sha256), and digests.

    ``rendered`` yields the files as they are rendered, once: the writer writes each as it
    comes, so the site is never held whole.
    """

    rendered: Iterator[RenderedFile]
    carried: dict[str, str]
    digests: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, list[str]] = field(default_factory=dict)


def build_pages(
    plans: list[PagePlan],
    site: Site,
    env: jinja2.Environment,
    version: str,
    records: Path,
    out: Path,
    known: dict[str, str] | None = None,
    render: chart_cache.Render | None = None,
) -> Pages:
    """Render the pages whose inputs changed; the others are carried over from ``out``.

    ``known`` (path -> sha256), when given, are the files of ``out`` as its manifest lists them,
    known to be intact (the site is as the build that wrote them left it): a page is then
    checked against them instead of by reading its files again. ``render`` draws the charts
    (:meth:`cardpress.chart_feed.ChartFeed.render`); by default, kept ones are read from the
    records' cache and the others drawn now.
    """
    shared = _shared(site, version, [Path(folder) for folder in _search_path(env)])
    digests = {plan.path: plan_digest(plan, shared) for plan in plans}
    kept = page_cache.load_pages(page_cache.pages_file(records, out))
    carried: dict[str, str] = {}
    todo = []
    for plan in plans:
        entry = kept.get(plan.path)
        if (entry is not None and entry[0] == digests[plan.path]
                and sorted(entry[1]) == sorted(output_paths(plan))
                and _intact(out, entry[1], known)):  # fmt: skip
            carried.update(entry[1])
        else:
            todo.append(plan)
    if render is None:
        # charts.render_svgs looked up now, not at import, so a test can watch what is rendered
        folder = chart_cache.cache_folder(records)
        render = partial(chart_cache.cached_svgs, folder, render=charts.render_svgs)
    logger.info("%d pages rendered, %d carried over unchanged", len(todo), len(plans) - len(todo))
    outputs = {plan.path: output_paths(plan) for plan in plans}
    rendered = render_pages(todo, site, env, version, render) if todo else iter(())
    return Pages(rendered, carried, digests, outputs)


def _intact(out: Path, files: dict[str, str], known: dict[str, str] | None) -> bool:
    if known is not None:
        return all(known.get(name) == digest for name, digest in files.items())
    return page_cache.unchanged_files(out, files)


def remember(pages: Pages, records: Path, out: Path, sums: dict[str, str]) -> None:
    """Keep the digests of the pages just written into ``out``, for the next build.

    ``sums`` are the sha256 of the site's files, as its manifest lists them.
    """
    kept = {
        path: (digest, {name: sums[name] for name in pages.outputs[path]})
        for path, digest in pages.digests.items()
    }
    page_cache.save_pages(page_cache.pages_file(records, out), kept)


def _shared(site: Site, version: str, folders: list[Path]) -> str:
    """The digest of what every page shares: header data, generator, templates, code, renderer."""
    header: dict[str, Any] = site_data(site)
    if not page_cache.templates_read_build_time(folders):
        # The default theme shows the build time on the home page only (from the page's data):
        # leaving it out lets a build whose records got newer carry the other pages over.
        del header["built_at"]
    return shared_digest({
        "site": header,
        "generator": version,
        "templates": page_cache.folder_digest(folders),
        "render code": page_cache.render_code_digest(),
        "charts": chart_cache.chart_key(""),  # the renderer's version and the chart code
    })  # fmt: skip


def _search_path(env: jinja2.Environment) -> list[str]:
    loader = env.loader
    assert isinstance(loader, ContainedLoader)  # make_env's loader
    return [str(folder) for folder in loader.folders]
