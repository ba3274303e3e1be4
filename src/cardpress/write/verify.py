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
from cardpress.write.manifest import MANIFEST, SIGNATURE, SUMS, UNLISTED, load_manifest
from cardpress.write.swap import interrupted_swap


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
    """Compare every file of ``site`` with ``SHA256SUMS`` and with the manifest's file list.

    ``SHA256SUMS`` covers the manifest, and the manifest (which a signature covers) lists every
    other file: a file must match both, so editing a page and its line in ``SHA256SUMS`` is still
    caught by the manifest, and by the signature when the manifest is edited too.

    Raises:
        CardpressError: ``site`` has no ``SHA256SUMS`` (not a cardpress site, or damaged), or is
            missing after an interrupted build.
    """
    parked = interrupted_swap(site)
    if parked is not None:
        raise CardpressError(
            f"{site}: missing — an interrupted build left the previous site at {parked}; the "
            "next build puts it back (or rename it yourself), then verify again"
        )
    sums = _read_sums(site)
    listed = _manifest_files(site)
    expectations = [sums]
    if listed is not None:  # the manifest cannot list its own hash: SHA256SUMS gives it
        expectations.append({**listed, **{k: v for k, v in sums.items() if k == MANIFEST}})
    present, links = _present_files(site)
    expected = set().union(*expectations)
    altered = []
    for path in sorted(present & expected):
        digest = None if path in links else sha256_of(site / path)  # never read through a link
        if any(path in e and e[path] != digest for e in expectations):
            altered.append(path)
    unlisted = {path for path in present if any(path not in e for e in expectations)}
    return VerifyReport(
        checked=len(present),
        added=tuple(sorted(unlisted - set(altered))),
        missing=tuple(sorted(expected - present)),
        altered=tuple(altered),
    )


def _present_files(site: Path) -> tuple[set[str], set[str]]:
    """Every file and symbolic link of ``site`` but the checksums and signature; and the links.

    A link is listed, never followed: a site holds no links, so each one is a difference, and
    a link to a folder outside would otherwise hide everything behind it.
    """
    present, links = set(), set()
    for folder, folders, files in os.walk(site):
        base = Path(folder)
        for name in files + [f for f in folders if (base / f).is_symlink()]:
            path = (base / name).relative_to(site).as_posix()
            if (base / name).is_symlink():
                links.add(path)
            if path not in UNLISTED:
                present.add(path)
    return present, links


def _manifest_files(site: Path) -> dict[str, str] | None:
    """The sha256 of every file the manifest lists, or None when it cannot be read."""
    manifest = load_manifest(site)
    files = manifest.get("files") if manifest is not None else None
    if not isinstance(files, dict):
        return None
    return {str(path): str(digest) for path, digest in files.items()}


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
