"""Where a Hugging Face model card points: its licence's id and card.md's links.

The Hub knows licences by lower-case SPDX ids and asks an ``other`` one for an id of its own;
card.md's relative links point into the audit site, which a Hub repository is not.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

# License ids the Hub knows are lower-case SPDX ids; anything else is "other" with its name.
HUB_LICENSES = frozenset({
    "apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "gpl-2.0", "gpl-3.0", "lgpl-2.1",
    "lgpl-3.0", "agpl-3.0", "mpl-2.0", "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-4.0", "openrail", "bigscience-openrail-m",
    "creativeml-openrail-m", "llama2", "llama3", "gemma", "unlicense", "wtfpl", "artistic-2.0",
    "bsl-1.0", "isc", "zlib", "epl-2.0", "eupl-1.2", "odbl", "pddl",
})  # fmt: skip
# card.md's narrative is sanitised HTML: its links are ``<a href="…" …>text</a>``, never nested
_LINK = re.compile(r"<a\s[^>]*?\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.DOTALL)
_LICENSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")


def site_links(fragment: str, page: str | None) -> str:
    """Narrative HTML with its relative links resolved against the card page's URL.

    On the site, card.md's ``fairness/index.html`` or ``#metrics`` is relative to the card page;
    in a Hub repository it would lead nowhere. With the site's public URL (``page``) such a link
    becomes absolute; without it, its text stays, unlinked. http(s) and mailto links are kept.
    """

    def resolve(match: re.Match[str]) -> str:
        target = html.unescape(match.group(1))
        try:
            elsewhere = bool(urlsplit(target).scheme) or target.startswith("//")
        except ValueError:  # not a URL at all ("http://[x"): the sanitiser's business, kept
            return match.group(0)
        if elsewhere:
            return match.group(0)
        if page is None:
            return match.group(2)
        absolute = html.escape(urljoin(page, target), quote=True)
        return match.group(0).replace(f'href="{match.group(1)}"', f'href="{absolute}"', 1)

    return _LINK.sub(resolve, fragment)


def card_url(card: dict[str, Any], base_url: str) -> str:
    """The public URL of the version's card page on the audit site."""
    return f"{base_url}models/{card['model']}/v/{card['version']}/index.html"


def hub_license(card: dict[str, Any]) -> tuple[str, str | None] | None:
    """The card's licence as the Hub's ``license`` and, for ``other``, its ``license_name``.

    A licence the Hub knows is its lower-case id; anything else (``proprietary``, an SPDX
    expression such as ``MIT OR Apache-2.0``, free text) is ``other``, named by an id as the
    Hub asks (``my-license-1.0``): the text itself when it is one, else a slug of it. None when
    the card has no licence.
    """
    licence = " ".join((card["sections"]["model_details"].get("license") or "").split())
    if not licence:
        return None
    if licence.lower() in HUB_LICENSES:
        return licence.lower(), None
    if _LICENSE_ID.match(licence):
        return "other", licence
    return "other", re.sub(r"[^a-z0-9.]+", "-", licence.lower()).strip("-.") or "custom"


def site_links_lost(card: dict[str, Any]) -> bool:
    """Whether card.md's narrative has relative links, which need the site's URL to be kept."""
    fragments = [card["intro_html"], *(e["html"] for e in card["additional_sections"])]
    fragments += [s.get("narrative") or "" for s in card["sections"].values()]
    return any(site_links(f, None) != f for f in fragments)
