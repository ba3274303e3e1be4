"""Record training runs as ``cardpress/run/1`` records, for scripts that use no tracker.

``cardpress.run(...)`` is a context manager; ``cardpress.log_run(...)`` records a finished run
in one call. See docs/logging.md. pandas is imported only when a DataFrame is given.
"""

from cardpress.recorder.functions import log_run, run
from cardpress.recorder.run import RunRecorder

__all__ = ["RunRecorder", "log_run", "run"]
