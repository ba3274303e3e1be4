"""What a command-line run on bad or odd input must end with: checked the same way by every test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result


def fails(run_cli: Callable[..., Result], records: Path, out: Path) -> list[str]:
    """The problems of validate, which build reports the same; nothing written, no traceback."""
    outputs = []
    for command in (["validate", str(records)], ["build", str(records), "-o", str(out)]):
        result = run_cli(*command)
        assert result.exit_code == 1, result.output
        assert not out.exists(), "a failed build must not write anything"
        assert "Traceback" not in result.output and "cardpress bug" not in result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    lines = outputs[0].strip().splitlines()
    assert lines[-1].endswith("found; nothing was written.")
    return [lines[0].removeprefix("Error: "), *lines[1:-1]]


def builds(run_cli: Callable[..., Result], records: Path, out: Path) -> str:
    """The output of a build that validate passes and that succeeds, with no traceback."""
    assert run_cli("validate", str(records)).exit_code == 0
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "cardpress bug" not in result.output
    return result.output
