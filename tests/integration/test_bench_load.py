"""`learning-app bench load` runs end to end, small: the production backend on a free port,
Locust students over the real websocket, the spike, and the closing JSON line. This keeps the
load test's websocket client honest as Reflex's wire protocol moves."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SMALL_RUN = ["--users", "4", "--spawn-rate", "4", "--duration", "15", "--think-min", "0.1"]
SMALL_RUN += ["--think-max", "0.3", "--spike-students", "6", "--spike-window", "1"]
KINDS = ("connect", "sign_in", "open_lesson", "search", "ask_tutor", "answer", "spike_start")


def test_bench_load_drives_students_over_the_websocket_and_ends_with_its_json_line(
    clean_db: str,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "bench", "load", *SMALL_RUN],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(line) == [
        "bench",
        "users",
        "errors",
        "p50_ms",
        "p95_ms",
        "spike_students",
        "spike_errors",
        "spike_p95_ms",
    ]
    assert line["bench"] == "load" and line["users"] == 4 and line["spike_students"] == 6
    assert line["errors"] == 0 and line["spike_errors"] == 0, report
    assert 0 < line["p50_ms"] <= line["p95_ms"] and line["spike_p95_ms"] > 0
    table = {row.split()[0] for row in result.stdout.splitlines() if row and row[0].isalpha()}
    assert set(KINDS) <= table, report
