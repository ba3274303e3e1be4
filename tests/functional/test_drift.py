"""Drift pages of the example, checked end to end against scipy on the raw monitoring rows."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp

import cardpress
from tests.conftest import EXAMPLE, PROJECTS

MONITORING = EXAMPLE / "monitoring" / "income-classifier"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def site(example_site: Path) -> Path:
    return example_site


def _rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = pd.concat([pd.read_parquet(p) for p in sorted(MONITORING.glob("*.parquet"))])
    day = rows.timestamp.dt.strftime("%Y-%m-%d")
    reference = rows[(day >= "2026-06-10") & (day <= "2026-06-23")]
    return rows.assign(day=day), reference


def _feature(site: Path, name: str) -> dict:  # type: ignore[type-arg]
    page = site / "models/income-classifier/drift" / name.replace("_", "-") / "index.json"
    return json.loads(page.read_text())  # type: ignore[no-any-return]


def test_a_categorical_distance_equals_scipy_on_the_raw_rows(site: Path) -> None:
    rows, reference = _rows()
    window = rows[rows.day == "2026-09-07"]
    categories = sorted(reference.workclass.dropna().unique())

    def shares(values: pd.Series) -> np.ndarray:  # type: ignore[type-arg]
        present = values.dropna()
        counts = [int((present == c).sum()) for c in categories]
        counts.append(int((~present.isin(categories)).sum()))  # unseen: Gig-economy
        return np.array(counts) / len(present)

    expected = jensenshannon(shares(reference.workclass), shares(window.workclass), base=2)
    found = next(w for w in _feature(site, "workclass")["windows"] if w["window"] == "2026-09-07")
    assert abs(found["js"] - expected) < 1e-9 and found["drifted"] is True


def test_a_numeric_ks_equals_scipy_on_the_binned_raw_rows(site: Path) -> None:
    rows, reference = _rows()
    window = rows[rows.day == "2026-08-30"]
    edges = np.unique(np.quantile(reference.age, np.linspace(0, 1, 11)))  # linear = DuckDB's

    def binned(values: pd.Series) -> np.ndarray:  # type: ignore[type-arg]
        index = np.searchsorted(edges, values, side="right")  # [e(i-1), e(i)) → i
        index[values == edges[-1]] = len(edges) - 1  # the last interior bin is closed
        return index

    expected = ks_2samp(binned(reference.age), binned(window.age), method="asymp")
    found = next(w for w in _feature(site, "age")["windows"] if w["window"] == "2026-08-30")
    assert abs(found["ks_d"] - expected.statistic) < 1e-9
    assert abs(found["ks_p"] - expected.pvalue) < 1e-9


def test_the_timeline_page_its_csv_and_the_model_link(site: Path) -> None:
    folder = site / "models/income-classifier/drift"
    data = json.loads((folder / "index.json").read_text())
    assert len(data["windows"]) == 90 and data["engine"] == "duckdb"
    assert [c["version"] for c in data["version_changes"]] == ["1", "2"]
    workclass = next(f for f in data["features"] if f["name"] == "workclass")
    assert workclass["windows_drifted"] > 20  # the injected unseen category
    assert data["performance"][0]["labelled"] > 0
    lines = (folder / "drift.csv").read_text().splitlines()
    assert lines[0].startswith("window,start,feature,kind,rows") and len(lines) == 1 + 90 * 11
    model = (site / "models/income-classifier/index.html").read_text()
    assert 'href="drift/index.html"' in model
    # the headline: the latest window's verdict, first on the drift page and on the model page
    headline = data["headline"]
    assert headline["window"] == "2026-09-07" and "workclass" in headline["drifted"]
    assert headline["verdict"].startswith("drift in ") and "of 10 features" in headline["verdict"]
    page = (folder / "index.html").read_text()
    assert page.index('id="verdict"') < page.index('id="heat-map"')
    assert headline["verdict"] in page and headline["verdict"] in model
    # features by severity: the latest window's most alarming first; one not judged says why
    assert data["features"][0]["name"] == "workclass"
    ratios = [f["latest"]["ratio"] for f in data["features"] if f["latest"]]
    assert ratios[1:] == sorted(ratios[1:], reverse=True)
    gain = next(f for f in data["features"] if f["name"] == "capital_gain")
    assert gain["latest"] is None and "in one bin ([0, 99999])" in gain["notes"][0]
    # the reference's own days (2026-06-10 to 06-23) raise no alarm
    assert not any(w["drifted"] for w in data["windows"] if w["key"] <= "2026-06-23")


def test_names_from_monitoring_rows_are_escaped(tmp_path: Path) -> None:
    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    folder = root / "monitoring" / "churn"
    folder.mkdir(parents=True)
    times = pd.date_range("2026-03-01", periods=6, freq="6h", tz="UTC")
    frame = pd.DataFrame({"timestamp": times, "model_version": "1",
                          SCRIPT: [SCRIPT, "b"] * 3, "x": range(6)})  # fmt: skip
    frame.to_parquet(folder / "rows.parquet", index=False)
    with (root / "cardpress.toml").open("a") as config:
        config.write('\n[drift]\nreference = "2026-03-01/2026-03-01"\n')
    cardpress.build(root, tmp_path / "site")
    pages = list((tmp_path / "site" / "models" / "churn" / "drift").rglob("*.html"))
    assert len(pages) == 3  # the timeline and one page per feature
    for page in pages:
        assert SCRIPT not in page.read_text()
    assert (tmp_path / "site/models/churn/drift/script-alert-1-script/index.html").is_file()


def test_a_csv_month_beside_the_parquet_months_gives_the_same_drift(tmp_path: Path) -> None:
    from cardpress.readers.records import read_records

    root = tmp_path / "records"
    shutil.copytree(EXAMPLE, root)
    month = root / "monitoring" / "income-classifier" / "2026-09.parquet"
    frame = pd.read_parquet(month)
    iso = frame.assign(timestamp=frame.timestamp.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    iso.to_csv(month.with_suffix(".csv"), index=False)
    month.unlink()
    [found] = read_records(root, drift=True).drift
    [expected] = read_records(EXAMPLE, drift=True).drift
    assert "monitoring/income-classifier/2026-09.csv" in found.sources
    assert dataclasses.replace(found, sources=expected.sources) == expected
