"""`learning-app bench load` runs end to end, small: the production backend on a free port,
Locust students over the real websocket, the spike, and the closing JSON line. This keeps the
load test's websocket client honest as Reflex's wire protocol moves.

The second test is the failover: two app servers behind HAProxy, one killed in the middle of
the load; its students reconnect through the load balancer to the other and find their
sign-in, their page, their saved answers and their deadline; the other's students see no
error, and no answer the app confirmed is missing from the database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from sqlalchemy import text

from learning_app.adapters.postgres import session_scope

SMALL_RUN = ["--users", "4", "--spawn-rate", "4", "--duration", "15", "--think-min", "0.1"]
SMALL_RUN += ["--think-max", "0.3", "--spike-students", "6", "--spike-window", "1"]
SMALL_RUN += ["--baseline", "8"]
KINDS = ("connect", "sign_in", "open_lesson", "search", "ask_tutor", "answer", "spike_start")


def _bench_load(*args: str) -> tuple[dict[str, object], str]:
    result = subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "bench", "load", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    return json.loads(result.stdout.strip().splitlines()[-1]), report


def _analytics_events() -> int:
    with session_scope() as session:
        return int(session.execute(text("SELECT count(*) FROM analytics_event")).scalar_one())


def test_bench_load_drives_students_over_the_websocket_and_ends_with_its_json_line(
    clean_db: str,
) -> None:
    events_before = _analytics_events()
    line, report = _bench_load(*SMALL_RUN)
    # Its world's events went with it: later runs' roll-ups do not scan them again.
    assert _analytics_events() == events_before, report
    assert list(line) == [
        "bench",
        "users",
        "servers",
        "errors",
        "baseline_p50_ms",
        "baseline_p95_ms",
        "p50_ms",
        "p95_ms",
        "p95_ratio",
        "p95_inflation",
        "spike_students",
        "spike_errors",
        "spike_p95_ms",
        "spike_ratio",
        "lost_answers",
    ]
    assert line["bench"] == "load" and line["users"] == 4 and line["spike_students"] == 6
    assert line["errors"] == 0 and line["spike_errors"] == 0 and line["lost_answers"] == 0, report
    assert 0 < line["p50_ms"] <= line["p95_ms"] and line["spike_p95_ms"] > 0  # type: ignore[operator]
    assert line["baseline_p50_ms"] > 0 and line["p95_ratio"] > 0 and line["spike_ratio"] > 0  # type: ignore[operator]
    assert line["baseline_p95_ms"] >= line["baseline_p50_ms"] and line["p95_inflation"] > 0  # type: ignore[operator]
    assert "the mix's own spread" in report, report
    table = {row.split()[0] for row in report.splitlines() if row and row[0].isalpha()}
    assert set(KINDS) <= table, report
    assert "CPU per action under load: backend" in report and "Locust" in report, report
    assert re.search(r"the whole machine under load: [\d.]+ of \d+ cores busy", report), report


def test_losing_one_of_two_servers_loses_no_sign_in_answer_or_deadline(clean_db: str) -> None:
    run = ["--users", "12", "--spawn-rate", "12", "--duration", "25", "--think-min", "0.2"]
    run += ["--think-max", "0.6", "--spike-students", "0", "--baseline", "5"]
    run += ["--servers", "2", "--workers", "1", "--kill-server-after", "12"]
    line, report = _bench_load(*run)
    assert line["servers"] == 2 and line["lost_answers"] == 0, report
    # Students were on the killed server and reconnected (how fast is the bench's figure).
    assert line["reconnects"] > 0, report  # type: ignore[operator]
    # after_reconnect checked the sign-in, the saved answers and the deadline: a failed
    # check is an error of the killed server's students.
    assert line["errors_on_killed_server"] == 0, report
    assert line["errors_on_surviving_servers"] == 0, report


def test_the_tutor_streams_from_the_chat_stand_in_when_asked(clean_db: str) -> None:
    run = ["--users", "4", "--spawn-rate", "4", "--duration", "15", "--think-min", "0.1"]
    run += ["--think-max", "0.3", "--spike-students", "0", "--baseline", "8"]
    line, report = _bench_load(*run, "--chat-stand-in", "200")
    assert line["errors"] == 0 and line["chat_tokens_per_s"] == 200, report
    assert line["chat_answers_streamed"] > 0, report  # type: ignore[operator]
    assert "ask_tutor" in {row.split()[0] for row in report.splitlines() if row}, report


def test_the_floor_replaces_every_action_with_events_that_touch_no_store(clean_db: str) -> None:
    run = ["--users", "4", "--spawn-rate", "4", "--duration", "10", "--think-min", "0.1"]
    run += ["--think-max", "0.3", "--spike-students", "0", "--baseline", "5"]
    line, report = _bench_load(*run, "--floor", "3")
    assert line["floor_events"] == 3 and line["errors"] == 0, report
    assert "whose every action is 3 events that touch no store" in report, report
    rows = {row.split()[0]: row.split()[1:] for row in report.splitlines() if row[:1].isalpha()}
    # The load's students sign in and open the review page, then act by the floor's events;
    # the baseline stays the real mix, whose deltas per action it prints.
    assert int(rows["floor"][0]) > 0 and int(rows["open_review"][0]) == 4, report
    assert re.search(r"actions, [\d.]+ state deltas each\)", report), report
    assert line["baseline_p50_ms"] > 0 and line["p95_ratio"] > 0, report  # type: ignore[operator]


def test_a_floor_out_of_range_is_refused_before_anything_starts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "bench", "load", "--floor", "-1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "--floor must be 1 to 20 events an action, or 0 for none" in result.stderr
