"""`learning-app bench review` runs end to end, tiny: the world is generated in Postgres, the
students sign in, their queues are read and cards rated through the services, the JSON line
closes the output, and the world is gone afterwards (or kept with `--keep`, and then found)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import text

from learning_app.adapters.postgres import get_engine

TINY = ["--students", "20", "--cards-per-student", "10", "--signed-in", "5", "--samples", "12"]


def _bench_review(*args: str) -> tuple[dict[str, object], str]:
    result = subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "bench", "review", *TINY, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    return json.loads(result.stdout.strip().splitlines()[-1]), report


def _count(table: str) -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_bench_review_measures_the_queue_and_a_review_and_ends_with_its_json_line(
    clean_db: str,
) -> None:
    line, report = _bench_review()
    assert list(line) == [
        "bench",
        "students",
        "card_states",
        "queue_p50_ms",
        "queue_p95_ms",
        "raw_p95_ms",
        "review_p50_ms",
        "review_p95_ms",
        "load_s",
    ]
    assert line["bench"] == "review" and line["students"] == 20 and line["card_states"] == 200
    assert 0 < line["queue_p50_ms"] <= line["queue_p95_ms"], report  # type: ignore[operator]
    assert 0 < line["review_p50_ms"] <= line["review_p95_ms"], report  # type: ignore[operator]
    assert line["raw_p95_ms"] > 0 and line["load_s"] >= 0  # type: ignore[operator]
    assert "12 queues of 5 signed-in students" in report
    # Deleted afterwards: nothing of the world is left.
    assert _count("review_card") == _count("flashcard") == _count("course") == 0
    assert _count('"user"') == 0


def test_bench_review_keeps_its_world_for_the_next_run_of_the_same_size(clean_db: str) -> None:
    first, _ = _bench_review("--keep")
    assert _count("review_card") >= 200 and _count("course") == 20
    second, report = _bench_review()
    assert "found, kept by an earlier run" in report and second["load_s"] == 0
    assert second["card_states"] >= first["card_states"]  # type: ignore[operator]
    assert _count("review_card") == _count("course") == 0
