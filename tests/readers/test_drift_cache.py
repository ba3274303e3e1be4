"""Past windows' summaries are kept: a rebuild scans only new or changed monitoring files."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from scipy.stats import kstwo

from cardpress.api import build
from cardpress.model_drift import DriftSummaries
from cardpress.readers.drift import cache as drift_cache
from cardpress.readers.records import read_records
from tests.conftest import PROJECTS

HEADER = "prediction_id,timestamp,model_version,x,colour,prediction\n"


def _day(day: int, x: str, n: int = 4) -> str:
    rows = [
        f"d{day}-{i},2026-03-0{day}T0{i}:00:00Z,1,{x},{'ab'[i % 2]},{i % 2}\n" for i in range(n)
    ]
    return HEADER + "".join(rows)


def _records(tmp_path: Path, cache: str = ".drift-cache") -> Path:
    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    (root / "monitoring" / "churn").mkdir(parents=True)
    with (root / "cardpress.toml").open("a") as config:
        config.write(f'\n[drift]\nreference = "2026-03-01/2026-03-01"\ncache = "{cache}"\n')
    return root


def _write(path: Path, text: str, like: Path | None = None) -> None:
    path.write_text(text)
    if like is not None:  # same size and mtime as before: the file looks unchanged
        stat = like.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _x_sum(summaries: DriftSummaries, key: str) -> float:
    window = next(w for w in summaries.windows if w.key == key)
    return sum(dict(window.features)["x"].value_sums)


def _three_days(tmp_path: Path) -> tuple[Path, Path]:
    """Records with monitoring files of 1-3 March (6 rows each): the records and that folder."""
    root = _records(tmp_path)
    folder = root / "monitoring" / "churn"
    for day in (1, 2, 3):
        _write(folder / f"{day}.csv", _day(day, f"{day}.5", n=6))
    return root, folder


def test_a_rebuild_scans_only_the_new_file(tmp_path: Path) -> None:
    root = _records(tmp_path)
    folder = root / "monitoring" / "churn"
    _write(folder / "a.csv", _day(1, "1.0"))
    _write(folder / "b.csv", _day(2, "2.0"))
    first = read_records(root, drift=True).drift[0]
    assert _x_sum(first, "2026-03-02") == 8.0
    # b.csv changes behind the cache's back (same size and mtime) and c.csv arrives: only c.csv
    # is scanned, so day 2 keeps the kept numbers and day 3 appears
    snapshot = folder / "snapshot"
    shutil.copy2(folder / "b.csv", snapshot)
    _write(folder / "b.csv", _day(2, "3.0"), like=snapshot)
    _write(folder / "c.csv", _day(3, "5.0"))
    second = read_records(root, drift=True).drift[0]
    assert _x_sum(second, "2026-03-02") == 8.0
    assert _x_sum(second, "2026-03-03") == 20.0
    assert second.windows[0] == first.windows[0]
    # once b.csv's modification time changes it is scanned again
    os.utime(
        folder / "b.csv", ns=(snapshot.stat().st_atime_ns, snapshot.stat().st_mtime_ns + 10**9)
    )
    third = read_records(root, drift=True).drift[0]
    assert _x_sum(third, "2026-03-02") == 12.0


def test_summaries_with_and_without_kept_ones_are_equal(tmp_path: Path) -> None:
    root, folder = _three_days(tmp_path)
    (folder / "labels").mkdir()
    _write(folder / "labels" / "l.csv", "prediction_id,label\nd1-0,1\nd2-1,0\n")
    cold = read_records(root, drift=True).drift[0]
    warm = read_records(root, drift=True).drift[0]
    assert warm == cold
    fresh_root = _records(tmp_path / "other", cache=".another-cache")
    shutil.rmtree(fresh_root / "monitoring")
    shutil.copytree(root / "monitoring", fresh_root / "monitoring")
    assert read_records(fresh_root, drift=True).drift[0].windows == cold.windows


def test_a_new_label_file_updates_performance_of_kept_windows(tmp_path: Path) -> None:
    root = _records(tmp_path)
    folder = root / "monitoring" / "churn"
    _write(folder / "a.csv", _day(1, "1.0"))
    (folder / "labels").mkdir()
    _write(folder / "labels" / "1.csv", "prediction_id,label\nd1-0,1\n")
    before = read_records(root, drift=True).drift[0].windows[0].performance
    _write(folder / "labels" / "2.csv", "prediction_id,label\nd1-1,1\nd1-2,0\n")
    after = read_records(root, drift=True).drift[0].windows[0].performance
    assert before is not None and after is not None
    assert (before.labelled, after.labelled) == (1, 3)


def test_changed_settings_do_not_reuse_summaries_made_with_others(tmp_path: Path) -> None:
    root = _records(tmp_path)
    folder = root / "monitoring" / "churn"
    for day in (1, 2, 3):
        _write(folder / f"{day}.csv", _day(day, f"{day}.5"))
    read_records(root, drift=True)  # daily summaries kept
    config = root / "cardpress.toml"
    config.write_text(config.read_text() + 'window = "weekly"\nbins = 3\n')
    warm = read_records(root, drift=True).drift[0]
    other = _records(tmp_path / "other", cache=".another-cache")
    shutil.rmtree(other / "monitoring")
    shutil.copytree(root / "monitoring", other / "monitoring")
    (other / "cardpress.toml").write_text(config.read_text().replace(".drift-cache", ".x"))
    cold = read_records(other, drift=True).drift[0]
    assert [w.key for w in warm.windows] == ["2026-W09", "2026-W10"]  # 1 March is a Sunday
    assert warm.windows == cold.windows and warm.bins == cold.bins


def test_a_rebuild_reuses_kept_ks_p_values_and_gives_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = _three_days(tmp_path)
    first = build(root, tmp_path / "one", source_date_epoch=0)
    kept = json.loads((root / ".drift-cache").glob("*-ks.json").__next__().read_text())
    assert len(kept["ks"]) == 2  # days 2 and 3 against day 1 (day 1 is itself: D = 0)

    def computed(*args: object) -> float:
        raise AssertionError("a kept KS p-value was computed again")

    monkeypatch.setattr(kstwo, "sf", computed)
    for results in (root / ".drift-cache").glob("*-report.json"):
        results.unlink()  # without the kept results: the p-values alone are reused
    second = build(root, tmp_path / "two", source_date_epoch=0)
    assert _files(first.output) == _files(second.output)


def test_a_rebuild_with_a_new_day_computes_only_the_new_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, folder = _three_days(tmp_path)
    build(root, tmp_path / "site", source_date_epoch=0)
    kept = next((root / ".drift-cache").glob("*-report.json"))
    assert json.loads(kept.read_text())["results"]  # every feature and window is kept
    _write(folder / "4.csv", _day(4, "9.5", n=6))
    from cardpress.compute.drift import report

    computed: list[int] = []
    real = report.feature_stats
    monkeypatch.setattr(report, "feature_stats", lambda *a: computed.append(1) or real(*a))
    incremental = build(root, tmp_path / "site", source_date_epoch=0)
    # day 4's x (and not days 1-3: they are kept); its colour counts are those of days 2 and
    # 3, a result this build already has
    assert len(computed) == 1
    shutil.rmtree(root / ".drift-cache")
    monkeypatch.undo()
    clean = build(root, tmp_path / "clean", source_date_epoch=0)
    assert _files(incremental.output) == _files(clean.output)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: text.replace('"rows": 6', '"rows": 7', 1),  # edited
        lambda text: text.replace('"made_by": [', '"made_by": [0, ', 1),  # another cardpress
    ],
)
def test_damaged_or_foreign_kept_results_are_computed_again(
    tmp_path: Path, damage: Callable[[str], str]
) -> None:
    root, _ = _three_days(tmp_path)
    first = build(root, tmp_path / "one", source_date_epoch=0)
    kept = next((root / ".drift-cache").glob("*-report.json"))
    text = kept.read_text()
    assert damage(text) != text
    kept.write_text(damage(text))
    assert drift_cache.load_results(kept.with_name(kept.name.replace("-report", ""))) == {}
    second = build(root, tmp_path / "two", source_date_epoch=0)
    assert _files(first.output) == _files(second.output)


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_kept_ks_p_values_of_another_scipy_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "drift-x.json"
    drift_cache.save_p_values(path, ((0.25, 40, 0.1),))
    assert drift_cache.load_p_values(path) == {(0.25, 40): 0.1}
    kept = tmp_path / "drift-x-ks.json"
    kept.write_text(kept.read_text().replace('"scipy": "', '"scipy": "0.'))
    assert drift_cache.load_p_values(path) == {}
    kept.write_text("not json")
    assert drift_cache.load_p_values(path) == {}


def test_kept_results_are_the_json_of_each_result_and_read_back(tmp_path: Path) -> None:
    from dataclasses import asdict

    from cardpress.compute.drift.stats import Stats
    from cardpress.compute.drift.verdict import Judged, Verdict, decode, encode

    stats = Stats(40, 0.025, None, 0.12, 0.2, 0.1, ks_d=0.3, ks_p=1e-9, ks_n=20)
    results = [Judged(stats, Verdict("drifted", 0.3, 0.2, 0.01, "why"), {"psi": 0.2}),
               Judged(None, Verdict("not judged", note="no rows"), {})]  # fmt: skip
    for judged in results:  # the fields as asdict gives them, and back
        assert encode(judged) == {"stats": asdict(stats) if judged.stats else None,
                                  "verdict": asdict(judged.verdict),
                                  "thresholds": judged.thresholds}  # fmt: skip
        assert decode(encode(judged)) == judged
    path = tmp_path / "drift-x.json"
    encoded = {f"k{n}": encode(judged) for n, judged in enumerate(results)}
    drift_cache.save_results(path, encoded)
    written = json.loads((tmp_path / "drift-x-report.json").read_text())
    assert (tmp_path / "drift-x-report.json").read_text() == json.dumps(written, sort_keys=True)
    assert drift_cache.load_results(path) == encoded


def test_kept_performance_is_the_json_asdict_gives_and_reads_back() -> None:
    from dataclasses import asdict

    from cardpress.model_drift import Performance

    kinds = [
        Performance(rows=9, labelled=7, tp=2, fp=1, tn=3, fn=1,
                    score_counts=((0.25, 1, 2), (0.5, 2, 1), (0.75, 1, 0)),
                    delay_counts=(1, 2, 3, 1, 0), delay_sum=86400.5),
        Performance(rows=4, labelled=4, task="regression", abs_sum=2.5, error_sum=-0.5,
                    square_sum=3.25, fourth_sum=5.0, unreadable=1),
        Performance(rows=5, labelled=5, task="multiclass",
                    confusion=(("a", "a", 2), ("a", "b", 1), ("b", "b", 2))),
    ]  # fmt: skip
    for found in kinds:
        encoded = drift_cache.encode_performance(found)
        assert json.dumps(encoded, sort_keys=True) == json.dumps(asdict(found), sort_keys=True)
        assert drift_cache.decode_performance(json.loads(json.dumps(encoded))) == found
