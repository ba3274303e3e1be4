"""The site's manifest and checksums: what was published, when, and the hash of every file.

``manifest.json`` holds the cardpress version, the build time, a digest of all records, the
published versions (inputs digest, files, date) and the change log; ``SHA256SUMS`` lists the
sha256 of every file (``sha256sum -c SHA256SUMS`` checks it without cardpress).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cardpress.compute.publish import PublishedVersion
from cardpress.errors import BuildError

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SIGNATURE = "manifest.json.sig"
GENERATOR = "cardpress"
UNLISTED = frozenset({SUMS, SIGNATURE})


@dataclass(frozen=True)
class Published:
    """An existing cardpress site, as its manifest describes it."""

    root: Path
    versions: dict[tuple[str, str], PublishedVersion]
    changelog: tuple[dict[str, Any], ...]
    files: dict[str, str] = field(default_factory=dict)
    # The site is as the build that wrote it left it (see cardpress.readers.up_to_date): its
    # files hold the digests ``files`` lists, without reading them again.
    intact: bool = False


def read_published(out: Path) -> Published | None:
    """The manifest of the site in ``out``, or None if ``out`` is not a cardpress site."""
    manifest = load_manifest(out)
    if manifest is None:
        return None
    versions = {}
    for key, entry in _entries(out, manifest.get("versions", {})):
        try:
            version = PublishedVersion(
                entry["model"],
                entry["version"],
                entry["inputs_digest"],
                entry["published_at"],
                tuple(entry["files"]),
                entry.get("record_digest", ""),
            )
        except (KeyError, TypeError) as error:  # a hand-edited manifest
            raise _broken(out, f"versions.{key}", error) from None
        versions[(version.model, version.version)] = version
    changelog = tuple(manifest.get("changelog", []))
    return Published(out, versions, changelog, dict(manifest.get("files", {})))


def _entries(out: Path, versions: Any) -> list[tuple[str, Any]]:
    if not isinstance(versions, dict) or not all(isinstance(e, dict) for e in versions.values()):
        raise _broken(out, "versions", TypeError("not an object of objects"))
    return list(versions.items())


def _broken(out: Path, field: str, error: Exception) -> BuildError:
    """The manifest of a published site lacks what a build needs to keep its versions."""
    what = f"missing {error}" if isinstance(error, KeyError) else f"wrong type ({error})"
    return BuildError(
        f"{out / MANIFEST}: {field}: {what} — the manifest was edited; restore the site from "
        "its published copy (check it with `cardpress verify`), or build into a new folder"
    )


def is_cardpress_site(folder: Path) -> bool:
    """True if ``folder`` has a cardpress manifest."""
    return load_manifest(folder) is not None


def manifest_digest(out: Path) -> str | None:
    """sha256 of ``out/manifest.json`` as it is now, or None when there is none."""
    try:
        return sha256_bytes((out / MANIFEST).read_bytes())
    except FileNotFoundError:
        return None


def sha256_bytes(content: bytes) -> str:
    """sha256 of bytes, lower-case hex."""
    return hashlib.sha256(content).hexdigest()


def manifest_bytes(
    files: dict[str, str],
    versions: dict[str, dict[str, Any]],
    changelog: list[dict[str, Any]],
    meta: dict[str, str],
) -> bytes:
    """The manifest: ``meta`` (cardpress version, build time, records digest) and the rest."""
    document = {
        "generator": GENERATOR,
        **meta,
        "versions": versions,
        "changelog": changelog,
        "files": dict(sorted(files.items())),
    }
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def sums_bytes(files: dict[str, str]) -> bytes:
    """``SHA256SUMS`` in the format of GNU sha256sum (two spaces, sorted by path)."""
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(files.items())).encode()


def load_manifest(site: Path) -> dict[str, Any] | None:
    """The manifest of the site in ``site``, or None when it is not a cardpress manifest."""
    path = site / MANIFEST
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(document, dict) and document.get("generator") == GENERATOR:
        return document
    return None


def read_page_data(published: Published, page: str) -> Any:
    """The ``.json`` of a published page (``models/m/v/1/index.json``), or None.

    Raises:
        BuildError: the file differs from the sha256 the manifest gives it, so it is not used.
    """
    path = published.root / page
    try:
        content = path.read_bytes()
    except OSError:
        return None
    expected = published.files.get(page)
    if expected is not None and not published.intact and sha256_bytes(content) != expected:
        raise BuildError(
            f"{path}: published file was altered since it was published — run "
            f"`cardpress verify {published.root}` and restore the site from your backup or host"
        )
    try:
        # orjson, which wrote it (render.pages.to_json): several times faster than ``json``,
        # and a build reads the card and fairness data of every frozen version.
        return orjson.loads(content)
    except ValueError:  # orjson.JSONDecodeError is one
        return None
