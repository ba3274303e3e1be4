"""Drift summaries kept between builds: per monitoring file, per window, as JSON.

A file's summaries are reused while its size and modification time are unchanged and the
settings they were made with (bins, windows, columns; for performance also every label file)
are the same, each checked by a digest. The cache only saves time: a build with it gives the
same pages as a build without it, because every file is summarised on its own either way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from datetime import datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from cardpress.model_drift import FeatureBins, FeatureCounts, Performance
from cardpress.readers.hashing import cache_root, load_cache, save_atomic, save_cache
from cardpress.readers.page_cache import package_digest

FORMAT = 4  # bump when what is stored changes meaning
Counts = dict[str, FeatureCounts]


def cache_file(root: Path, model: str, folder: str | None) -> Path:
    """Where one model's summaries are kept: ``folder`` (relative to the records) or temp."""
    records = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    base = root / folder if folder else cache_root() / "drift" / records
    safe = hashlib.sha256(model.encode()).hexdigest()[:16]
    return base / f"drift-{safe}.json"


def load(path: Path) -> dict[str, Any]:
    """The kept summaries, or an empty store when there are none or they cannot be read."""
    found = load_cache(path)
    if found.get("format") != FORMAT or not isinstance(found.get("files"), dict):
        return {"format": FORMAT, "files": {}, "task": {}}
    if not isinstance(found.get("task"), dict):  # the model's inferred task (drift.report)
        found["task"] = {}
    return found


def load_p_values(path: Path) -> dict[tuple[float, int], float]:
    """KS p-values kept by the last build, by (D, n); none when unreadable (they only save time).

    They sit beside the summaries (``path`` is the summaries' file): the exact distribution of
    KS's D costs up to a tenth of a second a window, and a rebuild has the same windows.
    """
    found = load_cache(_p_values_file(path))
    values = found.get("ks")
    made_by = [found.get("format"), found.get("scipy")]
    if made_by != [FORMAT, _scipy()] or not isinstance(values, list):
        return {}
    try:
        return {(float(d), int(n)): float(p) for d, n, p in values}
    except (TypeError, ValueError):
        return {}


def save_p_values(path: Path, found: tuple[tuple[float, int, float], ...]) -> None:
    """Keep this build's KS p-values (only these: the file does not grow build after build)."""
    kept = {"format": FORMAT, "scipy": _scipy(), "ks": [list(v) for v in found]}
    save_cache(_p_values_file(path), kept)


def load_results(path: Path) -> dict[str, Any]:
    """The last build's drift results (compute.drift.verdict), by key; none when unusable.

    They sit beside the summaries (``path`` is the summaries' file). Used only when the code
    that computed them and the numerical libraries are the same as now, and the file holds
    what its digest says (a truncated or edited file is computed again, never shown).
    """
    found = load_cache(_results_file(path))
    results = found.get("results")
    if found.get("made_by") != _made_by() or not isinstance(results, dict):
        return {}
    if found.get("digest") != _results_digest(results):
        return {}
    return results


def save_results(path: Path, results: dict[str, Any]) -> None:
    """Keep this build's drift results (only these: the file does not grow build after build)."""
    text = json.dumps(results, sort_keys=True)  # written as it is digested: encoded once
    digest = hashlib.sha256(text.encode()).hexdigest()
    head = json.dumps({"digest": digest, "made_by": _made_by()}, sort_keys=True)
    save_atomic(_results_file(path), f'{head[:-1]}, "results": {text}}}'.encode())


def _results_file(path: Path) -> Path:
    return path.with_name(path.stem + "-report.json")


def _results_digest(results: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest()


@cache
def _made_by() -> list[str | int]:
    """What drift results depend on besides their inputs: the statistics' code and libraries."""
    code = package_digest("cardpress.compute.drift")
    return [FORMAT, code, metadata.version("numpy"), _scipy()]


@cache
def _scipy() -> str:
    """The scipy that computed the p-values: another version may round them differently."""
    return metadata.version("scipy")


def _p_values_file(path: Path) -> Path:
    return path.with_name(path.stem + "-ks.json")


def stamp(path: Path) -> list[int]:
    """Size and modification time (ns): what marks a file as unchanged."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def digest(*parts: Any) -> str:
    """A short digest of JSON-able settings."""
    text = json.dumps([FORMAT, *parts], sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _plain(value: Any) -> Any:
    if isinstance(value, FeatureBins):
        return asdict(value)
    return str(value)


def window_text(window: Any) -> str:
    """A calendar window's start as stored."""
    moment: datetime = window
    return moment.isoformat()


def window_value(text: str) -> datetime:
    """A stored calendar window start back as a (naive, UTC) datetime."""
    return datetime.fromisoformat(text)


def encode_counts(counts: Counts) -> dict[str, list[list[float]]]:
    """Counts of one file's window as JSON."""
    return {name: [list(c.counts), list(c.value_sums)] for name, c in counts.items()}


def decode_counts(found: dict[str, list[list[float]]]) -> Counts:
    """Counts of one file's window from JSON."""
    return {
        name: FeatureCounts(tuple(int(n) for n in numbers), tuple(float(s) for s in sums))
        for name, (numbers, sums) in found.items()
    }


def encode_performance(found: Performance) -> dict[str, Any]:
    """One file's window of labelled outcomes as JSON (the fields as ``asdict`` gives them).

    Field by field: every field is a number, a string or a tuple of them, which ``asdict``
    copies deeply (0.4 s of a cold build of the example, for the rounded-score counts).
    """
    return {field.name: getattr(found, field.name) for field in fields(found)}


def decode_performance(found: dict[str, Any]) -> Performance:
    """One file's window of labelled outcomes from JSON."""
    return Performance(
        rows=int(found["rows"]),
        labelled=int(found["labelled"]),
        tp=int(found["tp"]),
        fp=int(found["fp"]),
        tn=int(found["tn"]),
        fn=int(found["fn"]),
        score_counts=tuple((float(s), int(p), int(n)) for s, p, n in found["score_counts"]),
        delay_counts=tuple(int(n) for n in found["delay_counts"]),
        delay_sum=float(found["delay_sum"]),
        task=str(found.get("task", "binary")),
        abs_sum=float(found.get("abs_sum", 0.0)),
        error_sum=float(found.get("error_sum", 0.0)),
        square_sum=float(found.get("square_sum", 0.0)),
        fourth_sum=float(found.get("fourth_sum", 0.0)),
        confusion=tuple((str(y), str(p), int(n)) for y, p, n in found.get("confusion", ())),
        unreadable=int(found.get("unreadable", 0)),
    )
