"""The chart templates shipped as JSON are the ones Altair builds from the chart code now."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cardpress.render.chart_templates import FILE, SHIPPED, built_now, key

SHIPPED_FILE = Path(__file__).parents[2] / "src" / "cardpress" / "render" / FILE


def test_the_shipped_templates_are_what_altair_builds_now() -> None:
    shipped = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    now = built_now()
    assert sorted(shipped) == sorted(key(name, args) for name, cases in SHIPPED.items()
                                     for args in cases)  # fmt: skip
    for name in sorted(now):
        diff = "\n".join(difflib.unified_diff(
            _lines(shipped[name]), _lines(now[name]), "shipped", "built now", lineterm=""
        ))  # fmt: skip
        assert not diff, (
            f"{name}: the shipped template is not what the chart code builds — run "
            f"`python -m cardpress.render.chart_templates` and commit {FILE}\n{diff}"
        )


def _lines(template: str) -> list[str]:
    """A template's lines, its ``$schema`` left out: the URL names the Vega-Lite version of the
    Altair that built it, and a newer Altair's templates are the same charts."""
    spec = {k: v for k, v in json.loads(template).items() if k != "$schema"}
    return json.dumps(spec, indent=1, sort_keys=True).splitlines()


def test_a_site_without_monitoring_is_built_without_loading_altair(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal", charts=False), tmp_path / "site"
    script = (
        "import sys, cardpress\n"
        f"cardpress.build({str(records)!r}, {str(out)!r})\n"
        "print('altair' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "False"
    assert list(out.glob("models/*/v/*/fairness/index.html"))  # its charts were drawn


def test_drift_charts_are_drawn_without_loading_altair(example_site: Path) -> None:
    folder = example_site / "models" / "income-classifier" / "drift"
    feature = next(folder.glob("*/index.json"))
    script = (
        "import json, sys\n"
        "from cardpress.render.drift import charts\n"
        f"timeline = json.loads(open({str(folder / 'index.json')!r}).read())\n"
        f"page = json.loads(open({str(feature)!r}).read())\n"
        "specs = [charts.heat_map(timeline), charts.dataset_drift(timeline),\n"
        "         charts.performance_chart(timeline), charts.histogram(page),\n"
        "         charts.feature_timeline(page)]\n"
        "print('altair' in sys.modules, len(specs))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "False 5"
