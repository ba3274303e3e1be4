"""Read the Ed25519 keys that sign and check a site's manifest (PEM, as openssl writes them)."""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from cardpress.errors import CardpressError

MAKE_KEY = (
    "make one with `openssl genpkey -algorithm ed25519 -out key.pem` and its public half with "
    "`openssl pkey -in key.pem -pubout -out public.pem`"
)


def read_private_key(path: Path) -> Ed25519PrivateKey:
    """An unencrypted Ed25519 private key in PEM."""
    try:
        key = load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise CardpressError(
            f"{path}: is not an unencrypted PEM private key ({error}) — {MAKE_KEY}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CardpressError(f"{path}: is not an Ed25519 key — {MAKE_KEY}")
    return key


def read_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key in PEM."""
    try:
        key = load_pem_public_key(_read(path))
    except (ValueError, UnsupportedAlgorithm) as error:
        raise CardpressError(f"{path}: is not a PEM public key ({error}) — {MAKE_KEY}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CardpressError(f"{path}: is not an Ed25519 public key — {MAKE_KEY}")
    return key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CardpressError(
            f"{path}: cannot be read ({error.strerror}) — check the path"
        ) from None
