"""Hostile command-line arguments, run as real `learning-app` subprocesses: each fails with
one error line, no traceback, and leaves every store as it was."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.integration.hostile.world import RTL, SQLISH, ZERO_WIDTH, World, fingerprint
from tests.integration.people import PASSWORD


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learning_app.cli", *args],
        input=stdin,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# (arguments, stdin, exit code): 1 with one "learning-app: ..." line for what our code refuses;
# 2 with argparse's usage and one error line for an argument whose type argparse checks.
CLI_CASES: dict[str, tuple[list[str], str, int]] = {
    "user-create-bad-email": (["user", "create", SQLISH, "--role", "student"], PASSWORD, 1),
    "user-create-rtl-email": (["user", "create", RTL + "@x", "--role", "teacher"], PASSWORD, 1),
    "user-create-taken-email": (
        ["user", "create", "ada@example.com", "--role", "admin"],
        PASSWORD,
        1,
    ),
    "user-create-short-password": (
        ["user", "create", "z@example.com", "--role", "student"],
        "x",
        1,
    ),
    "user-create-huge-name": (
        ["user", "create", "z@example.com", "--role", "student", "--name", "n" * 5000],
        PASSWORD,
        1,
    ),
    "user-create-zero-width-name": (
        ["user", "create", "z@example.com", "--role", "student", "--name", ZERO_WIDTH],
        PASSWORD,
        1,
    ),
    "search-as-unknown": (["search", "tides", "--as", SQLISH], "", 1),
    "events-export-bad-date": (["events", "export", "--since", SQLISH], "", 2),
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_hostile_cli_arguments_fail_with_one_error_line_and_change_nothing(
    name: str, world: World
) -> None:
    args, stdin, code = CLI_CASES[name]
    before = fingerprint()
    result = _cli(*args, stdin=stdin + "\n")
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    if code == 1:
        assert len(lines) == 1 and lines[0].startswith("learning-app: "), result.stderr
    else:
        assert lines[0].startswith("usage: ") and ": error: " in lines[-1], result.stderr
    assert "Traceback" not in result.stderr and len(lines[-1]) <= 300
    assert fingerprint() == before
