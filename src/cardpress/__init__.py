"""cardpress: records of ML work in, a versioned static audit website out.

The Python API mirrors the command line:

>>> import cardpress
>>> cardpress.validate("examples/adult-income")          # doctest: +SKIP
>>> cardpress.build("examples/adult-income", "site")     # doctest: +SKIP
>>> cardpress.check("examples/adult-income")             # doctest: +SKIP
>>> print(cardpress.schema("run"))                        # doctest: +SKIP

Training scripts without a tracker record their runs with ``cardpress.run`` (a context
manager) or ``cardpress.log_run`` (one call); see docs/logging.md.
"""

from cardpress.api import (
    BuildResult,
    build,
    check,
    export_card_json,
    export_hf,
    import_mlflow,
    print_pdf,
    schema,
    validate,
    verify,
)
from cardpress.errors import (
    ArgumentError,
    CardpressError,
    Problem,
    RecordExistsError,
    RecordsError,
)
from cardpress.importing import ImportResult
from cardpress.recorder import RunRecorder, log_run, run

__version__ = "0.1.0"

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
