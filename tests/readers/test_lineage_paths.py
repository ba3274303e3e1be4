"""Where a data set named by a lineage source lives: one key for one file, however it is named."""

from __future__ import annotations

import os
from pathlib import Path

from cardpress.readers.files import folders_resolved_once
from cardpress.readers.lineage.paths import locate


def test_a_file_outside_named_relative_and_absolute_is_one_location(tmp_path: Path) -> None:
    """DVC's "../data/train.csv" beside MLflow's absolute path: two data sets (the model lost
    its upstream pipeline) once equal content no longer merged them."""
    project = tmp_path / "proj"
    records = project / "audit"
    (project / "data").mkdir(parents=True)
    records.mkdir()
    data = project / "data" / "train.csv"
    data.write_text("x\n1\n")
    from_dvc = locate(records, records, "../data/train.csv", False, (project,))
    from_mlflow = locate(records, records / "runs", str(data), False, (project,))
    from_openlineage = locate(records, records, data.as_uri(), False, (project,))
    assert from_dvc == from_mlflow == from_openlineage == ("../data/train.csv", data.resolve())
    assert locate(records, records, str(data), False)[1] is None  # not allowed: not read


def test_links_to_one_cache_object_are_two_locations(tmp_path: Path) -> None:
    """DVC's cache.type symlink: data/raw.csv and data/train.csv both link to one cache file
    (equal bytes). Followed, they became one data set and a false lineage cycle."""
    cache = tmp_path / ".dvc" / "cache" / "files" / "md5" / "7f" / "2480"
    cache.parent.mkdir(parents=True)
    cache.write_text("a,b\n")
    (tmp_path / "data").mkdir()
    for name in ("raw.csv", "train.csv"):
        (tmp_path / "data" / name).symlink_to(cache)
    raw = locate(tmp_path, tmp_path, "data/raw.csv", False)
    train = locate(tmp_path, tmp_path, "data/train.csv", False)
    assert (raw[0], train[0]) == ("data/raw.csv", "data/train.csv")
    assert raw[1] == train[1] == cache.resolve()  # what is hashed: the linked file's bytes


def test_a_linked_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "x.csv").write_text("1\n")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    assert locate(tmp_path, tmp_path, "alias/x.csv", False)[0] == "real/x.csv"


def _locate_by_resolve(root: Path, base: Path, text: str) -> tuple[str, Path | None]:
    """The location worked out with three ``Path.resolve`` calls, as before folders were kept."""
    try:
        literal = Path(os.path.normpath(base / text))
        spot = literal.parent.resolve() / literal.name
        path = literal.resolve()
    except (OSError, RuntimeError, ValueError):
        return text, None
    top = root.resolve()
    if spot.is_relative_to(top):
        return spot.relative_to(top).as_posix() or ".", path
    return Path(os.path.relpath(spot, top)).as_posix(), path


def test_kept_folders_give_what_resolving_every_path_gives(tmp_path: Path) -> None:
    """One read keeps resolved folders (a thousand records name a few); the answers are those of
    resolving each path whole: links to files and folders, a dangling link, a loop, a missing
    file, a name too long, a NUL byte."""
    records = tmp_path / "audit"
    (records / "data" / "real").mkdir(parents=True)
    (records / "data" / "real" / "x.csv").write_text("x\n")
    (records / "data" / "linked").symlink_to(records / "data" / "real")
    (records / "data" / "file-link.csv").symlink_to(records / "data" / "real" / "x.csv")
    (records / "data" / "dangling.csv").symlink_to(records / "data" / "gone.csv")
    (records / "data" / "loop.csv").symlink_to(records / "data" / "loop.csv")
    names = [
        "data/real/x.csv", "data/linked/x.csv", "data/file-link.csv", "data/dangling.csv",
        "data/loop.csv", "data/missing.csv", "data/linked/missing.csv", "data/real",
        "data/linked", "missing-folder/x.csv", "data/real/x.csv/below", "x" * 300,
        "data/a\0b.csv", "../outside.csv", ".", "data/linked/../real/x.csv",
    ]  # fmt: skip
    for base in (records, Path(os.path.relpath(records))):  # a relative records folder too
        with folders_resolved_once():
            for _ in range(2):  # the second time from the kept folders
                for name in [*names, "..", "../..", "./data/.."]:
                    expected = _locate_by_resolve(base, base, name)
                    assert locate(base, base, name, True) == expected, name
        for name in names:
            assert locate(base, base, name, True) == _locate_by_resolve(base, base, name), name
