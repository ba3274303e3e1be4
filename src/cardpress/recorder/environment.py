"""What ran: the code version from git, and the Python version, platform and packages."""

from __future__ import annotations

import contextlib
import platform
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cardpress.errors import ArgumentError


def git_code(script: Path | None) -> dict[str, str | bool]:
    """The git version of the code around ``script`` (default: the working directory).

    Gives ``commit``, ``dirty`` (a tracked file differs from the commit; untracked files do
    not count), ``branch`` (absent when detached), ``repo_url`` (the ``origin`` remote, else the
    first remote, with any user name or token removed) and ``path`` (``script`` relative to the
    repository root). Empty when git is missing, the folder is not in a repository or the
    repository has no commit yet.
    """
    folder = script.parent if script is not None else Path.cwd()
    top = _git(folder, "rev-parse", "--show-toplevel")
    commit = _git(folder, "rev-parse", "--verify", "-q", "HEAD")
    if top is None or commit is None:
        return {}
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
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
    for module in imported - set(sys.stdlib_module_names):
        for dist in providers.get(module, []):
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))
