"""Every chart spec a build produces follows the Vega-Lite schema.

Specs are built without Altair's per-chart validation (it cost seconds a build), so this test
is where they are validated: it builds the example, which has every kind of chart.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
from altair.vegalite.v6.schema.core import load_schema

import cardpress
from cardpress.readers.chart_cache import cache_folder, chart_key, load_svg, spec_json
from cardpress.render.charts import _renderer
from cardpress.render.vega_shapes import vegalite_svg
from tests.conftest import EXAMPLE


def test_every_chart_of_the_example_is_valid_vega_lite(
    tmp_path: Path, drawn_charts: list[dict[str, Any]]
) -> None:
    seen = drawn_charts
    records = tmp_path / "records"
    shutil.copytree(EXAMPLE, records, ignore=shutil.ignore_patterns(".cardpress-cache"))
    cardpress.build(records, tmp_path / "site")
    validator = jsonschema.Draft7Validator(load_schema())
    kinds = {str(spec.get("title")) for spec in seen}
    assert len(seen) > 20 and len(kinds) > 5  # card, fairness and drift charts all rendered
    for spec in seen:
        errors = [e.message for e in validator.iter_errors(spec)]
        assert not errors, (spec.get("title"), errors[:3])
    # every kind of chart the renderer draws is kept and read back by the next build
    folder = cache_folder(records)
    assert folder is not None
    refused = [spec.get("title") for spec in seen
               if load_svg(folder, chart_key(spec_json(spec))) is None]  # fmt: skip
    assert refused == []


def test_every_chart_of_the_example_draws_the_same_through_its_shape(
    tmp_path: Path, drawn_charts: list[dict[str, Any]]
) -> None:
    """A chart drawn through its shape's compiled Vega is the SVG vl-convert draws directly."""
    records = tmp_path / "records"
    shutil.copytree(EXAMPLE, records, ignore=shutil.ignore_patterns(".cardpress-cache"))
    cardpress.build(records, tmp_path / "site", source_date_epoch=0)
    distinct = {spec_json(spec): spec for spec in drawn_charts}
    assert len(distinct) > 20
    renderer = _renderer()
    for text, spec in sorted(distinct.items()):
        assert vegalite_svg(renderer, spec) == renderer.vegalite_to_svg(spec), spec.get("title")
        # the second time through the kept shape too (the first compiled it)
        assert vegalite_svg(renderer, json.loads(text)) == renderer.vegalite_to_svg(spec)
