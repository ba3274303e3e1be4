"""Files for web hosts and crawlers: ``sitemap.xml`` and ``robots.txt``."""

from __future__ import annotations

from xml.sax.saxutils import escape


def sitemap_xml(pages: list[str], base_url: str) -> bytes:
    """A sitemap of every HTML page under ``base_url`` (which ends with ``/``)."""
    urls = "".join(
        f"  <url><loc>{escape(base_url + page)}</loc></url>\n"
        for page in sorted(pages)
        if page != "404.html"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()


def robots_txt(policy: str, base_url: str | None) -> bytes:
    """``robots.txt`` that allows or disallows crawling, naming the sitemap when there is one."""
    rule = "Allow: /" if policy == "allow" else "Disallow: /"
    sitemap = f"Sitemap: {base_url}sitemap.xml\n" if base_url and policy == "allow" else ""
    return f"User-agent: *\n{rule}\n{sitemap}".encode()


def normalise_base_url(base_url: str) -> str:
    """The base URL with exactly one trailing slash."""
    return base_url.rstrip("/") + "/"
