"""`learning-app bench rollup`, `bench histories` and `bench drift` run end to end, tiny: the
roll-ups the flushes kept equal a recompute's, the drift check's parts find what the whole
comparison finds, the JSON line closes the output, and nothing they generated is left
behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import text

from learning_app.adapters.postgres import get_engine
from learning_app.adapters.typesense_store import get_typesense

TABLES = (
    "analytics_event",
    "analytics_daily",
    "analytics_daily_user",
    '"user"',
    "course",
    "lesson",
)


def _bench(*args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "bench", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _counts() -> dict[str, int]:
    with get_engine().connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES
        }


def test_bench_rollup_checks_the_kept_rollups_and_leaves_nothing(clean_db: str) -> None:
    before = _counts()
    line = _bench(
        "rollup",
        "--students",
        "20",
        "--events",
        "300",
        "--batches",
        "2",
        "--batch-size",
        "50",
        "--recomputes",
        "1",
    )
    assert line["bench"] == "rollup" and line["events"] == 300
    assert line["quiet_matches"] is True and line["busy_matches"] is True
    assert float(line["flush_busy_p50_ms"]) > 0  # type: ignore[arg-type]
    assert _counts() == before


def test_bench_histories_times_both_ways_and_leaves_nothing(clean_db: str) -> None:
    before = _counts()
    line = _bench("histories", "--students", "5", "--events-each", "40", "--samples", "1")
    assert line["bench"] == "histories" and line["students"] == 5
    assert float(line["digests_p50_ms"]) > 0 and float(line["events_p50_ms"]) > 0  # type: ignore[arg-type]
    assert _counts() == before


def test_bench_drift_finds_all_drift_part_by_part_and_leaves_nothing(clean_db: str) -> None:
    before = _counts()
    collections = {c["name"] for c in get_typesense().collections.retrieve()}
    line = _bench(
        "drift", "--courses", "8", "--lessons", "60", "--samples", "1", "--part-size", "50"
    )
    assert line["bench"] == "drift" and line["parts"] == 8
    assert line["parts_find_all"] is True
    assert float(line["whole_cpu_p50_ms"]) > 0  # type: ignore[arg-type]
    assert _counts() == before
    assert {c["name"] for c in get_typesense().collections.retrieve()} == collections
