"""What a training script's estimator says about itself: class, library, parameters, defaults.

Works with any object that has scikit-learn's ``get_params()`` (scikit-learn, XGBoost, LightGBM,
CatBoost's sklearn API …); the defaults come from an instance made with no arguments, so the
card can fold away the parameters nobody changed. Only values a run record can hold (strings,
finite numbers, booleans, None) are kept; nested estimators and arrays are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from typing import Any

from cardpress.errors import ArgumentError

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class EstimatorFacts:
    """The recorded facts of one estimator."""

    type: str
    library: str | None
    params: dict[str, Scalar]
    defaults: dict[str, Scalar]


def describe(estimator: Any) -> EstimatorFacts:
    """The class, library (its distribution's name), scalar parameters and their defaults.

    Raises:
        ArgumentError: the object has no ``get_params()``.
    """
    get_params = getattr(estimator, "get_params", None)
    if not callable(get_params):
        raise ArgumentError(
            f"estimator: {type(estimator).__name__} has no get_params() — pass a scikit-learn "
            "style estimator, or record model_type= and params() yourself"
        )
    kind = type(estimator)
    return EstimatorFacts(
        type=kind.__name__,
        library=_library(kind.__module__),
        params=_scalars(get_params(deep=False)),
        defaults=_defaults(kind),
    )


def _defaults(kind: type) -> dict[str, Scalar]:
    try:
        return _scalars(kind().get_params(deep=False))
    except Exception:
        return {}


def _scalars(params: dict[str, Any]) -> dict[str, Scalar]:
    kept: dict[str, Scalar] = {}
    for name, value in sorted(params.items()):
        if isinstance(value, float) and not math.isfinite(value):
            continue
        if value is None or isinstance(value, str | bool | int | float):
            kept[str(name)] = value
    return kept


def _library(module: str) -> str | None:
    """The distribution that ships a module: ``sklearn.linear_model`` → ``scikit-learn``."""
    top = module.split(".", 1)[0]
    names = packages_distributions().get(top, [])
    return names[0] if names else None
