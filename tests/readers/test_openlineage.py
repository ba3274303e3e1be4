"""OpenLineage events as the real openlineage-python client writes them, read back."""

from __future__ import annotations

import json
from pathlib import Path

from cardpress.model_lineage import Job
from cardpress.readers.lineage.openlineage import read_openlineage
from cardpress.readers.lineage.paths import locate
from tests.lineage.events import RUN_IDS, emit_prepare


def _read(root: Path) -> tuple[list[Job], list[str]]:
    warnings: list[str] = []
    jobs = read_openlineage(
        root, root / "lineage", lambda u: locate(root, root, u, False), warnings
    )
    return list(jobs), warnings


def test_a_completed_run_gives_its_job_inputs_outputs_schema_and_column_lineage(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw.csv").write_text("age,sex\n30,F\n")
    emit_prepare(tmp_path / "lineage" / "events.jsonl", "data/raw.csv", "data/prepared.csv")
    [job], warnings = _read(tmp_path)
    assert warnings == []
    assert job.name == "census/prepare" and job.key == "openlineage:census/prepare"
    assert [(r.run_id, r.state) for r in job.runs] == [(RUN_IDS[0], "COMPLETE")]
    assert job.runs[0].started_at == "2026-01-05T10:00:00.000Z"
    assert job.runs[0].ended_at == "2026-01-05T10:01:00.000Z"
    [raw] = job.inputs
    assert raw.uri == "data/raw.csv" and raw.local == (tmp_path / "data" / "raw.csv").resolve()
    assert raw.columns == (("age", "int64"), ("sex", "string"))
    [prepared] = job.outputs
    assert prepared.columns == (("age", "int64"),)
    [link] = job.column_lineage
    assert (link.output_field, link.input, link.input_field) == ("age", "data/raw.csv", "age")
    assert link.transformation == "DIRECT IDENTITY"


def test_a_failed_run_is_kept_with_its_state(tmp_path: Path) -> None:
    emit_prepare(tmp_path / "lineage" / "e.jsonl", "raw.csv", "out.csv", failed=True)
    [job], _ = _read(tmp_path)
    assert job.runs[0].state == "FAIL"


def test_a_sha256_dataset_version_becomes_a_digest(tmp_path: Path) -> None:
    digest = "ab" * 32
    emit_prepare(tmp_path / "lineage" / "e.jsonl", "raw.csv", "out.csv", version=digest)
    [job], _ = _read(tmp_path)
    assert job.outputs[0].digests == (("sha256", digest),)


def test_malformed_lines_are_skipped_with_file_and_line_and_the_rest_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    emit_prepare(path, "raw.csv", "out.csv")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "{not json", "[1, 2]", lines[1]]) + "\n")
    [job], warnings = _read(tmp_path)
    assert [r.state for r in job.runs] == ["COMPLETE"]
    assert warnings[0].startswith("lineage/events.jsonl:2: not a JSON object")
    assert warnings[1].startswith("lineage/events.jsonl:3: not a JSON object")


def test_unknown_facets_are_kept_in_the_file_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "lineage" / "events.jsonl"
    emit_prepare(path, "raw.csv", "out.csv")
    events = [json.loads(line) for line in path.read_text().splitlines()]
    for event in events:
        event["outputs"][0]["facets"]["acme_quality"] = {"score": [1, {"x": None}]}
        event["job"]["facets"]["acme"] = "not even an object"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    [job], warnings = _read(tmp_path)
    assert warnings == [] and job.outputs[0].uri == "out.csv"


def test_a_script_in_a_name_stays_text(tmp_path: Path) -> None:
    name = "<script>alert(1)</script>.csv"
    emit_prepare(tmp_path / "lineage" / "events.jsonl", name, "out.csv")
    [job], _ = _read(tmp_path)
    assert job.inputs[0].name == name  # escaped where it is rendered, never altered here
