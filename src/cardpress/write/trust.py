"""Before a build carries anything over from the published site, check that it can be trusted.

A signed site is checked against its signature with the signer's public key, so a page edited
together with its hash in ``manifest.json`` and ``SHA256SUMS`` is never carried forward and
re-signed. Signed or not, every published version must have its manifest entry: a version whose
pages or change-log entry are there but whose entry was deleted would otherwise be published
again as if it were new.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cardpress.errors import BuildError
from cardpress.write.manifest import SIGNATURE, Published
from cardpress.write.verify import check_signature

logger = logging.getLogger("cardpress")


def check_previous_site(
    out: Path, previous: Published | None, public_key: Ed25519PublicKey | None
) -> None:
    """Refuse to build on a published site that was changed behind cardpress's back.

    ``public_key`` checks the signature of a signed site: the public half of ``--sign-key``, or
    ``--previous-public-key`` when the site was signed with another key.

    Raises:
        BuildError: the site is signed and no key was given, its signature does not hold, or its
            manifest lost the entry of a published version.
    """
    if previous is None:
        return
    signed = (out / SIGNATURE).exists()
    if signed and public_key is None:
        raise BuildError(
            f"{out}: the published site is signed ({SIGNATURE}); a build without --sign-key "
            "would publish it unsigned — pass --sign-key KEY (and --previous-public-key PEM if "
            "it was signed with another key); nothing was written"
        )
    if signed and public_key is not None and check_signature(out, public_key) != "valid":
        raise BuildError(
            f"{out / SIGNATURE}: the published manifest does not match its signature — the site "
            f"was changed after it was signed, or signed with another key (then pass "
            f"--previous-public-key PEM). Run `cardpress verify {out} --public-key PEM` to see "
            "what changed and restore the site from your backup or host; nothing was written"
        )
    if not signed and public_key is not None and previous.versions:
        logger.warning(
            "%s: the published site was not signed; its %d published version(s) are signed now "
            "as they are — run `cardpress verify %s` before trusting them",
            out,
            len(previous.versions),
            out,
        )
    unlisted = unlisted_versions(previous)
    if unlisted:
        names = ", ".join(f"{model}@{version}" for model, version in unlisted)
        raise BuildError(
            f"{out / 'manifest.json'}: published version(s) {names} have pages or a change-log "
            "entry but no entry in the manifest — the manifest was edited; restore the site from "
            f"your backup or host (`cardpress verify {out}` lists what changed); nothing was "
            "written"
        )


def unlisted_versions(previous: Published) -> list[tuple[str, str]]:
    """Versions the site shows as published but whose manifest entry is missing."""
    seen = {
        (str(entry.get("model")), str(entry.get("version")))
        for entry in previous.changelog
        if isinstance(entry, dict) and entry.get("action") in {"published", "republished"}
    }
    for path in previous.files:
        parts = path.split("/")
        if len(parts) > 4 and parts[0] == "models" and parts[2] == "v":
            seen.add((parts[1], parts[3]))
    models = previous.root / "models"
    if models.is_dir():
        for folder in models.glob("*/v/*"):
            if folder.is_dir() and not folder.is_symlink():
                seen.add((folder.parent.parent.name, folder.name))
    return sorted(key for key in seen if key not in previous.versions)
