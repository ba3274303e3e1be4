"""``cardpress serve SITE``: the built site over HTTP on this machine, as a web host serves it.

For looking at a site in a browser where opening ``index.html`` from disk is not enough (a
browser that limits ``file://``, or to check the site as its host will serve it). A missing
address gets the site's ``404.html`` with status 404, as GitHub Pages, S3 and nginx do. Only
files inside the site folder are served; it listens on the loopback address unless told
otherwise. Not a production server: publish the folder to a real host (docs/publishing.md).
"""

from __future__ import annotations

import functools
import http.server
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cardpress.errors import CardpressError, UsageError


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of one folder; the site's 404 page for anything missing; quiet logs."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file() or self.command != "GET":
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown the URL the user needs


def make_server(site: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """A server of ``site`` bound to ``host:port`` (port 0: any free port), not yet serving.

    Raises:
        CardpressError: ``site`` is not a built site.
        UsageError: the address cannot be bound (in use, or not this machine's).
    """
    if not (site / "index.html").is_file():
        raise CardpressError(
            f"{site}: has no index.html — build a site first: cardpress build RECORDS -o {site}"
        )
    handler: Callable[..., _SiteHandler] = functools.partial(_SiteHandler, directory=str(site))
    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise UsageError(
            f"{host}:{port}: cannot listen there ({error.strerror}) — choose another --port"
        ) from error


def url_of(server: http.server.ThreadingHTTPServer) -> str:
    """The address to open in a browser."""
    address = server.server_address[0]
    host = address.decode() if isinstance(address, bytes) else str(address)
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{server.server_port}/"
