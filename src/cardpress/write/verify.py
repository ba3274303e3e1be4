"""``cardpress verify SITE``: every file added, missing or altered since the site was built."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cardpress.errors import CardpressError
from cardpress.readers.files import sha256_of
from cardpress.write.manifest import MANIFEST, SIGNATURE, SUMS, UNLISTED


@dataclass(frozen=True)
class VerifyReport:
    """What differs between a site folder and its ``SHA256SUMS``."""

    checked: int
    added: tuple[str, ...]
    missing: tuple[str, ...]
    altered: tuple[str, ...]
    signature: str | None = None  # "valid", "invalid", "missing"; None when not checked

    @property
    def ok(self) -> bool:
        """True if nothing was added, removed or changed (and the signature, if checked, holds)."""
        files_ok = not (self.added or self.missing or self.altered)
        return files_ok and self.signature in {None, "valid"}


def check_signature(site: Path, public_key: Ed25519PublicKey) -> str:
    """``valid``, ``invalid`` or ``missing``: the manifest's detached Ed25519 signature."""
    try:
        signature = (site / SIGNATURE).read_bytes()
    except OSError:
        return "missing"
    try:
        public_key.verify(signature, (site / MANIFEST).read_bytes())
    except (InvalidSignature, OSError):
        return "invalid"
    return "valid"


def verify_site(site: Path) -> VerifyReport:
    """Compare every file of ``site`` with ``SHA256SUMS`` (which itself covers the manifest).

    Raises:
        CardpressError: ``site`` has no ``SHA256SUMS`` (not a cardpress site, or damaged).
    """
    expected = _read_sums(site)
    present, links = present_files(site)
    altered = sorted(
        path for path in sorted(present & set(expected)) if sha256_of(site / path) != expected[path]
    )
    return VerifyReport(
        checked=len(present) + len(links),
        added=tuple(sorted((present - set(expected)) | links)),
        missing=tuple(sorted(set(expected) - present - links)),
        altered=tuple(sorted([*altered, *(links & set(expected))])),
    )


def present_files(site: Path) -> tuple[set[str], set[str]]:
    """The regular files of ``site`` and its symlinks (files or folders), by relative name.

    A link is never followed: the build writes none, so each is reported as added (and as
    altered when it stands where a built file should be), whatever it points to.
    """
    files: set[str] = set()
    links: set[str] = set()
    for folder, dirs, names in os.walk(site):  # followlinks=False: linked folders are not entered
        for name in (*dirs, *names):
            path = Path(folder) / name
            shown = path.relative_to(site).as_posix()
            if shown in UNLISTED:
                continue
            if path.is_symlink():
                links.add(shown)
            elif name in names and path.is_file():
                files.add(shown)
    return files, links


def sums_digest(site: Path) -> str:
    """sha256 of ``SHA256SUMS``: one value that pins every file of the site."""
    return hashlib.sha256((site / SUMS).read_bytes()).hexdigest()


def _read_sums(site: Path) -> dict[str, str]:
    try:
        text = (site / SUMS).read_text(encoding="utf-8")
    except OSError:
        fix = f"give the folder of a site built by cardpress (it has {SUMS} and {MANIFEST})"
        raise CardpressError(f"{site}: has no readable {SUMS} — {fix}") from None
    expected = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, _, path = line.partition("  ")
        if len(digest) != 64 or not path:
            fix = "the file was edited by hand; rebuild the site"
            raise CardpressError(f"{site / SUMS}:{number}: is not a sha256sum line — {fix}")
        expected[path] = digest
    return expected
