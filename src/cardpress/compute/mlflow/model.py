"""What a model's files say: library, class and signature (``MLmodel``), its environment.

Pure: the file's text arrives as an argument. MLflow names a model's library by its *flavour*
(``sklearn``, ``xgboost``, …); the record names it as its distribution is named on PyPI, so the
card can read its version from the environment and the Hugging Face export its ``library_name``.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

# MLflow flavour → the distribution that implements it (where the two names differ).
FLAVOUR_LIBRARIES = {
    "sklearn": "scikit-learn", "pytorch": "torch", "keras": "keras", "tensorflow": "tensorflow",
    "spark": "pyspark", "h2o": "h2o", "onnx": "onnx", "paddle": "paddlepaddle",
    "sentence_transformers": "sentence-transformers", "spacy": "spacy",
    "statsmodels": "statsmodels", "prophet": "prophet", "pmdarima": "pmdarima",
    "catboost": "catboost", "lightgbm": "lightgbm", "xgboost": "xgboost",
    "transformers": "transformers", "johnsnowlabs": "johnsnowlabs", "diviner": "diviner",
}  # fmt: skip
# Tags MLflow's autologging sets on the run: the estimator's class name and its full path.
CLASS_TAGS = ("estimator_name", "estimator_class")


def model_fields(mlmodel: str | None, run_tags: dict[str, str]) -> dict[str, Any]:
    """``type``, ``library`` and ``signature`` for the record's ``model``, where recorded."""
    found: dict[str, Any] = {}
    document = _yaml(mlmodel)
    flavours = document.get("flavors") if isinstance(document, dict) else None
    flavours = flavours if isinstance(flavours, dict) else {}
    model_class = _class(run_tags, flavours)
    if model_class:
        found["type"] = model_class
    library = library_of(flavours)
    if library:
        found["library"] = library
    signature = _signature(document.get("signature") if isinstance(document, dict) else None)
    if signature:
        found["signature"] = signature
    return found


def library_of(flavours: dict[str, Any]) -> str | None:
    """The library of the model's own flavour (not the generic ``python_function``)."""
    own = sorted(name for name in flavours if name != "python_function")
    if own:
        return FLAVOUR_LIBRARIES.get(own[0], own[0].replace("_", "-"))
    loader = flavours.get("python_function", {})
    module = loader.get("loader_module") if isinstance(loader, dict) else None
    if isinstance(module, str) and module.startswith("mlflow.") and module != "mlflow.pyfunc":
        flavour = module.removeprefix("mlflow.").split(".", 1)[0]
        return FLAVOUR_LIBRARIES.get(flavour, flavour.replace("_", "-"))
    return None


def _class(run_tags: dict[str, str], flavours: dict[str, Any]) -> str | None:
    for tag in CLASS_TAGS:
        value = run_tags.get(tag, "").strip()
        if value:
            return value.rsplit(".", 1)[-1]
    transformers = flavours.get("transformers")
    if isinstance(transformers, dict):
        for key in ("pipeline_model_type", "instance_type"):
            if isinstance(transformers.get(key), str) and transformers[key]:
                return str(transformers[key])
    return None


def _signature(signature: Any) -> dict[str, Any] | None:
    """Inputs and outputs of an MLmodel signature (JSON strings of column or tensor specs)."""
    if not isinstance(signature, dict):
        return None
    found = {}
    for side in ("inputs", "outputs"):
        specs = _json(signature.get(side))
        if isinstance(specs, list):
            found[side] = [_spec(s) for s in specs if isinstance(s, dict)]
    return found if any(found.values()) else None


def _spec(spec: dict[str, Any]) -> dict[str, str]:
    kind = str(spec.get("type", ""))
    tensor = spec.get("tensor-spec")
    if kind == "tensor" and isinstance(tensor, dict):
        kind = f"tensor {tensor.get('dtype', '')} {tensor.get('shape', '')}".strip()
    found = {"type": kind or "unknown"}
    if isinstance(spec.get("name"), str):
        found = {"name": spec["name"], **found}
    return found


def environment_of(files: dict[str, str]) -> dict[str, Any]:
    """Python version and pinned packages from python_env.yaml, conda.yaml, requirements.txt."""
    python: str | None = None
    requirements: list[str] = []
    python_env = _yaml(files.get("python_env.yaml"))
    if isinstance(python_env, dict):
        python = str(python_env["python"]) if python_env.get("python") else None
        requirements += [str(d) for d in python_env.get("dependencies") or []]
    conda = _yaml(files.get("conda.yaml"))
    for item in conda.get("dependencies") or [] if isinstance(conda, dict) else []:
        if isinstance(item, str) and item.startswith("python="):
            python = python or item.removeprefix("python=")
        elif isinstance(item, dict):
            requirements += [str(p) for p in item.get("pip") or []]
    requirements += (files.get("requirements.txt") or "").splitlines()
    packages: dict[str, str] = {}
    for line in requirements:
        name, sep, pinned = line.split("#", 1)[0].strip().partition("==")
        if sep and name and pinned:
            packages.setdefault(name.strip(), pinned.split(";", 1)[0].strip())
    environment: dict[str, Any] = {}
    if python:
        environment["python"] = python
    if packages:
        environment["packages"] = dict(sorted(packages.items()))
    return environment


def _yaml(text: str | None) -> Any:
    if not text:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
