"""Lineage pages of a DVC repository made by the real ``dvc``, before and after a raw file
changed: md5 and size on stage pages, staleness like ``dvc status``, where raw data came from."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import cardpress
from tests.lineage.dvc_repo import make_repo

pytest.importorskip("dvc", reason="dvc is not installed (pip install -e '.[test]')")
PROJECT = Path(__file__).parent.parent / "projects" / "minimal"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The site of the repository as reproduced, and after data/raw.csv changed.

    The repository is the records folder: churn 1 was trained on the pipeline's data/train.csv.
    """
    base = tmp_path_factory.mktemp("dvc-site")
    root = make_repo(base)
    for name in ("cardpress.toml", "models", "predictions", "runs"):
        copy = shutil.copytree if (PROJECT / name).is_dir() else shutil.copy
        copy(PROJECT / name, root / name)
    record = root / "runs" / "churn-1.json"
    digest = hashlib.sha256((root / "data" / "train.csv").read_bytes()).hexdigest()
    record.write_text(record.read_text().replace("a" * 64, digest))
    cardpress.build(root, base / "before")
    (root / "data" / "raw.csv").write_text("age,sex\n30,F\n12,M\n45,M\n61,F\n70,M\n")
    cardpress.build(root, base / "after")
    return base / "before", base / "after"


def _page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(), "html.parser")


def _json(site: Path, path: str) -> dict:  # type: ignore[type-arg]
    return json.loads((site / path).with_suffix(".json").read_text())  # type: ignore[no-any-return]


def test_stage_pages_have_readable_folders_and_list_md5_and_size(
    sites: tuple[Path, Path],
) -> None:
    before, _ = sites
    hrefs = sorted(j["href"] for j in _json(before, "jobs/index.html")["rows"])
    tracked = [f"jobs/dvc-files/data/{n}.csv.dvc/index.html" for n in ("extra", "raw")]
    stages = [f"jobs/dvc/{n}/index.html" for n in ("prepare", "split", "train")]
    assert hrefs == tracked + stages
    prepare = _json(before, "jobs/dvc/prepare/index.html")
    raw = next(f for f in prepare["files"] if f["path"] == "data/raw.csv")
    assert raw["side"] == "dep" and raw["size_bytes"] == 28 and raw["status"] == "matches the file"
    md5 = raw["digests"][0]["value"]
    page = _page(before, "jobs/dvc/prepare/index.html").select_one("#files").get_text(" ")
    assert md5 == hashlib.md5(b"age,sex\n30,F\n12,M\n45,M\n61,F\n").hexdigest()
    assert md5 in page and "28 B" in page
    assert prepare["stale"] == [] and prepare["stale_upstream"] == []
    assert not _page(before, "models/churn/v/1/lineage/index.html").select("p.warning")


def test_a_changed_raw_file_marks_its_stage_stale_and_the_model_version_stale_upstream(
    sites: tuple[Path, Path],
) -> None:
    _, after = sites
    prepare = _json(after, "jobs/dvc/prepare/index.html")
    assert prepare["stale"] == [{"path": "data/raw.csv", "status": "modified", "side": "deps"}]
    warning = _page(after, "jobs/dvc/prepare/index.html").select_one("p.warning").get_text(" ")
    assert "Stale:" in warning and "data/raw.csv" in warning and "modified" in warning
    why = "data/raw.csv modified (stage prepare)"
    for page in ("jobs/dvc/split/index.html", "jobs/dvc/train/index.html",
                 "models/churn/v/1/lineage/index.html"):  # fmt: skip
        assert why in _json(after, page)["stale_upstream"], page
        assert "Stale upstream:" in _page(after, page).get_text(" "), page
    version = _json(after, "models/churn/v/1/lineage/index.html")
    train = next(d for d in version["datasets"] if d["label"] == "train")
    assert train["stale_upstream"] is True
    jobs = {j["label"]: j for j in _json(after, "jobs/index.html")["rows"]}
    assert jobs["prepare"]["stale"] and why in jobs["split"]["stale_upstream"]
    assert not jobs["data/extra.csv.dvc"]["stale"] + jobs["data/extra.csv.dvc"]["stale_upstream"]
    index = _json(after, "datasets/index.html")
    assert any(w.startswith("dvc.lock: stage prepare is stale") for w in index["warnings"])


def test_raw_data_says_how_dvc_tracks_it_and_where_an_import_came_from(
    sites: tuple[Path, Path],
) -> None:
    before, _ = sites
    rows = {r["id"]: r["href"] for r in _json(before, "datasets/index.html")["rows"]}
    raw = _page(before, rows["data/raw.csv"]).select_one("#identity").get_text(" ", strip=True)
    assert "Tracked by data/raw.csv.dvc (dvc add)" in raw
    extra = _page(before, rows["data/extra.csv"]).select_one("#identity").get_text(" ", strip=True)
    assert "Tracked by data/extra.csv.dvc (dvc import)" in extra and "Imported from" in extra
    assert "Path there data/extra.csv" in extra and "Commit" in extra


def test_a_changed_parameter_and_command_show_on_the_stage_pages(
    sites: tuple[Path, Path],
) -> None:
    """Same as ``dvc status``: params.yaml's min_age and train's command changed after repro."""
    root = sites[1].parent / "project"
    (root / "data" / "raw.csv").write_text("age,sex\n30,F\n12,M\n45,M\n61,F\n")  # as locked
    (root / "params.yaml").write_text("min_age: 21\n")
    spec = (root / "dvc.yaml").read_text()
    (root / "dvc.yaml").write_text(spec.replace("train.py\n", "train.py --fast\n", 1))
    site = sites[1].parent / "changed"
    cardpress.build(root, site)
    prepare = _json(site, "jobs/dvc/prepare/index.html")
    assert prepare["stale"] == [{"path": "params.yaml: min_age", "status": "modified",
                                 "side": "params"}]  # fmt: skip
    text = _page(site, "jobs/dvc/train/index.html").select_one("p.warning").get_text(" ")
    assert "changed command" in text and "(modified)" not in text
    why = "params.yaml: min_age modified (stage prepare)"
    assert why in _json(site, "models/churn/v/1/lineage/index.html")["stale_upstream"]
