"""A real `mlflow server` for the import tests: started on a port that is provably its own.

Picking a free port and then starting the server leaves a gap in which another process (the other
xdist worker's server, say) can take the port; the health check would then be answered by a
stranger and our server would quit with "address already in use". So a start counts only when the
server itself logs that Uvicorn bound the port (it logs that after the bind) and then answers
/health; otherwise it is stopped and started again on a new port. The server's log is kept beside
the store and quoted when anything goes wrong.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

START_SECONDS = 120  # a cold `mlflow server` imports a lot; under a loaded 2-core CI it is slow
ATTEMPTS = 3


def free_port() -> int:
    """A port nothing listens on at the moment of asking (it may be taken right after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log_tail(log: Path, characters: int = 4000) -> str:
    """The end of the server's log, for a failure message."""
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    return text[-characters:]


@contextlib.contextmanager
def mlflow_server(store_uri: str, log: Path) -> Iterator[str]:
    """Run ``mlflow server`` on ``store_uri`` for the block; yields its URL, stops it after.

    Fails the test, quoting the log, when the server cannot be started or dies while in use.
    """
    process, url = _start(store_uri, log)
    try:
        yield url
        if process.poll() is not None:
            pytest.fail(f"mlflow server quit while in use; its log:\n{log_tail(log)}")
    finally:
        _stop(process)


def _start(store_uri: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    for _ in range(ATTEMPTS):
        port = free_port()
        command = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port",
                   str(port), "--backend-store-uri", store_uri, "--workers", "1"]  # fmt: skip
        with log.open("ab") as sink:
            sink.write(f"== {' '.join(command)}\n".encode())
            sink.flush()
            process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            )
        if _serving(process, log, port):
            return process, f"http://127.0.0.1:{port}"
        _stop(process)
    pytest.fail(f"mlflow server did not start in {ATTEMPTS} tries; its log:\n{log_tail(log)}")


def _serving(process: subprocess.Popen[bytes], log: Path, port: int) -> bool:
    """Whether ``process`` bound ``port`` and answers there; False once it has quit."""
    bound = f"Uvicorn running on http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        if bound in log.read_text(errors="replace") and _healthy(port):
            return True
        time.sleep(0.2)  # polling a condition, not waiting for time to pass
    return False


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers: the process group the test started."""
    with contextlib.suppress(ProcessLookupError):  # the group is gone already
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
