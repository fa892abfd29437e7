"""`sigterm_unwinds`: a command stopped with SIGTERM (as `timeout` or a CI runner stops it)
still stops the process groups it started, as it does on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from learning_app.stack.processes import pid_alive

# Starts a child in its own process group (as the bench starts its app servers), prints the
# child's pid, and stops it in a `finally`, then waits to be terminated.
PARENT = """
import sys, time
from learning_app.stack.processes import sigterm_unwinds, start_process_group, stop_process_group
from pathlib import Path
with sigterm_unwinds():
    child = start_process_group(["sleep", "60"], cwd=Path("."), env={}, log_path=Path(sys.argv[1]))
    try:
        print(child.pid, flush=True)
        time.sleep(60)
    finally:
        stop_process_group(child)
"""


def test_sigterm_runs_the_finally_that_stops_a_child_group(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "child.log")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert pid_alive(child)
    os.kill(parent.pid, signal.SIGTERM)
    assert parent.wait(timeout=30) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 10
    while pid_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(child)
