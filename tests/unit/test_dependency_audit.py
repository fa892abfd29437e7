"""The dependency audit against a small stand-in for PyPI's JSON API on loopback: a release's
own page when there is one, the project page when the release is the latest, and "not checked"
(never "clean") for an older release whose page cannot be read."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from learning_app.cli.main import main
from learning_app.dependency_audit import audit, canonical, installed_packages

ADVISORY = {"id": "GHSA-1", "fixed_in": ["2.0"], "link": "https://osv.dev/GHSA-1"}
WITHDRAWN = {"id": "GHSA-0", "fixed_in": [], "link": "", "withdrawn": "2026-01-01T00:00:00"}
PAGES = {
    # a release page, as pip-audit reads it
    "/pypi/oldlib/1.0/json": {"info": {"version": "1.0"}, "vulnerabilities": [ADVISORY]},
    # only project pages: the latest release is judged from its project page
    "/pypi/fresh/json": {"info": {"version": "3.1"}, "vulnerabilities": [WITHDRAWN]},
    "/pypi/stale/json": {"info": {"version": "9.0"}, "vulnerabilities": []},
}


class _FakePypi(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        page = PAGES.get(self.path)
        if self.path == "/pypi/broken/json":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>")
            return
        self.send_response(200 if page else 404)
        self.end_headers()
        if page:
            self.wfile.write(json.dumps(page).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pypi() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakePypi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    server.shutdown()
    server.server_close()


def test_each_package_is_checked_where_it_can_be_and_says_why_not_elsewhere(pypi: str) -> None:
    packages = {"oldlib": "1.0", "fresh": "3.1", "stale": "8.0", "nowhere": "1.0", "broken": "1"}
    results = {r.name: r for r in audit(packages, pypi)}
    assert results["oldlib"].checked and [a.id for a in results["oldlib"].advisories] == ["GHSA-1"]
    assert results["oldlib"].advisories[0].fixed_in == ["2.0"]
    assert results["fresh"].checked and results["fresh"].advisories == []  # withdrawn
    assert not results["stale"].checked and "latest release (9.0)" in results["stale"].note
    assert not results["nowhere"].checked and "does not know" in results["nowhere"].note
    assert not results["broken"].checked and "did not answer" in results["broken"].note


def test_an_unreachable_pypi_checks_nothing_and_says_so() -> None:
    (result,) = audit({"fresh": "3.1"}, "http://127.0.0.1:9/pypi")
    assert not result.checked and "did not answer" in result.note


def test_the_installed_packages_are_listed_by_canonical_name_without_the_app() -> None:
    packages = installed_packages()
    assert "learning-app" not in packages and "reflex" in packages
    assert canonical("Jinja2") == "jinja2" and canonical("zope.interface") == "zope-interface"
    assert canonical("typing_extensions") == "typing-extensions" == canonical("Typing__Extensions")


def test_the_command_fails_when_a_package_is_vulnerable(
    pypi: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "learning_app.dependency_audit.installed_packages",
        lambda: {"oldlib": "1.0", "fresh": "3.1", "stale": "8.0"},
    )
    assert main(["audit", "--pypi-url", pypi]) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE oldlib 1.0: GHSA-1 (fixed in 2.0)" in out
    assert "stale 8.0: not the latest release (9.0)" in out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary == {
        "audit": "dependencies",
        "installed": 3,
        "checked": 2,
        "vulnerable": 1,
        "unchecked": 1,
    }


def test_the_command_says_in_one_line_when_pypi_cannot_be_reached(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "learning_app.dependency_audit.installed_packages", lambda: {"fresh": "3.1"}
    )
    assert main(["audit", "--pypi-url", "http://127.0.0.1:9/pypi"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("learning-app: no package could be checked: PyPI did not answer")
