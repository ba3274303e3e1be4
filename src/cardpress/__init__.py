"""cardpress: records of ML work in, a versioned static audit website out.

The Python API mirrors the command line:

>>> import cardpress
>>> cardpress.validate("examples/adult-income")          # doctest: +SKIP
>>> cardpress.build("examples/adult-income", "site")     # doctest: +SKIP
>>> cardpress.check("examples/adult-income")             # doctest: +SKIP
>>> print(cardpress.schema("run"))                        # doctest: +SKIP

Training scripts without a tracker record their runs with ``cardpress.run`` (a context
manager) or ``cardpress.log_run`` (one call); see docs/logging.md.

The public names load on first use (PEP 562), so ``import cardpress`` in a training script
costs milliseconds and loads no data engine, plotting or statistics library: the build stack
(Ibis, DuckDB, Altair, vl-convert, scipy, pandas) is imported only by the verbs that need it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cardpress.errors import (
    ArgumentError,
    CardpressError,
    Problem,
    RecordExistsError,
    RecordsError,
)

if TYPE_CHECKING:
    from cardpress.api import (
        check,
        export_card_json,
        export_hf,
        import_mlflow,
        print_pdf,
        schema,
        validate,
        verify,
    )
    from cardpress.building import BuildResult, build
    from cardpress.importing import ImportResult
    from cardpress.recorder import RunRecorder, log_run, run

__version__ = "0.1.0"

# Where each lazily loaded public name lives.
_LAZY = {
    **dict.fromkeys(
        ["check", "export_card_json", "export_hf", "import_mlflow",
         "print_pdf", "schema", "validate", "verify"],
        "cardpress.api",
    ),
    **dict.fromkeys(["BuildResult", "build"], "cardpress.building"),
    "ImportResult": "cardpress.importing",
    **dict.fromkeys(["RunRecorder", "log_run", "run"], "cardpress.recorder"),
}  # fmt: skip

__all__ = [
    "ArgumentError",
    "BuildResult",
    "CardpressError",
    "ImportResult",
    "Problem",
    "RecordExistsError",
    "RecordsError",
    "RunRecorder",
    "__version__",
    "build",
    "check",
    "export_card_json",
    "export_hf",
    "import_mlflow",
    "log_run",
    "print_pdf",
    "run",
    "schema",
    "validate",
    "verify",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use and keep the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cardpress' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
