"""Typed, immutable records: what readers produce and compute consumes.

Every fact keeps a :class:`Source` (file and line) so a page can say which record it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cardpress.model_drift import DriftSettings, DriftSummaries

Scalar = str | int | float | bool | None


# Columns of a checked predictions table (labels and predictions as 0/1, scores as floats); a
# prefix no user column is likely to carry, so sensitive columns keep their own names beside them.
Y_TRUE, Y_PRED, Y_SCORE = "cardpress:y_true", "cardpress:y_pred", "cardpress:y_score"
# A multiclass table holds Y_TRUE and Y_PRED as categoricals sharing the class list, and the
# score of class number i (in that list's order) in column Y_CLASS_SCORE + str(i).
Y_CLASS_SCORE = "cardpress:y_score:"
# The checked table's sample weights (float64, finite, >= 0), present only when the run names a
# weight column (``predictions.columns.weight``); compute functions take ``weights=None`` for 1s.
WEIGHT = "cardpress:weight"
# the current "hash" of a data set whose local file is gone (deleted or renamed since recorded)
GONE = ""
TASKS = ("binary", "multiclass", "regression")  # what a model predicts (model.task)


@dataclass(frozen=True)
class Source:
    """Where a fact was read: a path relative to the records folder, and a line when known."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Dataset:
    """A data set a run read; ``sha256`` is "" when the record holds no content hash."""

    id: str
    role: str
    uri: str
    sha256: str
    source: Source
    name: str | None = None
    rows: int | None = None
    size_bytes: int | None = None
    description: str | None = None
    other_digests: tuple[tuple[str, str], ...] = ()
    columns: tuple[tuple[str, str | None, str | None], ...] = ()
    derived_from: tuple[str, ...] = ()
    source_type: str | None = None


@dataclass(frozen=True)
class Interval:
    """A confidence interval."""

    lower: float
    upper: float
    level: float | None = None
    method: str | None = None


@dataclass(frozen=True)
class Metric:
    """One measured result on one data set, optionally for one group (slice)."""

    key: str
    value: float
    dataset: str
    source: Source
    slice: tuple[tuple[str, str], ...] = ()
    ci: Interval | None = None
    threshold: float | None = None
    step: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class Curve:
    """A metric logged at several steps during training: a curve, not a result."""

    key: str
    steps: tuple[int, ...]
    values: tuple[float, ...]
    source: Source
    dataset: str | None = None


@dataclass(frozen=True)
class Predictions:
    """The evaluation-predictions file a run names, and its column mapping."""

    uri: str
    dataset: str
    y_true: str
    y_pred: str
    source: Source
    y_score: str | None = None
    id_column: str | None = None
    sensitive: tuple[str, ...] = ()
    sha256: str | None = None
    positive_label: str | int | bool = 1
    # multiclass: (class as text, column holding the predicted probability of that class)
    y_score_by_class: tuple[tuple[str, str], ...] = ()
    weight: str | None = None  # column of sample weights; None: every row weighs 1
    threshold: float | None = None  # declared decision threshold (y_pred = score >= threshold)
    file_sha256: str = ""  # computed by cardpress from the file's bytes when the run was read


@dataclass(frozen=True)
class Artifact:
    """A file the run produced."""

    uri: str
    kind: str | None
    sha256: str | None
    size_bytes: int | None


@dataclass(frozen=True)
class CodeVersion:
    """The code that ran."""

    repo_url: str | None = None
    commit: str | None = None
    branch: str | None = None
    path: str | None = None
    dirty: bool | None = None


@dataclass(frozen=True)
class Environment:
    """The software environment of a run."""

    python: str | None = None
    platform: str | None = None
    packages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Run:
    """A training-run record (``cardpress/run/1``): one run, one model version."""

    run_id: str
    model: str
    version: str
    started_at: datetime
    status: str
    source: Source
    datasets: tuple[Dataset, ...]
    metrics: tuple[Metric, ...]
    ended_at: datetime | None = None
    model_type: str | None = None
    library: str | None = None
    task: str | None = None  # binary, multiclass or regression; None: infer from predictions
    defaults: tuple[tuple[str, Scalar], ...] = ()
    description: str | None = None
    code: CodeVersion = field(default_factory=CodeVersion)
    params: tuple[tuple[str, Scalar], ...] = ()
    predictions: Predictions | None = None
    artifacts: tuple[Artifact, ...] = ()
    environment: Environment = field(default_factory=Environment)
    origin: tuple[tuple[str, str], ...] = ()
    digest: str = ""
    version_source: Source | None = None
    name_source: Source | None = None
    run_name: str | None = None
    parent_run_id: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    curves: tuple[Curve, ...] = ()
    # the model's signature: (name or None, type) of each input and output
    signature_inputs: tuple[tuple[str | None, str], ...] = ()
    signature_outputs: tuple[tuple[str | None, str], ...] = ()

    @property
    def inputs_digest(self) -> str:
        """sha256 over what this version's own pages are made from: its record and predictions."""
        predictions = self.predictions.file_sha256 if self.predictions else ""
        return hashlib.sha256(f"{self.digest}\n{predictions}".encode()).hexdigest()


@dataclass(frozen=True)
class Owner:
    """Someone accountable for a model."""

    name: str
    contact: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class NarrativeSection:
    """A ``##`` section of card.md: its heading, its sanitised HTML and where it starts."""

    heading: str
    html: str
    source: Source


@dataclass(frozen=True)
class Narrative:
    """What people wrote about a model in ``models/<model>/card.md``."""

    model: str
    source: Source
    title: str | None = None
    summary: str | None = None
    intro_html: str = ""
    owners: tuple[Owner, ...] = ()
    contacts: tuple[str, ...] = ()
    license: str | None = None
    risk_rating: str | None = None
    risk_explanation: str | None = None
    status: str | None = None
    version_status: tuple[tuple[str, str], ...] = ()
    model_type: str | None = None
    intended_use: tuple[str, ...] = ()
    primary_users: tuple[str, ...] = ()
    out_of_scope_use: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    citation: str | None = None
    tags: tuple[str, ...] = ()
    sections: tuple[NarrativeSection, ...] = ()
    digest: str = ""

    def status_of(self, version: str, is_latest: bool) -> str | None:
        """Status of one version: its own entry, else the front matter's status for the newest."""
        own = dict(self.version_status).get(version)
        return own or (self.status if is_latest else None)


@dataclass(frozen=True)
class FairnessSettings:
    """The ``[fairness]`` table of ``cardpress.toml``."""

    min_group_size: int = 30
    suppress_small_groups: bool = False
    intersections: tuple[tuple[str, ...], ...] = ()
    reference: tuple[tuple[str, str], ...] = ()
    four_fifths_threshold: float = 0.8
    error_quantiles: tuple[float, ...] = (0.5, 0.9)  # regression: quantiles of |error|


@dataclass(frozen=True)
class LineageSettings:
    """The ``[lineage]`` table of ``cardpress.toml``."""

    openlineage: str = "lineage"
    dvc: tuple[str, ...] = (".",)
    hash_outside_records: bool = False
    graph_depth: int = 5
    model_uris: tuple[str, ...] = ("models://*/**/{model}/{version}", "models:/{model}/{version}")


@dataclass(frozen=True)
class SiteConfig:
    """The site settings from ``cardpress.toml``."""

    title: str = "Model audit site"
    description: str | None = None
    organisation: str | None = None
    base_url: str | None = None
    robots: str | None = None
    fairness: FairnessSettings = field(default_factory=FairnessSettings)
    drift: DriftSettings = field(default_factory=DriftSettings)
    drift_models: tuple[tuple[str, DriftSettings], ...] = ()
    lineage: LineageSettings = field(default_factory=LineageSettings)
    mlflow_predictions: str | None = None  # [mlflow] predictions: artifact pattern for imports
    # outside roots cardpress may read ([paths] allow), resolved: the records folder is always
    allow: tuple[str, ...] = ()

    def drift_for(self, model: str) -> DriftSettings:
        """``[drift]`` with ``[drift.models.<model>]`` laid over it."""
        return dict(self.drift_models).get(model, self.drift)


@dataclass(frozen=True)
class Rule:
    """One ``[[rule]]`` of a check policy; ``params`` holds its kind's own fields."""

    kind: str
    name: str
    level: str  # fail | warn
    params: dict[str, Any]
    source: Source


@dataclass(frozen=True)
class Policy:
    """A check policy (``cardpress/policy/1``)."""

    file: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class SignOff:
    """A reviewer's decision on one model version (``cardpress/signoff/1``)."""

    model: str
    version: str
    record_sha256: str
    name: str
    role: str
    decision: str  # approved | approved-with-conditions | rejected
    signed_at: datetime
    source: Source
    conditions: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Records:
    """Everything read from one records folder, validated."""

    root: str
    config: SiteConfig
    runs: tuple[Run, ...]
    narratives: tuple[Narrative, ...]
    signoffs: tuple[SignOff, ...] = ()
    # One per model with monitoring rows; filled by readers.monitoring (see model_drift).
    drift: tuple[DriftSummaries, ...] = ()
