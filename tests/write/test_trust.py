"""Trust promises: signatures cover every file, forged sites are refused, builds serialised."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import cardpress
from cardpress import api, pipeline
from cardpress.errors import BuildError
from cardpress.write.lock import lock_path, site_lock
from cardpress.write.manifest import sha256_bytes

EPOCH = "1767225600"
PAGE = "models/churn/v/1/index.html"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "key.pem", tmp_path / "public.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True
    )
    return private, public


@pytest.fixture
def signed(
    project: Callable[[str], Path],
    tmp_path: Path,
    keys: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, Path]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out, sign_key=keys[0])
    return records, out


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _forge(out: Path, page: str, *, manifest: bool) -> None:
    """Edit a page and put its new hash in SHA256SUMS (and the manifest), as a forger would."""
    path = out / page
    old = sha256_bytes(path.read_bytes())
    path.write_bytes(path.read_bytes().replace(b"</body>", b"<p>forged</p></body>"))
    new = sha256_bytes(path.read_bytes())
    if manifest:
        manifest_file = out / "manifest.json"
        manifest_file.write_text(manifest_file.read_text().replace(old, new))
    sums = (out / "SHA256SUMS").read_text().replace(old, new)
    digest = sha256_bytes((out / "manifest.json").read_bytes())
    lines = [
        f"{digest}  manifest.json" if line.endswith("  manifest.json") else line
        for line in sums.splitlines()
    ]
    (out / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def test_verify_checks_every_file_against_the_signed_manifest(
    signed: tuple[Path, Path], keys: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    _, out = signed
    _forge(out, PAGE, manifest=False)
    for extra in ([], ["--public-key", str(keys[1])]):
        result = run_cli("verify", str(out), *extra)
        assert result.exit_code == 1, result.output
        assert f"altered: {PAGE}\n" in result.output
        assert "signature: invalid" not in result.output  # the manifest itself is untouched


def test_a_page_forged_with_its_manifest_entry_fails_the_signature(
    signed: tuple[Path, Path], keys: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    _, out = signed
    _forge(out, PAGE, manifest=True)
    assert run_cli("verify", str(out)).exit_code == 0  # consistent, and unsigned checks can't tell
    result = run_cli("verify", str(out), "--public-key", str(keys[1]))
    assert (result.exit_code, result.output.splitlines()[0]) == (1, "signature: invalid")


def test_a_forged_published_page_is_never_re_signed(
    signed: tuple[Path, Path], keys: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    records, out = signed
    _forge(out, PAGE, manifest=True)
    before = _snapshot(out)
    result = run_cli("build", str(records), "-o", str(out), "--sign-key", str(keys[0]))
    assert result.exit_code == 1
    assert "manifest.json.sig: the published manifest does not match its signature" in result.output
    assert "Traceback" not in result.output
    assert _snapshot(out) == before


def test_a_signed_site_is_not_rebuilt_unsigned_and_a_new_key_needs_the_old_one(
    signed: tuple[Path, Path],
    keys: tuple[Path, Path],
    run_cli: Callable[..., Result],
    tmp_path: Path,
) -> None:
    records, out = signed
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert "the published site is signed (manifest.json.sig)" in result.output
    new_private, new_public = tmp_path / "new.pem", tmp_path / "new-public.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(new_private)], check=True
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(new_private), "-pubout", "-out", str(new_public)], check=True
    )
    result = run_cli("build", str(records), "-o", str(out), "--sign-key", str(new_private))
    assert result.exit_code == 1
    assert "signed with another key (then pass --previous-public-key PEM)" in result.output
    result = run_cli("build", str(records), "-o", str(out), "--sign-key", str(new_private),
                     "--previous-public-key", str(keys[1]))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert run_cli("verify", str(out), "--public-key", str(new_public)).exit_code == 0


def test_a_version_deleted_from_the_manifest_is_not_published_again(
    project: Callable[[str], Path], tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["versions"]["churn@1"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    path = records / "runs" / "churn-1.json"
    path.write_text(path.read_text().replace('"value": 0.6666666666666666', '"value": 0.7'))
    before = _snapshot(out)
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert "published version(s) churn@1 have pages or a change-log entry but no entry" in (
        result.output
    )
    assert _snapshot(out) == before


def test_verify_never_follows_a_symlink_into_the_site_and_reports_it(
    signed: tuple[Path, Path], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    _, out = signed
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside")
    (out / "extra").symlink_to(outside)
    result = run_cli("verify", str(out))
    assert result.exit_code == 1
    assert "extra" in result.output


def test_a_second_build_into_a_locked_site_stops_and_names_the_holder(
    project: Callable[[str], Path], tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    with site_lock(out.absolute()):
        result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert f"another cardpress build (pid {os.getpid()}, started " in result.output
    assert "--wait" in result.output
    assert not out.exists()
    assert not lock_path(out).exists()  # released and removed
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0


def test_a_waiting_build_starts_from_the_site_the_first_one_published(
    project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's repro: build R+v3 into S while a build of R queues: S keeps v3."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    records, out = project("minimal"), (tmp_path / "site").absolute()
    cardpress.build(records, out)
    with_v11 = tmp_path / "with-v11"
    _copy(records, with_v11)
    run = json.loads((records / "runs" / "churn-10.json").read_text())
    run["model"]["version"], run["run_id"] = "11", "run-0011"
    (with_v11 / "runs" / "churn-11.json").write_text(json.dumps(run))
    command = [sys.executable, "-m", "cardpress", "build", str(records), "-o", str(out), "--wait"]
    with site_lock(out):
        waiting = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        assert waiting.stderr is not None
        first = waiting.stderr.readline()  # blocks until the second build says it waits
        assert "waiting for another build" in first, first
        previous = api.read_published(out)
        pipeline.run_pipeline(with_v11, out, previous, api.manifest_digest(out), None,
                              force=False, source_date_epoch=None, republish=(), reason=None,
                              base_url=None, engine=None)  # fmt: skip
    rest = waiting.stderr.read()
    assert waiting.wait() == 1
    assert "churn version 11 is published but its run record is gone" in rest
    assert (out / "models/churn/v/11/index.html").is_file()


def test_a_build_never_publishes_over_a_site_it_did_not_start_from(
    project: Callable[[str], Path], tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    records, out = project("minimal"), (tmp_path / "site").absolute()
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    before = _snapshot(out)
    previous = api.read_published(out)
    stale = hashlib.sha256(b"some other manifest").hexdigest()
    with pytest.raises(BuildError, match="the site changed while this build ran"):
        pipeline.run_pipeline(records, out, previous, stale, None, force=False,
                              source_date_epoch=None, republish=(), reason=None, base_url=None,
                              engine=None)  # fmt: skip
    assert _snapshot(out) == before


def test_an_output_that_is_a_symlink_is_built_where_it_points(
    project: Callable[[str], Path], tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    """The documented switch setup: `site` links to a release folder; the link stays."""
    records = project("minimal")
    release = tmp_path / "release-a"
    link = tmp_path / "site"
    link.symlink_to(release.name)
    result = run_cli("build", str(records), "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and (release / "index.html").is_file()
    result = run_cli("build", str(records), "-o", str(link))  # a rebuild replaces the folder
    assert result.exit_code == 0, result.output
    assert "unchanged" not in result.output
    assert link.is_symlink() and run_cli("verify", str(link)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".cardpress")) == []


def test_a_superseded_copy_that_cannot_be_deleted_is_a_warning_not_a_failure(
    project: Callable[[str], Path],
    tmp_path: Path,
    run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cardpress.write import folders

    records, out = project("minimal"), tmp_path / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0

    def refuse(path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(folders, "empty", refuse)
    (records / "notes.txt").write_text("new")  # a new input: the build writes a new site
    result = CliRunnerWithStderr.invoke(["build", str(records), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "the site is live; files of its superseded copy" in result.stderr
    assert "unchanged" not in result.output + result.stderr
    monkeypatch.undo()
    (records / "notes.txt").write_text("newer")
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0  # the next one cleans up
    beside = [p for p in tmp_path.iterdir() if p.name.startswith(".cardpress")]
    assert [p.name for p in beside] == [".cardpress-staging-site"]  # its folders, kept
    assert [p for p in beside[0].rglob("*") if not p.is_dir()] == []


class CliRunnerWithStderr:
    """The CLI in-process with stderr (where warnings go) kept apart from stdout."""

    @staticmethod
    def invoke(args: list[str]) -> Result:
        from click.testing import CliRunner

        from cardpress.cli import cli

        return CliRunner().invoke(cli, args, catch_exceptions=False)


def _copy(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)
