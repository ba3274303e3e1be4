from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

import cardpress
from tests.conftest import EXAMPLE, PROJECTS


def _cardpress(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cardpress", *args], capture_output=True, text=True
    )


def test_version() -> None:
    result = _cardpress("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"cardpress, version {cardpress.__version__}"


def test_bad_usage_exits_2() -> None:
    for args in (["bogus"], ["build"], ["schema", "nope"], ["build", "x", "--colour"]):
        result = _cardpress(*args)
        assert result.returncode == 2, args
        assert "Try 'cardpress" in result.stderr and "Traceback" not in result.stderr


def test_bad_records_exit_1_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "x.json").write_text("[1, 2]")
    result = _cardpress("build", str(tmp_path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr == (
        "Error: runs/x.json:1: is not a JSON object — a run record is one JSON object: "
        '{"schema": "cardpress/run/1", ...}\n1 problem found; nothing was written.\n'
    )


def test_schema_prints_valid_json_schemas_that_accept_the_example(run_cli) -> None:  # type: ignore[no-untyped-def]
    for kind in ("run", "card", "config"):
        result = run_cli("schema", kind)
        assert result.exit_code == 0
        Draft202012Validator.check_schema(json.loads(result.output))
    run_schema = Draft202012Validator(json.loads(run_cli("schema", "run").output))
    for record in sorted((EXAMPLE / "runs").glob("*.json")):
        assert list(run_schema.iter_errors(json.loads(record.read_text()))) == []


def test_validate_and_quiet(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("validate", str(PROJECTS / "minimal"))
    assert result.exit_code == 0
    assert result.output.endswith(": 3 run record(s), 1 card.md: valid\n")
    assert run_cli("-q", "validate", str(PROJECTS / "minimal")).output == ""


def test_build_refuses_a_folder_it_did_not_write_unless_forced(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "docs"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    result = _cardpress("build", str(PROJECTS / "minimal"), "-o", str(out))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {out}: is not empty and is not a cardpress site — choose another output folder "
        "with -o, or pass --force to replace its contents\n"
    )
    assert (out / "thesis.tex").read_text() == "precious"
    assert run_cli("build", str(PROJECTS / "minimal"), "-o", str(out), "--force").exit_code == 0
    assert not (out / "thesis.tex").exists() and (out / "index.html").is_file()
    assert run_cli("build", str(PROJECTS / "minimal"), "-o", str(out)).exit_code == 0  # ours now


def test_python_api_matches_cli(tmp_path: Path) -> None:
    result = cardpress.build(PROJECTS / "minimal", tmp_path / "site")
    assert (result.models, result.versions) == (2, 3)
    assert result.files == len([p for p in (tmp_path / "site").rglob("*") if p.is_file()])
    assert len(cardpress.validate(PROJECTS / "minimal").runs) == 3
    assert json.loads(cardpress.schema("card"))["title"].startswith("cardpress model narrative")


def test_help_keeps_the_quick_start_lines_as_written() -> None:
    done = _cardpress("--help")
    assert "\n    cardpress build examples/adult-income -o site\n" in done.stdout
    assert "\\b" not in done.stdout
    for command in ("build", "validate", "check", "verify", "pdf", "schema"):
        assert command in done.stdout
        assert "\\b" not in _cardpress(command, "--help").stdout


def test_spark_master_needs_the_spark_engine() -> None:
    result = _cardpress("validate", str(EXAMPLE), "--spark-master", "spark://host:7077")
    assert result.returncode == 2
    assert "needs --engine spark" in result.stderr and "Traceback" not in result.stderr


def test_the_command_sets_the_collector_for_itself_and_freezes_what_is_left() -> None:
    """The command's collector settings (``cli.main`` says why), seen from a fresh interpreter."""
    script = (
        "import atexit, gc, sys\n"
        "sys.argv = ['cardpress', '--version']\n"
        "from cardpress.cli import main\n"
        "atexit.register(lambda: print(list(gc.get_threshold()), gc.get_freeze_count() > 0))\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from cardpress.cli import GC_THRESHOLDS

    assert done.stdout.splitlines()[-1] == f"{list(GC_THRESHOLDS)} True"


def test_the_python_api_leaves_the_callers_collector_alone() -> None:
    script = (
        "import gc, sys\n"
        "before = gc.get_threshold()\n"
        "import cardpress\n"
        f"cardpress.validate({str(PROJECTS / 'minimal')!r})\n"
        "print(gc.get_threshold() == before, gc.get_freeze_count())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "True 0"
