"""Published versions are immutable, verifiable, and survive failed or killed builds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import Result

import cardpress
from cardpress.publishing import is_live
from tests.conftest import bench_records

EPOCH = "1767225600"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _bump_metric(records: Path, value: float) -> None:
    path = records / "runs" / "churn-1.json"
    path.write_text(path.read_text().replace('"value": 0.6666666666666666', f'"value": {value}'))


@pytest.fixture
def built(
    project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    return records, out


def test_rebuilding_the_same_records_changes_nothing(built: tuple[Path, Path]) -> None:
    records, out = built
    before = _snapshot(out)
    cardpress.build(records, out)
    assert _snapshot(out) == before


def test_published_versions_are_frozen_and_new_ones_added(built: tuple[Path, Path]) -> None:
    records, out = built
    before = _snapshot(out)
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("Built for the", "Rewritten: built for the"))
    new_run = json.loads((records / "runs" / "churn-10.json").read_text())
    new_run["model"]["version"], new_run["run_id"] = "11", "run-0011"
    (records / "runs" / "churn-11.json").write_text(json.dumps(new_run))
    cardpress.build(records, out)
    after = _snapshot(out)
    for version in ("1", "10"):
        prefix = f"models/churn/v/{version}/"
        assert {p: c for p, c in after.items() if p.startswith(prefix) and not is_live(p)} == {
            p: c for p, c in before.items() if p.startswith(prefix) and not is_live(p)
        }
    # the review page of version 1 points at the newest version's review through latest/review/
    old_review = "models/churn/v/1/review/index.html"
    assert b"../../../latest/review/index.html" in after[old_review]
    assert after[old_review] == before[old_review]  # a new version leaves it as it was
    assert b"url=../../v/11/review/index.html" in after["models/churn/latest/review/index.html"]
    assert b"Rewritten" in after["models/churn/v/11/index.html"]
    assert b"url=../v/11/index.html" in after["models/churn/latest/index.html"]
    log = json.loads(after["changelog/index.json"])["entries"]
    assert log[0] == {
        "action": "published",
        "date": "2026-01-01T00:00:00+00:00",
        "model": "churn",
        "version": "11",
    }


def test_a_changed_published_record_stops_the_build(
    built: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    records, out = built
    before = _snapshot(out)
    _bump_metric(records, 0.7)
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == (
        "Error: churn version 1 is already published and its record changed — to publish the "
        "change, rebuild with --republish churn@1 --reason TEXT:\n"
        "  sections.metrics.reported[0].values[0].value: 0.6666666666666666 → 0.7\n"
        "  sections.quantitative_analyses.overall[0].value: 0.6666666666666666 → 0.7\n"
        "Nothing was written; the site is unchanged.\n"
    )
    assert _snapshot(out) == before


def test_republish_rebuilds_one_version_and_logs_the_reason(
    built: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    records, out = built
    _bump_metric(records, 0.7)
    args = ["build", str(records), "-o", str(out), "--republish", "churn@1"]
    assert run_cli(*args).exit_code == 2  # a reason is required
    assert run_cli(*args[:-1], "churn@99", "--reason", "x").exit_code == 2  # not published
    for blank in ("", "   ", "\t\n"):  # a reason must say something
        refused = run_cli(*args, "--reason", blank)
        assert refused.exit_code == 2 and "--reason" in refused.output
    with pytest.raises(click.UsageError, match="--reason is empty"):
        cardpress.build(records, out, republish=["churn@1"], reason="  ")
    # a reason without versions was dropped without a word
    refused = run_cli("build", str(records), "-o", str(out), "--reason", "why")
    assert refused.exit_code == 2 and "--reason is the reason for republishing" in refused.output
    assert run_cli(*args, "--reason", "metric recomputed after label fix").exit_code == 0
    card = json.loads((out / "models/churn/v/1/index.json").read_text())
    assert card["sections"]["quantitative_analyses"]["overall"][0]["value"] == 0.7
    entry = json.loads((out / "changelog/index.json").read_text())["entries"][0]
    assert entry == {
        "action": "republished", "date": "2026-01-01T00:00:00+00:00", "model": "churn",
        "version": "1", "reason": "metric recomputed after label fix",
    }  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    assert (
        manifest["versions"]["churn@1"]["inputs_digest"]
        == cardpress.validate(records).runs[0].inputs_digest
    )


def test_a_published_version_cannot_disappear(
    built: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    records, out = built
    (records / "runs" / "fraud-1.json").unlink()
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert "fraud version 2026.03 is published but its run record is gone" in result.output
    assert (out / "models/fraud/v/2026.03/index.html").is_file()


def test_verify_reports_every_added_missing_and_altered_file(
    built: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    _, out = built
    assert run_cli("verify", str(out)).exit_code == 0
    # GNU coreutils agrees, independently of cardpress
    assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=out).returncode == 0
    (out / "models/churn/v/1/index.html").write_text("tampered")
    (out / "404.json").unlink()
    (out / "extra.html").write_text("injected")
    result = run_cli("verify", str(out))
    assert result.exit_code == 1
    assert result.output == (
        "added: extra.html\nmissing: 404.json\naltered: models/churn/v/1/index.html\n"
        f"Error: {out}: 3 file(s) differ from SHA256SUMS or the manifest\n"
    )


def test_a_tampered_published_page_is_not_carried_forward(
    built: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    records, out = built
    (out / "models/churn/v/1/index.html").write_text("tampered")
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert (
        "models/churn/v/1/index.html: published file was altered since it was published"
        in result.output
    )
    assert (out / "models/churn/v/1/index.html").read_text() == "tampered"  # left for inspection


# The build, paused mid-write: a Python audit hook sees each file the real build opens for
# writing and, at the twentieth in the staging folder, says so on stdout and waits for stdin,
# which never comes. The test kills it then, on that event rather than on a clock. The site is
# written over threads (write.swap.THREADS, 8) and the hook runs before a file is created, so up
# to that many of the twenty may not exist yet when the build is killed; the test asks for 9.
PAUSE_MID_WRITE = """
import os, sys, threading
opened, lock = 0, threading.Lock()
def pause(event, args):
    global opened
    if event == "open" and ".cardpress-staging-" in str(args[0]) and "w" in str(args[1]):
        with lock:
            opened += 1
            now = opened
        if now == 20:
            os.write(1, b"writing\\n")
            os.read(0, 1)
sys.addaudithook(pause)
from cardpress.cli import main
main()
"""


def test_a_killed_build_leaves_the_previous_site_exactly_as_it_was(tmp_path: Path) -> None:
    records, out = tmp_path / "records", tmp_path / "site"
    bench_records(records, 3, 2)
    cardpress.build(records, out)
    before = _snapshot(out)
    # the same records and their chart cache, and a third version of each model: a bigger
    # site whose build draws only the new versions' charts before it writes
    shutil.copytree(records, bigger := tmp_path / "bigger")
    bench_records(bigger, 3, 1, first_version=3)
    command = [sys.executable, "-c", PAUSE_MID_WRITE, "build", str(bigger), "-o", str(out),
               "--force"]  # fmt: skip
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        said = process.stdout.readline()  # blocks until the build is writing (or has ended)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert said == b"writing\n", "the build ended before it was writing; the test proves nothing"
    staging = tmp_path / ".cardpress-staging-site"
    assert len([p for p in staging.rglob("*") if p.is_file()]) >= 9  # killed mid-write
    assert _snapshot(out) == before
    cardpress.build(records, out)  # the next build (nothing to write) clears what it left:
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".cardpress-staging-site", "bigger", "records", "site"]  # fmt: skip
    assert [p for p in staging.rglob("*") if not p.is_dir()] == []  # its folders, empty


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a tmpfs (CI runs as root)")
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], check=True)
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False)


def test_a_full_disk_is_a_clear_error_and_the_site_survives(project, tmpfs, run_cli) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    disk = tmpfs("size=1m")
    out = disk / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    before = _snapshot(out)
    with (disk / "filler").open(
        "wb", buffering=0
    ) as filler:  # fill it; unbuffered, so close() has nothing left to flush
        try:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        except OSError:
            pass
    (records / "notes.txt").write_text("new")  # a new input: the build writes a new site
    result = run_cli("build", str(records), "-o", str(out), "--force")
    assert result.exit_code == 1
    assert "cannot write (No space left on device)" in result.output
    assert "the previous site is unchanged" in result.output
    assert _snapshot(out) == before
    assert sorted(p.name for p in disk.iterdir()) == ["filler", "site"]


def test_a_read_only_output_folder_is_a_clear_error(project, tmpfs, run_cli) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    disk = tmpfs("size=4m")
    out = disk / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    before = _snapshot(out)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    result = run_cli("build", str(records), "-o", str(out), "--force")
    assert result.exit_code == 1
    assert "cannot write (Read-only file system)" in result.output
    assert _snapshot(out) == before


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


def test_signed_manifest_verifies_with_cardpress_and_with_openssl(built, keys, run_cli) -> None:  # type: ignore[no-untyped-def]
    records, out = built
    private, public = keys
    assert run_cli("build", str(records), "-o", str(out), "--sign-key", str(private)).exit_code == 0
    result = run_cli("verify", str(out), "--public-key", str(public))
    assert result.exit_code == 0, result.output
    assert result.output.endswith("files match SHA256SUMS, manifest signature valid\n")
    signed, signature = str(out / "manifest.json"), str(out / "manifest.json.sig")
    openssl = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(public), "-rawin",
               "-in", signed, "-sigfile", signature]  # fmt: skip
    assert subprocess.run(openssl, capture_output=True).returncode == 0
    manifest = out / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"generator"', '"generator" ', 1))
    result = run_cli("verify", str(out), "--public-key", str(public))
    assert result.exit_code == 1
    assert result.output.startswith("signature: invalid\naltered: manifest.json\n")
    assert subprocess.run(openssl, capture_output=True).returncode != 0


def test_a_missing_signature_or_a_wrong_key_fails(built, keys, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, out = built
    _, public = keys
    result = run_cli("verify", str(out), "--public-key", str(public))
    assert (result.exit_code, result.output) == (
        1, f"signature: missing\nError: {out}: the manifest signature is missing\n"
    )  # fmt: skip
    (tmp_path / "bad.pem").write_text("not a key")
    result = run_cli(
        "build", str(built[0]), "-o", str(out), "--sign-key", str(tmp_path / "bad.pem")
    )
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.pem'}: is not an unencrypted PEM private key" in result.output
    assert "openssl genpkey -algorithm ed25519" in result.output


@pytest.mark.parametrize("where", [".", "records", "records/runs", "link"])
def test_force_never_replaces_the_records(project, run_cli, tmp_path: Path, where: str) -> None:  # type: ignore[no-untyped-def]
    """`build records -o . --force` run beside the records deleted them (and a notes file)."""
    records = project("minimal")  # tmp_path/<project>: a folder of tmp_path
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "link").symlink_to(records)
    before = _snapshot(tmp_path)
    out = tmp_path if where == "." else tmp_path / where.replace("records", records.name)
    result = run_cli("build", str(records), "-o", str(out), "--force")
    assert result.exit_code == 1, result.output
    what = {".": "holds the records folder", "records": "is the records folder",
            "link": "is the records folder",
            "records/runs": "is a folder of the records"}  # fmt: skip
    assert what[where] in result.output
    assert _snapshot(tmp_path) == before, "nothing was written, moved or deleted"


def test_a_site_inside_the_records_folder_is_still_built(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project("minimal")
    for _ in range(2):  # new, then over the site it wrote (with --force, as before)
        result = run_cli("build", str(records), "-o", str(records / "site"), "--force")
        assert result.exit_code == 0, result.output
    assert (records / "site" / "index.html").is_file()
