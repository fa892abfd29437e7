"""The CLI's start-up failures are one readable line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from learning_app.stack.processes import free_port


def _run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learning_app.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


def test_an_unreachable_database_url_fails_with_one_line() -> None:
    port = free_port()  # nothing listens there
    result = _run_cli(
        "migrate", DATABASE_URL=f"postgresql://app:s3cret@127.0.0.1:{port}/learning_app"
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port}" in lines[0]
    assert "s3cret" not in lines[0]  # the password never reaches logs
    assert "DATABASE_URL" in lines[0]


def test_a_placeholder_secret_in_production_fails_with_one_line() -> None:
    result = _run_cli("migrate", APP_ENV="production", SECRET_KEY="changethis")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY" in result.stderr


def test_migrate_and_seed_are_idempotent(clean_db: str, s3_bucket: str) -> None:
    from sqlalchemy import text

    from learning_app.adapters.postgres import get_engine
    from learning_app.services.material.work_queue import INGEST_LESSON_TASK

    # The small world: the full one is checked once, in integration/demo/.
    first = _run_cli("seed", "--small")
    assert first.returncode == 0, first.stderr
    assert "seeded the demo world in" in first.stdout
    assert "ada@example.com" in first.stdout and "/share/" in first.stdout
    with get_engine().connect() as conn:  # each demo lesson is queued for the tutor
        queued = conn.execute(
            text(
                "SELECT count(DISTINCT j.args->>'lesson_id') FROM procrastinate_jobs j"
                " JOIN lesson l ON l.id::text = j.args->>'lesson_id' WHERE j.task_name = :task"
            ),
            {"task": INGEST_LESSON_TASK},
        ).scalar_one()
        lessons = conn.execute(text("SELECT count(*) FROM lesson")).scalar_one()
    assert queued == lessons == 17
    again = _run_cli("seed")
    assert again.returncode == 0, again.stderr
    assert "left it alone" in again.stdout
    assert _run_cli("migrate").returncode == 0


def test_several_servers_refuse_bad_input_with_one_line_and_start_nothing() -> None:
    for args, expected in (
        (("run", "--servers", "2"), "--servers needs --prod"),
        (("run", "--prod", "--servers", "0"), "between 1 and 16"),
        (("run", "--prod", "--servers", "2", "--frontend-port", "3001"), "STACK_LB_PORT"),
        (("bench", "load", "--kill-server-after", "5"), "needs --servers 2"),
    ):
        result = _run_cli(*args)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert expected in result.stderr


def test_the_growth_benches_refuse_bad_sizes_with_one_line_and_make_nothing() -> None:
    for args, expected in (
        (("bench", "rollup", "--batches", "0"), "--batches"),
        (("bench", "rollup", "--events", "-1"), "--events must be 0 or more"),
        (("bench", "histories", "--students", "0"), "at least 1"),
        (("bench", "histories", "--events-each", "0"), "--events-each"),
        (("bench", "drift", "--courses", "1"), "--courses must be at least 2"),
        (("bench", "drift", "--lessons", "39"), "--lessons at least 40"),
        (("bench", "drift", "--part-size", "0"), "--part-size at least 1"),
    ):
        result = _run_cli(*args)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert expected in result.stderr
