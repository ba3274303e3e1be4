"""Start-up stays light: ``import cardpress``, ``--help`` and the recorder load no build engine.

Each case runs in a fresh interpreter and lists the modules it loaded, so a module-level import
of a heavy library anywhere on these paths fails here instead of slowing every command down.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Loaded only by the code that uses them (a build, validate, check, an export, an import).
HEAVY = {
    "ibis", "duckdb", "pyspark", "altair", "vl_convert", "scipy", "sklearn", "pandas", "pyarrow",
    "numpy", "jsonschema", "markdown", "jinja2", "nh3", "cryptography", "mlflow",
}  # fmt: skip

REPORT = "import sys, json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"


def _loaded(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _cli(*args: str) -> str:
    run_cli = (
        "import sys, contextlib, io\n"
        f"sys.argv = ['cardpress', *{list(args)!r}]\n"
        "from cardpress.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as done:\n"
        "        assert done.code == 0, done.code\n"
    )
    return run_cli


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import cardpress", id="import cardpress"),
        pytest.param(
            "import cardpress\ncardpress.run, cardpress.log_run, cardpress.RunRecorder",
            id="the recorder",
        ),
        pytest.param(_cli("--help"), id="cardpress --help"),
        pytest.param(_cli("--version"), id="cardpress --version"),
        pytest.param(_cli("build", "--help"), id="cardpress build --help"),
        pytest.param(_cli("export", "hf", "--help"), id="cardpress export hf --help"),
        pytest.param(_cli("schema", "run"), id="cardpress schema run"),
    ],
)
def test_loads_no_heavy_module(code: str) -> None:
    assert _loaded(code) & HEAVY == set()


def test_log_run_loads_no_build_engine(tmp_path: Path) -> None:
    """A training script that records a run does not pay for the site builder."""
    data = tmp_path / "test.csv"
    data.write_text("id,label\n1,0\n2,1\n", encoding="utf-8")
    code = (
        "import cardpress\n"
        f"cardpress.log_run('churn', '1', {str(tmp_path)!r}, code=False, packages=[],\n"
        f"    datasets=[{{'id': 'test', 'data': {str(data)!r}, 'role': 'test'}}],\n"
        "    metrics=[{'key': 'accuracy', 'value': 0.9, 'dataset': 'test'}])\n"
    )
    loaded = _loaded(code)
    assert list((tmp_path / "runs").glob("*.json"))
    engines = {"ibis", "duckdb", "pyspark", "altair", "vl_convert", "scipy", "sklearn"}
    assert loaded & engines == set()


def test_public_names_resolve_lazily() -> None:
    import cardpress
    from cardpress import api, recorder

    assert cardpress.build is api.build
    assert cardpress.log_run is recorder.log_run
    assert set(cardpress.__all__) <= set(dir(cardpress))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = cardpress.nonsense  # type: ignore[attr-defined]
