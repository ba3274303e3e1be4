"""Open an MLflow tracking store: check it is one before MLflow touches it, and say why not.

A missing SQLite file or a folder that is not a file store is refused here, because MLflow would
create or alter it; errors from MLflow, SQLAlchemy and HTTP become one line with a fix.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from cardpress.errors import CardpressError, UsageError

NEEDS_MLFLOW = "cardpress import mlflow needs the mlflow package: pip install 'cardpress[mlflow]'"
# A refused connection fails at once; a server that accepts but never answers is given 30 s per
# request (a cold MLflow server took 3 s for its first runs/get here; MLflow's own default is 120 s
# with 7 retries, minutes before an import could say the server is down).
HTTP_ENV = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "30"}
# An import reports in its own words: no download progress bars from MLflow on the terminal.
QUIET_ENV = {"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}


def store_kind(uri: str) -> str:
    """``mlflow-sqlite``, ``mlflow-file`` or ``mlflow-server`` for a tracking URI.

    Raises:
        UsageError: a URI scheme cardpress does not read.
    """
    scheme = urlsplit(uri).scheme.lower()
    if scheme == "sqlite":
        return "mlflow-sqlite"
    if scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt"):
        return "mlflow-file"
    if scheme in ("http", "https"):
        return "mlflow-server"
    raise UsageError(
        f"--tracking-uri {uri}: unsupported store {scheme!r} — use sqlite:///PATH, an mlruns "
        "folder (PATH or file:///PATH) or an http(s) tracking server URL"
    )


def public_uri(uri: str) -> str:
    """``uri`` without a user name or password, fit to be written into a record."""
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return uri


def open_client(uri: str) -> Any:
    """An ``MlflowClient`` for ``uri``, after checking the store exists and is MLflow's.

    Raises:
        UsageError: mlflow is not installed (exit 2).
        CardpressError: the store is missing, not an MLflow store, or cannot be opened.
    """
    kind = store_kind(uri)
    if kind == "mlflow-sqlite":
        _check_sqlite(uri)
    elif kind == "mlflow-file":
        _check_mlruns(uri)
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    else:
        for name, value in HTTP_ENV.items():
            os.environ.setdefault(name, value)
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    try:
        from mlflow import MlflowClient
    except ImportError:
        raise UsageError(NEEDS_MLFLOW) from None
    try:
        return MlflowClient(tracking_uri=uri, registry_uri=uri)
    except Exception as error:  # mlflow, sqlalchemy and alembic each raise their own kinds
        raise store_error(uri, error) from None


def request_timeout() -> str:
    """The seconds a tracking server is given to answer a request, as MLflow will read them."""
    return os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "?")


def store_error(uri: str, error: Exception) -> CardpressError:
    """One line saying why the store at ``uri`` could not be read."""
    text = " ".join(str(error).split()) or type(error).__name__
    text = text.replace(uri, public_uri(uri))
    if store_kind(uri) == "mlflow-server" and ("Max retries" in text or "timed out" in text):
        reason = "timed out" if "timed out" in text.lower() else "no connection"
        return CardpressError(
            f"{public_uri(uri)}: the tracking server does not answer ({reason}; timeout "
            f"{request_timeout()} s, MLFLOW_HTTP_REQUEST_TIMEOUT) — check the URL and that the "
            "server runs"
        )
    if "out-of-date database schema" in text or "alembic" in text.lower():
        fix = "upgrade it with `mlflow db upgrade URI` (back it up first)"
        return CardpressError(f"{public_uri(uri)}: the MLflow database schema is too old — {fix}")
    if len(text) > 300:
        text = text[:300] + "…"
    fix = "check the URI, that the store is MLflow's and, for a server, that it is running"
    return CardpressError(f"{public_uri(uri)}: cannot read the MLflow store ({text}) — {fix}")


def local_path(uri: str) -> Path:
    """The file-system path of a ``sqlite:``/``file:`` URI or a plain path."""
    parts = urlsplit(uri)
    if parts.scheme == "sqlite":
        # SQLAlchemy's form: sqlite:///x.db is x.db in the current folder (MLflow 3's default
        # store), sqlite:////abs/x.db the absolute path: drop the one slash after the host.
        return Path(unquote(parts.path.removeprefix("/")))
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    return Path(uri)


def _check_sqlite(uri: str) -> None:
    """Refuse a missing or non-MLflow database: mlflow would create or alter it."""
    path = local_path(uri)
    if not path.is_file():
        raise CardpressError(
            f"{uri}: no such SQLite file {str(path)!r} — give the path of an existing mlflow.db"
        )
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        raise CardpressError(
            f"{uri}: {str(path)!r} is not a readable SQLite database ({error}) — "
            "give the path of an MLflow tracking database"
        ) from None
    if not {"runs", "alembic_version", "registered_models"} <= tables:
        raise CardpressError(
            f"{uri}: {str(path)!r} is not an MLflow tracking database (no runs, "
            "registered_models or alembic_version table) — give the path of mlflow.db"
        )


def _check_mlruns(uri: str) -> None:
    """Refuse a folder that is not an mlruns file store: mlflow would create one there."""
    path = local_path(uri)
    if not path.is_dir():
        raise CardpressError(f"{uri}: no such folder — give the path of an mlruns folder")
    if not any(path.glob("*/meta.yaml")) and not (path / "models").is_dir():
        raise CardpressError(
            f"{uri}: {str(path)!r} is not an MLflow file store (no <experiment>/meta.yaml) — "
            "give the path of the mlruns folder"
        )
