"""``build``'s entry: lock the output, check the published site, stop when nothing is new.

The lock and the trust checks (an interrupted swap repaired, a signed site's signature, every
published version in the manifest) run first, on every build. Then, when every input of the
build — the records folder file by file, cardpress's code and theme, the libraries that shape
the output, the options — is the one the site in the output was built from, and the site is
still exactly as that build left it (:mod:`cardpress.readers.up_to_date`), a build would write
the same bytes again: the build says so, repeats that build's warnings and stops, without
loading the data, chart and statistics engines. Otherwise the pipeline
(:func:`cardpress.pipeline.run_pipeline`) runs whole.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cardpress.errors import CardpressError
from cardpress.readers import up_to_date
from cardpress.readers.keys import read_private_key, read_public_key
from cardpress.write.folders import clear_interrupted
from cardpress.write.lock import site_lock
from cardpress.write.manifest import manifest_digest, read_published
from cardpress.write.swap import recover, staging_path
from cardpress.write.target import check_target
from cardpress.write.trust import check_previous_site

if TYPE_CHECKING:
    from cardpress.readers.drift.report import DriftEngine

logger = logging.getLogger("cardpress")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    output: Path
    files: int
    models: int
    versions: int
    unchanged: bool = False  # nothing changed since the last build: nothing was written


def build(
    records: str | Path,
    output: str | Path = "site",
    *,
    force: bool = False,
    source_date_epoch: int | None = None,
    republish: Iterable[str] = (),
    reason: str | None = None,
    base_url: str | None = None,
    sign_key: str | Path | None = None,
    engine: DriftEngine | None = None,
    previous_public_key: str | Path | None = None,
    wait: bool = False,
) -> BuildResult:
    """Build the audit site of ``records`` into ``output``.

    The same records give byte-identical output. The build time shown on the site is
    ``source_date_epoch`` (default: the ``SOURCE_DATE_EPOCH`` environment variable), else the
    newest time in the records. Versions already published in ``output`` keep their pages byte
    for byte; ``republish`` (``MODEL@VERSION`` strings, with a ``reason``) rebuilds changed ones.
    ``base_url`` (default: ``site.base_url`` of the config) adds canonical links and a sitemap.
    ``sign_key`` (an Ed25519 private key in PEM) writes a detached signature of the manifest.
    ``engine`` (engine name and Spark master URL) overrides ``[drift] engine`` of the config.

    Before it trusts anything of a signed site in ``output``, the build checks its signature
    with the public half of ``sign_key``, or with ``previous_public_key`` when the site was
    signed with another key. One build at a time writes to an output: another one fails at once
    with the holder's pid, or with ``wait`` waits its turn. An output that is a symbolic link is
    built where the link points; the link is left as it is. When nothing changed since the
    build that wrote ``output`` (records, cardpress, options) and the site is as it left it, the
    build stops early: it would write the same bytes.

    Raises:
        RecordsError: the records have problems; nothing was written.
        BuildError: the site could not be written, a published version would change, the
            published site fails its checks, or another build holds the output; the previous
            site is unchanged.
    """
    republish = tuple(republish)
    if reason is not None and not republish:  # the reason of nothing: dropped without a word
        raise click.UsageError(
            "--reason is the reason for republishing: give the versions with --republish"
        )
    out = output_folder(Path(output))
    # before any work: the records, or a folder cardpress did not write, are refused
    check_target(out, force, Path(records))
    signer = read_private_key(Path(sign_key)) if sign_key is not None else None
    checker = (
        read_public_key(Path(previous_public_key))
        if previous_public_key is not None
        else (signer.public_key() if signer else None)
    )
    with site_lock(out, wait=wait):
        recover(out)
        clear_interrupted(staging_path(out))
        started_from = manifest_digest(out)
        previous = read_published(out)
        check_previous_site(out, previous, checker)
        from cardpress import __version__

        options = {
            "cardpress": __version__,
            "epoch": source_epoch(source_date_epoch), "base_url": base_url, "engine": engine,
            "signer": signer.public_key().public_bytes_raw().hex() if signer else None,
        }  # fmt: skip
        key = None if republish else up_to_date.inputs_digest(Path(records), out, options)
        kept = up_to_date.record_file(Path(records), out)
        record = up_to_date.load_record(kept)
        intact = previous is not None and _intact(record, started_from, out)
        done = _unchanged(record, key, out) if intact else None
        if done is not None:
            return done
        if previous is not None and intact:
            previous = replace(previous, intact=True)  # its files need not be read again
        from cardpress.chart_feed import chart_feed

        heard = logger.isEnabledFor(logging.WARNING)  # not with -q: then not known after
        # The feed's chart workers, on a cold build or when the monitoring files changed (the
        # drift charts are drawn again), start first: they get ready while the pipeline loads
        # its engines.
        many = _watched_changed(Path(records), record.get("watched"))
        with _warnings() as said, chart_feed(Path(records), many) as feed:
            from cardpress.pipeline import run_pipeline  # the pipeline and its engines: now

            found = run_pipeline(
                records, out, previous, started_from, signer, force=force,
                source_date_epoch=source_date_epoch, republish=republish, reason=reason,
                base_url=base_url, engine=engine, feed=feed,
            )  # fmt: skip
        result = BuildResult(found.output, found.files, found.models, found.versions)
        # The inputs are kept only when the records did not change while the build read them.
        if key is not None and key != up_to_date.inputs_digest(Path(records), out, options):
            key = None
        up_to_date.save_record(kept, {
            "inputs": key, "manifest": manifest_digest(out), "site": up_to_date.site_stamp(out),
            "result": [result.files, result.models, result.versions],
            "warnings": said if heard else None,
            "watched": [feed.watched, up_to_date.files_stamp(Path(records), feed.watched)],
        })  # fmt: skip
        return result


def output_folder(output: Path) -> Path:
    """The folder a build writes: ``output``, or where it points when it is a symbolic link."""
    return output.resolve() if output.is_symlink() else output.absolute()


def source_epoch(given: int | None) -> int | None:
    """The build time asked for: ``given``, else ``SOURCE_DATE_EPOCH``, else None.

    Raises:
        CardpressError: ``SOURCE_DATE_EPOCH`` is set but not a number.
    """
    if given is not None:
        return given
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        fix = "set it to a whole number of seconds since 1970-01-01 UTC, or unset it"
        raise CardpressError(f"SOURCE_DATE_EPOCH={raw!r} is not a number — {fix}") from None


def _intact(record: dict[str, Any], started_from: str | None, out: Path) -> bool:
    """Whether ``out`` is exactly as the build that ``record`` describes left it."""
    stamp = up_to_date.site_stamp(out)
    return (started_from is not None and stamp is not None
            and record.get("manifest") == started_from and record.get("site") == stamp)  # fmt: skip


def _unchanged(record: dict[str, Any], key: str | None, out: Path) -> BuildResult | None:
    """The last build's result when it was made from ``key`` (and ``out`` is intact)."""
    same = key is not None and record.get("inputs") == key
    result, said = record.get("result"), record.get("warnings")
    # A build run quietly did not hear its warnings: a build that shows them runs whole.
    known = isinstance(said, list) or (said is None and not logger.isEnabledFor(logging.WARNING))
    if not same or not isinstance(result, list) or not _counts(result) or not known:
        return None
    for message in said if isinstance(said, list) else []:
        logger.warning("%s", message)
    files, models, versions = result
    logger.info("%s: nothing changed since it was built (records, cardpress, options); "
                "the site is up to date (%d files)", out, files)  # fmt: skip
    return BuildResult(out, files, models, versions, unchanged=True)


def _watched_changed(records: Path, watched: Any) -> bool:
    """Whether the folders the last build watched (its monitoring files) changed since.

    Only a hint of how many charts this build draws: unknown (no last build) counts as not.
    """
    if not (isinstance(watched, list) and len(watched) == 2 and isinstance(watched[0], list)):
        return False
    folders, stamp = watched
    if not folders or not all(isinstance(name, str) for name in folders):
        return False
    return bool(up_to_date.files_stamp(records, folders) != stamp)


def _counts(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 3 and all(type(n) is int for n in value)


@contextmanager
def _warnings() -> Iterator[list[str]]:
    """Collect the warnings a build logs, so a build that stops early can say them again."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)
