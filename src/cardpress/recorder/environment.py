"""What ran: the code version from git, and the Python version, platform and packages."""

from __future__ import annotations

import contextlib
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cardpress.errors import ArgumentError


def git_code(script: Path | None, outputs: Iterable[Path] = ()) -> dict[str, str | bool]:
    """The git version of the code around ``script`` (default: the working directory).

    Gives ``commit``; ``dirty``: a tracked file differs from the commit (untracked files, and
    files under ``outputs`` — the records' ``runs/`` and ``predictions/`` — do not count);
    ``branch`` (absent when detached); ``repo_url``: the ``origin`` remote, else the first
    remote, with any user name or token removed; ``path``: ``script`` relative to the
    repository root. Empty when git is missing, the folder is not in a repository or the
    repository has no commit yet.
    """
    folder = script.parent if script is not None else Path.cwd()
    top = _git(folder, "rev-parse", "--show-toplevel")
    commit = _git(folder, "rev-parse", "--verify", "-q", "HEAD")
    if top is None or commit is None:
        return {}
    excluded = []
    for output in outputs:
        with contextlib.suppress(ValueError):  # outside the repository: nothing to exclude
            excluded.append(f":(top,exclude){output.resolve().relative_to(Path(top).resolve())}")
    status = _git(folder, "status", "--porcelain", "--untracked-files=no", "--", ":/", *excluded)
    code: dict[str, str | bool] = {}
    remote = _remote_url(folder)
    if remote:
        code["repo_url"] = remote
    if script is not None:
        with contextlib.suppress(ValueError):  # the script is outside the repository
            code["path"] = script.resolve().relative_to(Path(top).resolve()).as_posix()
    code["commit"] = commit
    branch = _git(folder, "symbolic-ref", "--short", "-q", "HEAD")
    if branch:
        code["branch"] = branch
    code["dirty"] = bool(status)
    return code


def code_fields(
    code: bool | Mapping[str, Any], script: str | Path | None, records: Path
) -> dict[str, Any]:
    """The run record's ``code`` fields: read from git, left out, or adjusted by a dict."""
    if code is False:
        return {}
    entry = Path(script).resolve() if script is not None else main_script()
    found: dict[str, Any] = dict(git_code(entry, [records / "runs", records / "predictions"]))
    if isinstance(code, Mapping):
        unknown = sorted(set(code) - {"repo_url", "commit", "branch", "path", "dirty"})
        if unknown:
            raise ArgumentError(f"code: unknown field(s) {unknown} — use repo_url, commit, "
                                "branch, path or dirty")  # fmt: skip
        found.update(code)
        found = {k: v for k, v in found.items() if v is not None}
    elif code is not True:
        raise ArgumentError(f"code: {code!r} — pass True (read git), False (leave out) or "
                            "a dict of fields")  # fmt: skip
    order = ("repo_url", "path", "commit", "branch", "dirty")
    return {k: found[k] for k in order if k in found}


def _remote_url(folder: Path) -> str | None:
    remotes = (_git(folder, "remote") or "").split()
    if not remotes:
        return None
    name = "origin" if "origin" in remotes else remotes[0]
    url = _git(folder, "remote", "get-url", name)
    return _without_credentials(url) if url else None


def _without_credentials(url: str) -> str:
    """``https://user:token@host/repo`` → ``https://host/repo``; scp-like URLs unchanged."""
    parts = urlsplit(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def main_script() -> Path | None:
    """The file Python was started with (``python train.py``), if there is one."""
    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None)
    return Path(file).resolve() if isinstance(file, str) and Path(file).is_file() else None


def python_version() -> str:
    """The running Python's version, e.g. ``3.11.7``."""
    return platform.python_version()


def platform_name() -> str:
    """Operating system and machine, e.g. ``Linux-x86_64``; no kernel or host details."""
    return f"{platform.system()}-{platform.machine()}"


def package_versions(names: Iterable[str] | None) -> dict[str, str]:
    """Installed versions of ``names`` (distribution or import names), sorted by name.

    With ``names=None``: every installed distribution that provides a top-level module imported
    by this process at the time of the call (``sys.modules``), cardpress and its dependencies
    included.
    """
    if names is None:
        return _imported_versions()
    if isinstance(names, str):
        raise ArgumentError(
            f"packages: {names!r} is a string — pass a list of names, e.g. [{names!r}]"
        )
    versions: dict[str, str] = {}
    for name in names:
        dist = _distribution(name)
        versions[dist] = metadata.version(dist)
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))


def _distribution(name: str) -> str:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
    else:
        return name
    providers = metadata.packages_distributions().get(name, [])
    if len(set(providers)) == 1:
        return providers[0]
    raise ArgumentError(
        f"packages: {name!r} is not an installed distribution — give the name pip installs it "
        "by (e.g. 'scikit-learn', not 'sklearn'), or leave it out"
    )


def _imported_versions() -> dict[str, str]:
    providers = metadata.packages_distributions()
    imported = {name for name in list(sys.modules) if "." not in name}
    versions: dict[str, str] = {}
    with contextlib.suppress(metadata.PackageNotFoundError):  # not mapped when installed -e
        versions["cardpress"] = metadata.version("cardpress")
    for module in imported - set(sys.stdlib_module_names):
        for dist in providers.get(module, []):
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))
