"""How `learning-app bench load` runs Locust: one headless run of the students
(`load_students`) in its own process, on loopback, with their arrivals spread evenly at the
run's rate (`arrival_spread_s`); its samples come back as a `LocustRun`."""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Literal

from learning_app.bench.load_figures import LocustRun

STUDENTS_FILE = Path(__file__).with_name("load_students.py")
# "spread": each of Locust's batches of arrivals is spread over its interval, as students
# acting on their own arrive; "burst": Locust's own batches, all within a few milliseconds.
Arrivals = Literal["spread", "burst"]


def arrival_spread_s(spawn_rate: float, arrivals: Arrivals) -> float:
    """Over how many seconds each student delays its arrival, at random.

    Locust starts `floor(rate)` users at once every `floor(rate) / rate` seconds: at 50 a
    second, the spike's 50 students of each second connected within 6 ms of each other, ten
    bursts instead of starts spread over the window. Each student therefore waits a random
    moment within its batch's interval first, which spreads the arrivals evenly at the same
    rate (an action's time starts after that wait)."""
    if arrivals == "burst" or spawn_rate <= 0:
        return 0.0
    return max(1, math.floor(spawn_rate)) / spawn_rate


def run_locust(
    user_class: str,
    users: int,
    spawn_rate: float,
    run_s: float,
    plan: Path,
    workdir: Path,
    name: str,
    arrivals: Arrivals = "spread",
) -> LocustRun:
    """One Locust run, headless and loopback only."""
    samples_path = workdir / f"{name}.samples.json"
    env = dict(
        os.environ,
        LOAD_PLAN=str(plan),
        LOAD_SAMPLES=str(samples_path),
        LOAD_ARRIVAL_SPREAD_S=str(arrival_spread_s(spawn_rate, arrivals)),
    )
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(STUDENTS_FILE)]
    command += ["--headless", "--only-summary", "--users", str(users)]
    command += ["--spawn-rate", str(spawn_rate), "--run-time", f"{int(run_s)}s"]
    command += ["--stop-timeout", "5", "--host", "http://127.0.0.1", user_class]
    log_path = workdir / f"{name}.locust.log"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log_path.open("w") as log:
        subprocess.run(
            command,
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=run_s + 120,
            check=False,  # Locust exits 1 when any request failed
        )
    if not samples_path.exists():
        raise RuntimeError(f"Locust wrote no samples; see {log_path}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # Locust is the child waited for
    written = json.loads(samples_path.read_text())
    return LocustRun(
        [tuple(sample) for sample in written["samples"]],  # type: ignore[misc]
        [(attempt, question) for attempt, question in written["saved_answers"]],
        after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        [(kind, count) for kind, count in written["deltas"]],
    )
