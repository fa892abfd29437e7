"""Before the spike, the bench waits for the backends to go quiet (`settle_backends`): the
load phase's tabs closing, and their states written to Redis as their leases end, must not
fall in the spike's first seconds."""

from __future__ import annotations

import subprocess
import sys

from learning_app.bench.load_servers import SETTLE_WINDOW_S, settle_backends

# Busy for about two seconds of CPU, then idle (asleep) until killed.
_BUSY_THEN_IDLE = (
    "import time\n"
    "end = time.process_time() + 2.0\n"
    "while time.process_time() < end: pass\n"
    "time.sleep(60)\n"
)


def test_it_waits_while_the_backends_work_and_counts_their_cpu() -> None:
    busy = subprocess.Popen([sys.executable, "-c", _BUSY_THEN_IDLE], start_new_session=True)
    try:
        waited, spent = settle_backends({busy.pid}, before="a test", timeout_s=20.0)
    finally:
        busy.kill()
        busy.wait()
    assert waited >= 2.0 + SETTLE_WINDOW_S - 0.5  # its busy time, then one quiet window
    assert spent >= 1.5


def test_it_gives_up_past_its_bound() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
    try:
        waited, spent = settle_backends({busy.pid}, before="a test", timeout_s=2.0)
    finally:
        busy.kill()
        busy.wait()
    assert 2.0 <= waited < 2.0 + 2 * SETTLE_WINDOW_S + 0.5
    assert spent > 1.0
