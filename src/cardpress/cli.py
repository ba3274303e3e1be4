"""The command line: a thin layer over :mod:`cardpress.api`.

Exit codes: 0 success, 1 bad records or a failed build, 2 bad usage.

Each command imports :mod:`cardpress.api` (and through it the data, chart and statistics
engines) when it runs, so ``--help``, ``--version`` and usage errors answer in a blink.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cardpress import progress
from cardpress.errors import CardpressError, UsageError
from cardpress.render.hf_card import DEFAULT_TASK
from cardpress.schemas import KINDS

if TYPE_CHECKING:
    from cardpress.readers.drift.report import DriftEngine

RECORDS_HELP = "Folder of records: cardpress.toml, runs/*.json, models/<model>/card.md."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cardpress", prog_name="cardpress")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Say more: each stage of a build and its time (repeat for debug output).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors; no progress display.")
def cli(verbose: int, quiet: bool) -> None:
    """Render ML training records into a versioned, static audit website.

    On a terminal, a build or validate that takes more than two seconds shows its stages and
    counts on stderr (reading records, monitoring files, drift reports, charts, pages, writing).

    \b
    Quick start:
      cardpress validate examples/adult-income
      cardpress build examples/adult-income -o site
      cardpress serve site            (or open site/index.html in any browser)
    """
    level = logging.ERROR if quiet else logging.DEBUG if verbose > 1 else logging.INFO
    if not quiet and not verbose:
        level = logging.WARNING
    # Other libraries speak only to warn (no "Successfully loaded extension" from Markdown).
    logging.basicConfig(level=max(level, logging.WARNING), format="%(message)s",
                        handlers=[progress.LogHandler()], force=True)  # fmt: skip
    logging.getLogger("cardpress").setLevel(level)


def _engine_options(command: Callable[..., None]) -> Callable[..., None]:
    """--engine and --spark-master, shared by build and validate."""
    command = click.option(
        "--spark-master",
        metavar="URL",
        help="With --engine spark: the Spark master, e.g. spark://host:7077 (default: "
        "[drift] spark_master, else local[2]).",
    )(command)
    return click.option(
        "--engine",
        type=click.Choice(["duckdb", "spark"]),
        help="Drift engine for the monitoring rows (default: [drift] engine of cardpress.toml, "
        "else duckdb). spark needs pip install 'cardpress[spark]' and Java 17.",
    )(command)


@cli.command()
@click.argument("records", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=True, file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site to. It is replaced only after the whole site is written.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace OUTPUT even if it is a non-empty folder that cardpress did not write "
    "(never the records folder, a folder holding it, or one of its folders).",
)
@click.option(
    "--republish",
    "republish",
    multiple=True,
    metavar="MODEL@VERSION",
    help="Rebuild a published version whose record changed (repeatable; needs --reason).",
)
@click.option("--reason", metavar="TEXT", help="Why the versions are republished (change log).")
@click.option(
    "--base-url",
    metavar="URL",
    help="Public URL of the site (https://…/): adds canonical links and sitemap.xml.",
)
@click.option(
    "--mlflow",
    "mlflow_uri",
    metavar="URI",
    help="First import the registered model versions of this MLflow store into RECORDS "
    "(as cardpress import mlflow does), then build.",
)
@click.option(
    "--mlflow-model",
    metavar="NAME",
    help="With --mlflow: import only this registered model.",
)
@click.option(
    "--sign-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ed25519 private key (PEM): write manifest.json.sig, a detached signature. A signed "
    "site's signature is checked with it before anything is carried over.",
)
@click.option(
    "--previous-public-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ed25519 public key (PEM) that signed the published site, when it is not the public "
    "half of --sign-key (a new key).",
)
@click.option(
    "--wait",
    is_flag=True,
    help="If another build is writing OUTPUT, wait for it to finish instead of stopping.",
)
@_engine_options
def build(
    records: Path,
    output: Path,
    force: bool,
    republish: tuple[str, ...],
    reason: str | None,
    base_url: str | None,
    mlflow_uri: str | None,
    mlflow_model: str | None,
    sign_key: Path | None,
    previous_public_key: Path | None,
    wait: bool,
    engine: str | None,
    spark_master: str | None,
) -> None:
    """Build the audit site from RECORDS.

    Versions already published in OUTPUT keep their pages byte for byte; a changed record of a
    published version stops the build unless it is republished with a reason. The build time
    shown is SOURCE_DATE_EPOCH if set, else the newest time in the records, so the same records
    always give byte-identical files. One build at a time writes to OUTPUT; a signed site's
    signature is checked before anything of it is carried over.
    """
    for name in republish:
        if "@" not in name:
            raise click.BadParameter(
                f"{name!r}: write it as MODEL@VERSION", param_hint="--republish"
            )
    if reason is not None and not reason.strip():
        raise click.BadParameter("is empty: say why, in words (change log)", param_hint="--reason")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter(f"{base_url!r}: give an http(s) URL", param_hint="--base-url")
    if mlflow_model is not None and mlflow_uri is None:
        raise click.BadParameter("needs --mlflow URI", param_hint="--mlflow-model")
    from cardpress import building  # loads the build engines only when there is work to do

    if mlflow_uri is not None:
        from cardpress import api

        imported = api.import_mlflow(mlflow_uri, records, model=mlflow_model)
        _say(f"Imported {imported.versions} version(s) from MLflow into {records}")
    with progress.display(_progress_shown()):
        result = building.build(
            records,
            output,
            force=force,
            republish=republish,
            reason=reason,
            base_url=base_url,
            sign_key=sign_key,
            engine=_engine(engine, spark_master),
            previous_public_key=previous_public_key,
            wait=wait,
        )
    done = "Up to date, nothing changed since it was built" if result.unchanged else "Built"
    _say(f"{done}: {result.models} model(s), {result.versions} version(s): "
         f"{result.output / 'index.html'}")  # fmt: skip


@cli.command()
@click.argument("records", type=click.Path(file_okay=False, path_type=Path))
@_engine_options
def validate(records: Path, engine: str | None, spark_master: str | None) -> None:
    """Check RECORDS and print every problem as file:line: field: problem — fix."""
    from cardpress import api

    with progress.display(_progress_shown()):
        loaded = api.validate(records, engine=_engine(engine, spark_master))
    _say(f"{records}: {len(loaded.runs)} run record(s), {len(loaded.narratives)} card.md: valid")


@cli.command()
@click.argument("records", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--policy",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Policy TOML (default: RECORDS/policy.toml, else the built-in default policy).",
)
@click.option(
    "--model",
    "versions",
    multiple=True,
    metavar="MODEL@VERSION",
    help="Check this version (repeatable; default: the newest version of each model).",
)
@click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the results as JUnit XML (for CI test reports).",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append the results as Markdown, e.g. to $GITHUB_STEP_SUMMARY.",
)
def check(
    records: Path,
    policy: Path | None,
    versions: tuple[str, ...],
    junit: Path | None,
    summary: Path | None,
) -> None:
    """Check model versions in RECORDS against a policy: the CI gate after training.

    Rules: card sections documented, a sign-off before status "approved", fairness limits,
    performance floors or ceilings, data-set hashes unchanged. Each rule passes, warns or fails
    with its figure, its limit and the policy line it came from; a fairness rule for another
    kind of model (selection rate on a regression) is not applicable (N/A).
    Exit 0 if no rule fails, 1 if one fails (or the records are bad), 2 for bad usage or a bad
    policy.
    """
    for name in versions:
        if "@" not in name:
            raise click.BadParameter(f"{name!r}: write it as MODEL@VERSION", param_hint="--model")
    from cardpress import api
    from cardpress.render.check_report import as_junit, as_markdown, as_text, summary_line
    from cardpress.write.reports import write_report

    versions = tuple(dict.fromkeys(versions))  # a version named twice is checked once
    results = api.check(records, policy, versions)
    click.echo(as_text(results), nl=False)
    failed = any(r.status == "fail" for r in results)
    try:
        if junit is not None:
            write_report(junit, as_junit(results))
        if summary is not None:
            write_report(summary, as_markdown(results), append=True)
    except UsageError as error:  # say the gate's own verdict too: exit 2 must not hide it
        raise UsageError(f"{error}; the check itself: {summary_line(results)}") from None
    if failed:
        raise CheckFailed(summary_line(results))


@cli.command()
@click.argument("site", type=click.Path(file_okay=False, path_type=Path), default=Path("site"))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")  # fmt: skip
@click.option("--bind", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on; 0.0.0.0 shares the site with your network.")  # fmt: skip
def serve(site: Path, port: int, bind: str) -> None:
    """Serve a built SITE over HTTP on this machine and print its address.

    Missing addresses get the site's 404 page, as a web host serves them. Stop with Ctrl+C.
    For publishing, copy the folder to a real host (docs/publishing.md).
    """
    from cardpress.serve import make_server, url_of

    server = make_server(site, bind, port)
    click.echo(f"Serving {site} at {url_of(server)} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.argument("site", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ed25519 public key (PEM): also check manifest.json.sig.",
)
def verify(site: Path, public_key: Path | None) -> None:
    """Check every file of SITE against its SHA256SUMS: report added, missing, altered files.

    Exit 0 if the site is exactly as built (and, with --public-key, signed by that key's
    owner), 1 otherwise.
    """
    from cardpress import api

    report = api.verify(site, public_key)
    if report.signature is not None and report.signature != "valid":
        click.echo(f"signature: {report.signature}")
    for label, paths in (("added", report.added), ("missing", report.missing),
                         ("altered", report.altered)):  # fmt: skip
        for path in paths:
            click.echo(f"{label}: {path}")
    if not report.ok:
        changed = len(report.added) + len(report.missing) + len(report.altered)
        if changed:
            raise CardpressError(
                f"{site}: {changed} file(s) differ from SHA256SUMS or the manifest"
            )
        raise CardpressError(f"{site}: the manifest signature is {report.signature}")
    signed = ", manifest signature valid" if report.signature == "valid" else ""
    _say(f"{site}: all {report.checked} files match SHA256SUMS{signed}")


@cli.command()
@click.argument("site", type=click.Path(file_okay=False, path_type=Path))
@click.argument("version", metavar="MODEL@VERSION")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PDF file to write (default: MODEL-VERSION.pdf in the current folder).",
)
@click.option(
    "--browser",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Chromium binary to print with (default: chromium or google-chrome on PATH).",
)
def pdf(site: Path, version: str, output: Path | None, browser: Path | None) -> None:
    """Print a version's record (card and fairness report) from a built SITE to PDF.

    Prints SITE/models/MODEL/v/VERSION/print.html with headless Chromium, as a browser's
    "Save as PDF" would. Without Chromium, open print.html in any browser and print it.
    """
    if "@" not in version:
        raise click.BadParameter(f"{version!r}: write it as MODEL@VERSION", param_hint="VERSION")
    target = output or Path(version.replace("@", "-") + ".pdf")
    from cardpress import api

    written = api.print_pdf(site, version, target, browser)
    _say(f"Printed {version} to {written}")


@cli.group()
def export() -> None:
    """Write a version's card in a format other tools read (see docs/export.md)."""


@export.command("json")
@click.argument("records", type=click.Path(file_okay=False, path_type=Path))
@click.argument("version", metavar="MODEL@VERSION")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file to write (default: MODEL-VERSION.card.json).",
)
def export_json(records: Path, version: str, output: Path | None) -> None:
    """Write the card of MODEL@VERSION in RECORDS as JSON (cardpress/card-data/1).

    The same data as the card page and its index.json, with its schema named; print the schema
    with: cardpress schema card-data.
    """
    if "@" not in version:
        raise click.BadParameter(f"{version!r}: write it as MODEL@VERSION", param_hint="VERSION")
    target = output or Path(version.replace("@", "-") + ".card.json")
    from cardpress import api

    written = api.export_card_json(records, version, target)
    _say(f"Wrote the card of {version} to {written}")


@export.command("hf")
@click.argument("records", type=click.Path(file_okay=False, path_type=Path))
@click.argument("version", metavar="MODEL@VERSION")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("README.md"),
    show_default=True,
    help="Model card file to write (a Hugging Face model repository's README.md).",
)
@click.option(
    "--task",
    default=None,
    help="Hub task type (pipeline_tag and model index); default: tabular-regression for a "
    f"regression model, else {DEFAULT_TASK}.",
)
@click.option(
    "--base-url",
    default=None,
    help="Public URL of the audit site, under which card.md's relative links are made "
    "absolute (default: site.base_url of cardpress.toml; without one they become plain text).",
)
@click.option(
    "--license-link",
    default=None,
    help="Where the text of a licence the Hub does not know is (license: other): a URL, or "
    "LICENSE for a file of the model repository.",
)
def export_hf(
    records: Path,
    version: str,
    output: Path,
    task: str | None,
    base_url: str | None,
    license_link: str | None,
) -> None:
    """Write the card of MODEL@VERSION in RECORDS as a Hugging Face model card.

    YAML metadata (license, tags, datasets, metrics, model-index with the unsliced evaluation
    results), then every card section in Markdown, with metrics by group and the fairness
    headline. Push it as README.md of the model's repository on the Hub.
    """
    if "@" not in version:
        raise click.BadParameter(f"{version!r}: write it as MODEL@VERSION", param_hint="VERSION")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter(f"{base_url!r}: give an http(s) URL", param_hint="--base-url")
    if license_link is not None and not license_link.strip():
        raise click.BadParameter("is empty: give a URL or LICENSE", param_hint="--license-link")
    from cardpress import api

    written = api.export_hf(records, version, output, task, base_url, license_link)
    _say(f"Wrote the Hugging Face card of {version} to {written}")


@cli.command()
@click.argument("kind", type=click.Choice(sorted(KINDS)))
def schema(kind: str) -> None:
    """Print the JSON Schema of KIND: records (run, card, config, policy, signoff) or card-data."""
    from cardpress.schemas import schema_text  # the schema alone: no need to load the build stack

    click.echo(schema_text(kind), nl=False)


@cli.group("import")
def import_() -> None:
    """Write run records into a records folder from another tracker's store."""


@import_.command("mlflow")
@click.option(
    "--tracking-uri",
    required=True,
    metavar="URI",
    help="sqlite:///mlflow.db, an mlruns folder (PATH or file:///PATH), or http(s)://server.",
)
@click.option("--model", metavar="NAME", help="Import only this registered model.")
@click.option(
    "-o",
    "--output",
    "records",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Records folder to write runs/<model>-<version>.json and predictions/ into.",
)
def import_mlflow(tracking_uri: str, model: str | None, records: Path) -> None:
    r"""Write a run record per registered model version of an MLflow store.

    \b
    Examples:
      cardpress import mlflow --tracking-uri sqlite:///mlflow.db -o audit
      cardpress import mlflow --tracking-uri ./mlruns --model churn -o audit
      cardpress import mlflow --tracking-uri https://mlflow.example.com -o audit

    Each registered version becomes RECORDS/runs/<model>-<version>.json (cardpress/run/1):
    run name, tags, params, metrics logged at one step as results and those logged at
    several steps as training curves, git tags as the code version, every dataset input
    (the sha256 of a local source file; other sources are kept with a warning), and the
    model's flavour, signature and environment (MLflow 3 logged models or runs:/ folders).
    Evaluation predictions are copied to RECORDS/predictions/: the artifact named by the run
    tag cardpress.predictions, else one matching [mlflow] predictions in cardpress.toml,
    else mlflow.evaluate's results table. Runs not registered are skipped with a warning.
    Nothing is written unless every record is valid. Needs the mlflow package:
    pip install 'cardpress[mlflow]'. See docs/import.md.
    """
    from cardpress import api

    result = api.import_mlflow(tracking_uri, records, model=model)
    _say(f"Imported {result.versions} model version(s) into {records}: {len(result.files)} file(s)")


class CheckFailed(CardpressError):
    """A rule failed: exit 1, the results are already printed."""


def _engine(engine: str | None, spark_master: str | None) -> DriftEngine | None:
    if spark_master is not None and engine != "spark":
        raise click.BadParameter("needs --engine spark", param_hint="--spark-master")
    if engine is None:
        return None
    return ("spark" if engine == "spark" else "duckdb", spark_master)


def _progress_shown() -> bool:
    """The progress display is for a person at a terminal: not in pipes, logs or with -q."""
    return sys.stderr.isatty() and logging.getLogger("cardpress").isEnabledFor(logging.WARNING)


def _say(message: str) -> None:
    if logging.getLogger("cardpress").isEnabledFor(logging.WARNING):
        click.echo(message)


# The collector's thresholds while the command runs (generation 0, 1, 2; Python's are 700, 10, 10).
GC_THRESHOLDS = (10_000, 10, 10)


def main() -> None:
    """Entry point of the ``cardpress`` command.

    A command's objects come in bursts that live to its end (importing the data and chart engines
    makes ~100,000 each), and with Python's default thresholds the collector went through all of
    them again and again: 0.34 s of a 3.4 s build after a new day of monitoring rows, and full
    collections once more while the interpreter shut down (~0.2 s). So the first generation is
    collected after 10,000 allocations instead of 700 (garbage with cycles is still collected,
    later), and what is left when the command ends is frozen: nothing runs after it that could
    free it. Only the command does this: ``cardpress.build`` in a user's script leaves that
    process's collector alone.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        _run()
    finally:
        gc.freeze()


def _run() -> None:
    try:
        cli.main(prog_name="cardpress", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except CardpressError as error:
        _print_error(error)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing was changed.", err=True)
        sys.exit(130)
    except Exception as error:  # the one catch-all: a bug must not look like a crash dump
        _print_unexpected(error)
        sys.exit(1)
    sys.exit(0)


def _print_error(error: CardpressError) -> None:
    click.echo(f"Error: {error.format_message()}", err=True)


def _print_unexpected(error: Exception) -> None:
    """Name the error in one line; the traceback only with -v (it is for bug reports)."""
    if logging.getLogger("cardpress").isEnabledFor(logging.INFO):
        logging.getLogger("cardpress").exception("unexpected error")
    click.echo(
        f"Error: unexpected {type(error).__name__}: {error} — this is a cardpress bug; "
        "run again with -v and report the output. Nothing was written.",
        err=True,
    )
