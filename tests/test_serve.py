"""`cardpress serve`: the built site over HTTP, with the site's own 404 page."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result


def test_serve_prints_its_address_and_serves_the_site_and_its_404_page(
    project: Callable[[str], Path], tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    site = tmp_path / "site"
    assert run_cli("build", str(project("minimal")), "-o", str(site)).exit_code == 0
    command = [sys.executable, "-m", "cardpress", "serve", str(site), "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # waits until the server is listening
        assert line.startswith(f"Serving {site} at http://127.0.0.1:")
        url = line.split(" at ")[1].split(" ")[0]
        with urllib.request.urlopen(url + "models/churn/v/10/index.html") as page:
            assert page.status == 200
            assert page.read() == (site / "models/churn/v/10/index.html").read_bytes()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "models/churn/v/99/index.html")
        assert missing.value.code == 404
        assert missing.value.read() == (site / "404.html").read_bytes()
        with pytest.raises(urllib.error.HTTPError) as outside:
            urllib.request.urlopen(url + "../../etc/passwd")
        assert outside.value.code == 404
    finally:
        server.terminate()
        server.wait()


def test_serve_refuses_a_folder_that_is_not_a_site(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli("serve", str(tmp_path))
    assert result.exit_code == 1
    assert "has no index.html — build a site first" in result.output
