"""`learning-app bench item-analysis` runs end to end, tiny: the world is generated in Postgres,
the teacher signs in, the item analysis (kept and recomputed) and the gradebook are timed
through the services, the JSON line closes the output, and the world is gone afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import text

from learning_app.adapters.postgres import get_engine

TINY = [
    "--students",
    "20",
    "--attempts",
    "50",
    "--samples",
    "5",
    "--recompute-samples",
    "2",
    "--gradebook-samples",
    "3",
]


def _count(table: str) -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_bench_item_analysis_times_the_page_and_the_gradebook_and_cleans_up(
    clean_db: str,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "learning_app.cli", "bench", "item-analysis", *TINY],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(line) == ["bench", "attempts", "analysis_p95_ms", "gradebook_p95_ms"]
    assert line["bench"] == "item-analysis" and line["attempts"] == 50
    assert line["analysis_p95_ms"] > 0 and line["gradebook_p95_ms"] > 0
    assert "50 attempts by 20 students" in report and "40 questions" in report
    assert "gradebook of 20 students" in report
    assert _count("exam_attempt") == _count("attempt_answer") == _count("course") == 0
    assert _count('"user"') == 0
