"""Nothing outside the records folder reaches the site: links and config paths are contained.

Each attack puts a file holding a sentinel token outside the records folder and reaches it from
inside: a symlink at a record path (a file or a folder), or a path in ``cardpress.toml``. The
token must appear nowhere in the built site, and ``validate`` must report what ``build`` does.
The same links pointing *inside* the records folder keep working.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardpress.api import build, validate, verify
from cardpress.errors import BuildError, RecordsError
from cardpress.readers.lineage.paths import locate
from cardpress.render.env import make_env
from tests.conftest import PROJECTS

TOKEN = "Zq7xKv3pW9tLm2"  # appears in no cardpress source, template or test project
MONITORING = "prediction_id,timestamp,model_version,x,colour,prediction\n"


def _rows(day: int, colour: str) -> str:
    return MONITORING + "".join(
        f"d{day}-{i},2026-03-0{day}T0{i}:00:00Z,1,{i},{colour},{i % 2}\n" for i in range(4)
    )


def _records(base: Path) -> Path:
    root = base / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    (root / "monitoring" / "churn").mkdir(parents=True)
    (root / "monitoring" / "churn" / "day1.csv").write_text(_rows(1, "a"))
    with (root / "cardpress.toml").open("a") as config:
        config.write('\n[drift]\nreference = "2026-03-01/2026-03-01"\ncache = ".drift-cache"\n')
    return root


def _run(root: Path, version: str) -> str:
    record = json.loads((root / "runs" / "churn-1.json").read_text())
    record["model"].update(version=version, type=TOKEN)
    record["run_id"] = f"run-{version}"
    return json.dumps(record)


def _card(root: Path) -> str:
    text = (root / "models" / "churn" / "card.md").read_text()
    return text.replace("Flags customers likely to cancel within 30 days.", TOKEN)


def _signoff(root: Path) -> str:
    digest = hashlib.sha256((root / "runs" / "churn-1.json").read_bytes()).hexdigest()
    return json.dumps({
        "schema": "cardpress/signoff/1", "model": "churn", "version": "1",
        "record_sha256": digest, "name": "Ada", "role": "risk", "decision": "approved",
        "signed_at": "2026-02-01T09:00:00Z", "comment": TOKEN,
    })  # fmt: skip


def _event(root: Path) -> str:
    return json.dumps({
        "eventType": "COMPLETE", "eventTime": "2026-01-01T00:00:00Z",
        "run": {"runId": "00000000-0000-0000-0000-000000000001"},
        "job": {"namespace": "etl", "name": TOKEN}, "producer": "test",
        "inputs": [{"namespace": "file", "name": "data/train.csv"}], "outputs": [],
    })  # fmt: skip


def _config(root: Path) -> str:
    return (root / "cardpress.toml").read_text().replace("Minimal audit", TOKEN)


def _policy(root: Path) -> str:
    return f'schema = "cardpress/policy/1"\n\n[[rule]]\nkind = "signoff"\nname = "{TOKEN}"\n'


def _dvc(root: Path) -> str:
    return f"stages:\n  {TOKEN}:\n    cmd: echo\n    deps: [data/train.csv]\n"


# attack: (where the link goes in the records, file or folder, the file's text)
Content = Callable[[Path], str]
FILES: dict[str, tuple[str, Content]] = {
    "card": ("models/churn/card.md", _card),
    "run": ("runs/churn-1.json", lambda root: _run(root, "1")),
    "new run": ("runs/more/churn-5.json", lambda root: _run(root, "5")),
    "signoff": ("signoffs/ada.json", _signoff),
    "events": ("lineage/events.jsonl", _event),
    "dvc": ("dvc.yaml", _dvc),
    "template": ("templates/home.html", lambda root: f"<p>{TOKEN}</p>\n"),
    "asset": ("templates/assets/extra.css", lambda root: f"/* {TOKEN} */\n"),
    "policy": ("policy.toml", _policy),
    "config": ("cardpress.toml", _config),
    "monitoring": ("monitoring/churn/day2.csv", lambda root: _rows(2, TOKEN)),
}
FOLDERS: dict[str, tuple[str, str, Content]] = {
    "runs folder": ("runs/linked", "churn-6.json", lambda root: _run(root, "6")),
    "assets folder": ("templates/assets", "extra.css", lambda root: f"/* {TOKEN} */\n"),
    "lineage folder": ("lineage", "events.jsonl", _event),
}
# [table] key = a folder holding the file
KEYS: dict[str, tuple[str, str, str, Content]] = {
    "openlineage key": ("lineage", "openlineage", "events.jsonl", _event),
    "drift data key": ("drift.models.churn", "data", "day1.csv", lambda root: _rows(1, TOKEN)),
}
PUBLISHED = {"card", "run", "new run", "template", "asset", "config", "runs folder",
             "assets folder"}  # fmt: skip
ATTACKS = sorted([*FILES, *FOLDERS, *KEYS])


def _link(link: Path, target: Path, absolute: bool) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    elif os.path.lexists(link):
        link.unlink()
    link.symlink_to(target if absolute else os.path.relpath(target, link.parent))


def _attack(root: Path, away: Path, attacks: list[str], absolute: bool) -> None:
    """Reach files under ``away`` from the records folder ``root`` by ``attacks``."""
    away.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[str]] = {}
    for name in attacks:  # texts first: some are copies of record files the links replace
        if name in KEYS:
            table, key, file, content = KEYS[name]
            (away / name).mkdir()
            (away / name / file).write_text(content(root))
            where = (away / name) if absolute else os.path.relpath(away / name, root)
            tables.setdefault(table, []).append(f'{key} = "{Path(where).as_posix()}"')
    texts = {name: FILES[name][1](root) for name in attacks if name in FILES}
    with (root / "cardpress.toml").open("a") as config:
        config.writelines(f"\n[{t}]\n" + "\n".join(lines) + "\n" for t, lines in tables.items())
    for name in attacks:
        if name in FOLDERS:
            path, file, content = FOLDERS[name]
            (away / name).mkdir()
            (away / name / file).write_text(content(root))
            _link(root / path, away / name, absolute)
    for name in (n for n in attacks if n in FILES):
        if name == "config":
            texts[name] = _config(root)  # with the keys above
        (away / f"{name}.txt").write_text(texts[name])
        _link(root / FILES[name][0], away / f"{name}.txt", absolute)


def _site_text(out: Path) -> bytes:
    if not out.exists():
        return b""
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())


def _problems(root: Path, call: Callable[[], object]) -> str:
    with pytest.raises((RecordsError, BuildError)) as raised:
        call()
    return str(raised.value)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("absolute", [True, False])
def test_each_way_out_is_a_problem(tmp_path: Path, attack: str, absolute: bool) -> None:
    root = _records(tmp_path)
    _attack(root, tmp_path / "outside", [attack], absolute)
    built = _problems(root, lambda: build(root, tmp_path / "site", source_date_epoch=0))
    assert "resolves outside the records folder" in built
    assert not (tmp_path / "site").exists()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    attacks=st.lists(st.sampled_from(ATTACKS), min_size=1, max_size=3, unique=True),
    absolute=st.booleans(),
)
def test_no_byte_of_an_outside_file_reaches_the_site(attacks: list[str], absolute: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        root = _records(base)
        _attack(root, base / "outside", attacks, absolute)
        out = base / "site"
        built = _problems(root, lambda: build(root, out, source_date_epoch=0))
        assert TOKEN.encode() not in _site_text(out)
        assert "resolves outside the records folder" in built
        assert TOKEN not in built  # the problem names the file, never shows its text
        assert _problems(root, lambda: validate(root)) == built


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    attacks=st.lists(st.sampled_from(ATTACKS), min_size=1, max_size=3, unique=True),
    absolute=st.booleans(),
)
def test_links_that_stay_inside_the_records_folder_keep_working(
    attacks: list[str], absolute: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = _records(Path(folder))
        _attack(root, root / "shared", attacks, absolute)
        out = Path(folder) / "site"
        build(root, out, source_date_epoch=0)
        if PUBLISHED & set(attacks):
            assert TOKEN.encode() in _site_text(out)


def test_a_linked_card_names_the_file_where_it_leads_and_how_to_allow_it(tmp_path: Path) -> None:
    root = _records(tmp_path)
    _attack(root, tmp_path / "outside", ["card"], absolute=True)
    message = _problems(root, lambda: validate(root))
    target = (tmp_path / "outside" / "card.txt").resolve().as_posix()
    assert (
        f"models/churn/card.md: resolves outside the records folder (→ {target}) — copy the "
        "file into the records folder, or allow its folder in cardpress.toml: "
        f'[paths] allow = ["{Path(target).parent.as_posix()}"]'
    ) in message


def test_an_allowed_outside_root_may_be_read(tmp_path: Path) -> None:
    root = _records(tmp_path)
    _attack(root, tmp_path / "outside", ["card", "runs folder"], absolute=False)
    config = root / "cardpress.toml"
    config.write_text(f'[paths]\nallow = ["{tmp_path / "outside"}"]\n' + config.read_text())
    build(root, tmp_path / "site", source_date_epoch=0)
    assert TOKEN.encode() in _site_text(tmp_path / "site")


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        ("lineage", "openlineage", "/etc"),
        ("lineage", "openlineage", "../../x"),
        ("lineage", "dvc", '["sub", "../x"]'),
        ("drift", "data", "../x"),
        ("drift.models.churn", "cache", "../../x"),
    ],
)
def test_a_config_path_outside_is_a_problem_naming_its_line_and_key(
    tmp_path: Path, table: str, key: str, value: str
) -> None:
    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    shown = value if value.startswith("[") else f'"{value}"'
    config = root / "cardpress.toml"
    config.write_text(config.read_text() + f"\n[{table}]\n{key} = {shown}\n")
    line = len(config.read_text().splitlines())
    field = f"{table}.{key}"
    for call in (lambda: validate(root), lambda: build(root, tmp_path / "site")):
        message = _problems(root, call)
        assert f"cardpress.toml:{line}: {field}: " in message
        assert "resolves outside the records folder" in message
    assert not (tmp_path / "site").exists() and not (tmp_path / "x").exists()


def test_the_drift_cache_is_never_written_outside(tmp_path: Path) -> None:
    root = _records(tmp_path)
    config = root / "cardpress.toml"
    config.write_text(config.read_text().replace('cache = ".drift-cache"', 'cache = "../kept"'))
    message = _problems(root, lambda: build(root, tmp_path / "site"))
    assert "drift.cache: '../kept' resolves outside the records folder" in message
    assert not (tmp_path / "kept").exists()


def test_a_link_cycle_inside_the_records_folder_ends(tmp_path: Path) -> None:
    root = _records(tmp_path)
    (root / "runs" / "loop").symlink_to("..")
    (root / "lineage").mkdir()
    (root / "lineage" / "loop").symlink_to(".")
    (root / "monitoring" / "churn" / "loop").symlink_to("../churn")
    records = validate(root)
    assert len(records.runs) == 3


def test_a_template_read_after_validation_cannot_lead_out(tmp_path: Path) -> None:
    """Time of check, time of use: the loader resolves each template itself."""
    (tmp_path / "secret.html").write_text(TOKEN)
    templates = tmp_path / "records" / "templates"
    templates.mkdir(parents=True)
    (templates / "home.html").symlink_to(tmp_path / "secret.html")
    env = make_env(templates, ((tmp_path / "records").resolve(),))
    with pytest.raises(BuildError, match="resolves outside the records folder"):
        env.get_template("home.html")


def test_data_files_under_an_allowed_root_are_hashed_others_only_named(tmp_path: Path) -> None:
    root, warehouse = tmp_path / "records", tmp_path / "warehouse"
    root.mkdir()
    warehouse.mkdir()
    (warehouse / "train.csv").write_text("x\n1\n")
    (tmp_path / "elsewhere.csv").write_text("x\n1\n")
    allowed = (warehouse.resolve(),)
    assert locate(root, root, str(warehouse / "train.csv"), False, allowed)[1] is not None
    assert locate(root, root, str(tmp_path / "elsewhere.csv"), False, allowed)[1] is None
    assert locate(root, root, "../elsewhere.csv", True, allowed)[1] is not None  # legacy switch


def test_verify_reports_a_linked_folder_or_file_and_never_follows_it(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    root = _records(tmp_path)
    site = tmp_path / "site"
    build(root, site, source_date_epoch=0)
    (site / "extra").symlink_to("/etc")
    (site / "index.html").unlink()
    (site / "index.html").symlink_to(tmp_path / "records" / "cardpress.toml")
    report = verify(site)
    assert not report.ok
    assert report.added == ("extra",)  # a link where a built file should be is "altered"
    assert report.altered == ("index.html",) and report.missing == ()
    done = run_cli("verify", str(site))
    assert done.exit_code == 1 and "extra" in done.output
