"""cardpress: records of ML work in, a versioned static audit website out.

The Python API mirrors the command line:

>>> import cardpress
>>> cardpress.validate("examples/adult-income")          # doctest: +SKIP
>>> cardpress.build("examples/adult-income", "site")     # doctest: +SKIP
>>> cardpress.check("examples/adult-income")             # doctest: +SKIP
>>> print(cardpress.schema("run"))                        # doctest: +SKIP
"""

from cardpress.api import (
    BuildResult,
    build,
    check,
    export_hf,
    print_pdf,
    import_mlflow,
    schema,
    validate,
    verify,
)
from cardpress.errors import CardpressError, Problem, RecordsError
from cardpress.importing import ImportResult

__version__ = "0.1.0"

__all__ = [
    "BuildResult",
    "CardpressError",
    "ImportResult",
    "Problem",
    "RecordsError",
    "__version__",
    "build",
    "check",
    "export_hf",
    "print_pdf",
    "import_mlflow",
    "schema",
    "validate",
    "verify",
]
