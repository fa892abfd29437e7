"""`learning-app bench load`: the whole app under simulated students, through Reflex's websocket.

1. A world is written (see `load_world`): a course with lessons, exams and students.
2. The app's backend starts as in production (`reflex run --env prod --backend-only`, Reflex
   state in Redis, several workers) on a free loopback port, with its in-app job workers.
3. Locust runs `load_students.Student`: N students (default 200) arrive over the ramp, sign in,
   then read lessons, search, ask the tutor and answer practice-exam questions, with a few
   seconds of reading between actions, for the given duration.
4. Locust runs `load_students.SpikeStudent`: M students (default 500), already signed in and on
   the final exam's page, press Start at moments spread over 10 s
   (`load_locust.arrival_spread_s`).

With `--floor N` the students of step 3 (and of the capacity search) are
`load_students.FloorStudent`s instead, whose every action is N events that touch no store: the
framework's own cost on this machine, held to the real mix's baseline.

The app servers are in `load_servers`, Locust runs in `load_locust`, and the figures are
computed in `load_figures`. Figures are per action, from sending its event to the state delta
that completes it. Ordinary actions are page opens, searches, answers, starts and submits;
signing in (argon2id, slow by design) and asking the tutor (an embedding, a vector search and
an answer) are reported on their own lines and not in the ordinary p50/p95.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from learning_app.bench.chat_stand_in import MODEL as STAND_IN_MODEL
from learning_app.bench.chat_stand_in import chat_stand_in
from learning_app.bench.load_figures import LocustRun, figures, ordinary_ms, ratio
from learning_app.bench.load_locust import Arrivals, run_locust
from learning_app.bench.load_plan import write_plan
from learning_app.bench.load_servers import (
    AppServers,
    cpu_seconds,
    machine_busy_seconds,
    running_servers,
    settle_backends,
    stack_postmaster,
)
from learning_app.bench.load_world import LoadWorld
from learning_app.bench.stats import percentile

# A capacity step holds while ordinary actions' p95 stays within this multiple of the
# one-student p50 (and nothing fails).
CAPACITY_RATIO = 4.0


@dataclass(frozen=True)
class LoadOptions:
    users: int = 200
    spawn_rate: float = 10.0
    duration_s: int = 90
    spike_students: int = 500
    spike_window_s: float = 10.0
    workers: int = 2
    think_min_s: float = 2.0
    think_max_s: float = 6.0
    # One student, same mix, same run: what the loaded figures are divided by.
    baseline_s: int = 30
    # App servers; with more than one, a load balancer (HAProxy) sits in front.
    servers: int = 1
    # Kill the first server this many seconds into the load (needs servers >= 2).
    kill_server_after_s: float | None = None
    find_capacity: bool = False
    capacity_max: int = 1600
    # Seconds of load per capacity step once its students have arrived.
    capacity_hold_s: int = 30
    arrivals: Arrivals = "spread"  # see `load_locust.arrival_spread_s`
    # With a rate, the tutor streams its answers from a stand-in for OpenAI (`chat_stand_in`).
    chat_tokens_per_s: float = 0.0
    # With N > 0 every student's action is N events that touch no store (`FloorStudent`):
    # what the framework alone costs, against the real mix's baseline.
    floor_events: int = 0


def lost_answers(saved: list[tuple[str, str]]) -> int:
    """How many answers the app confirmed as saved are not in the database."""
    from sqlalchemy import text

    from learning_app.adapters.postgres import session_scope

    if not saved:
        return 0
    with session_scope() as session:
        stored = {
            (str(attempt), str(question))
            for attempt, question in session.execute(
                text(
                    "SELECT attempt_id, question_id FROM attempt_answer "
                    "WHERE attempt_id = ANY(CAST(:ids AS uuid[]))"
                ),
                {"ids": sorted({attempt for attempt, _ in saved})},
            )
        }
    return sum(1 for pair in set(saved) if pair not in stored)


class Phases:
    """The runs of one bench against one set of app servers, each with its own plan."""

    def __init__(self, world: LoadWorld, servers: AppServers, options: LoadOptions, workdir: Path):
        self.world, self.servers, self.options, self.workdir = world, servers, options, workdir
        self.plan = workdir / "plan.json"
        self._write_plan(self.plan, (options.think_min_s, options.think_max_s))

    def _write_plan(self, path: Path, think_s: tuple[float, float]) -> None:
        write_plan(
            self.world,
            self.servers.port,
            path,
            think_s=think_s,
            reconnect=self.options.servers > 1,
            floor_events=self.options.floor_events,
        )

    def baseline(self) -> LocustRun:
        """One student, the same mix, a shorter pause between actions (so that it takes enough
        samples in its time): what one action costs this machine with nothing else running.
        Always the real mix, `--floor` or not: it is the latency budget of both."""
        plan = self.workdir / "baseline-plan.json"
        self._write_plan(plan, (0.3, 0.8))
        return run_locust("Student", 1, 1, self.options.baseline_s, plan, self.workdir, "baseline")

    def students(self, users: int, spawn_rate: float, run_s: float, name: str) -> LocustRun:
        return run_locust(
            "FloorStudent" if self.options.floor_events else "Student",
            users,
            spawn_rate,
            run_s,
            self.plan,
            self.workdir,
            name,
            arrivals=self.options.arrivals,
        )

    def spike(self) -> LocustRun:
        students, window = self.options.spike_students, self.options.spike_window_s
        return run_locust(
            "SpikeStudent",
            students,
            students / window,
            window + 20,
            self.plan,
            self.workdir,
            "spike",
            arrivals=self.options.arrivals,
        )


def find_capacity(
    phases: Phases, baseline_p50: float, goal_ratio: float
) -> list[dict[str, object]]:
    """Students in doubling steps from 10, then a bisection to within 10%. Each step's
    students arrive (at least 10 a second, within 30 s), then work for `capacity_hold_s`;
    the step holds when nothing failed and the ordinary actions' p95 while they all work
    (from 5 s after the last arrival) is within `goal_ratio` of the baseline p50. The
    arrival itself, a wave of sign-ins, is what the spike measures. Each step is bounded:
    arrival + hold + Locust's stop timeout."""
    options = phases.options
    steps: list[dict[str, object]] = []

    def step(users: int) -> bool:
        spawn_rate = max(10.0, users / 30)
        arrival_s = users / spawn_rate
        run = phases.students(
            users, spawn_rate, arrival_s + 5 + options.capacity_hold_s, f"capacity-{users}"
        )
        first = min((began for *_, began, _ in run.samples), default=0.0)
        working = [sample for sample in run.samples if sample[3] >= first + arrival_s + 5]
        p95 = percentile(ordinary_ms(working), 0.95)
        errors = sum(1 for _, _, error, *_ in run.samples if error)
        holds = errors == 0 and 0 < p95 <= goal_ratio * baseline_p50
        steps.append(
            {"students": users, "p95_ms": round(p95, 1), "p95_ratio": ratio(p95, baseline_p50),
             "errors": errors, "holds": holds}
        )  # fmt: skip
        print(
            f"  {users} students: p95 {p95:.1f} ms once all arrived = "
            f"{ratio(p95, baseline_p50)}x the baseline, {errors} errors: "
            f"{'holds' if holds else 'does not hold'}",
            flush=True,
        )
        return holds

    held, failed = 0, 0
    users = 10
    while users <= options.capacity_max:
        if not step(users):
            failed = users
            break
        held, users = users, users * 2
    while failed and held and failed - held > max(10, held // 10):
        middle = (held + failed) // 2
        if step(middle):
            held = middle
        else:
            failed = middle
    return steps


# Jobs due now (queued or running), whatever their queue: what the backends' job workers
# still have to do before the machine is as quiet as the baseline needs it.
_DUE_JOBS = """
    SELECT count(*) FROM procrastinate_jobs
    WHERE status = 'doing' OR (status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now()))
"""


def settle_jobs(timeout_s: float = 90.0) -> None:
    """Wait until the backends' job workers have run what is due (the world's index and
    ingestion jobs, the previous run's clean-up), so that the baseline measures one student
    on a quiet machine, not one student beside a queue of jobs. Bounded: past `timeout_s`
    the bench goes on and says so."""
    from sqlalchemy import text

    from learning_app.adapters.postgres import session_scope

    deadline = time.monotonic() + timeout_s
    while True:
        with session_scope() as session:
            due = int(session.execute(text(_DUE_JOBS)).scalar_one())
        if due == 0:
            return
        if time.monotonic() > deadline:
            print(f"{due} background jobs still due after {timeout_s:.0f} s; measuring anyway")
            return
        time.sleep(0.5)


@contextmanager
def chatting(
    tokens_per_s: float, env: dict[str, str], streamed: dict[str, int]
) -> Iterator[dict[str, str]]:
    """`env` for the app servers, with the stand-in chat model when there is a rate; how many
    answers it streamed goes in `streamed["answers"]`."""
    if not tokens_per_s:
        yield env
        return
    with chat_stand_in(tokens_per_s) as stand_in:
        try:
            yield {**env, "OPENAI_BASE_URL": stand_in.url, "OPENAI_CHAT_MODEL": STAND_IN_MODEL}
        finally:
            streamed["answers"] = stand_in.answers


def run_load_bench(options: LoadOptions, backend_env: dict[str, str]) -> dict[str, object]:
    from learning_app.bench.load_world import create_load_world, drop_load_world

    workdir = Path(tempfile.mkdtemp(prefix="learning-app-load-"))
    students = options.capacity_max if options.find_capacity else options.users
    world = create_load_world(students, options.spike_students)
    killed: dict[str, object] = {}
    cpu: dict[str, float] = {}  # CPU seconds the load phase cost each tier
    busy_cores: float | None = None  # the whole machine's, whatever ran on it
    streamed: dict[str, int] = {}
    try:
        with (
            chatting(options.chat_tokens_per_s, backend_env, streamed) as backend_env,
            running_servers(backend_env, options.servers, workdir) as servers,
        ):
            phases = Phases(world, servers, options, workdir)
            groups = {process.pid for process in servers.processes}  # each leads its group
            settle_jobs()
            baseline = phases.baseline()
            baseline_p50 = percentile(ordinary_ms(baseline.samples), 0.50)
            steps: list[dict[str, object]] = []
            if options.find_capacity:
                print(f"baseline p50 {baseline_p50:.1f} ms; finding the capacity", flush=True)
                steps = find_capacity(phases, baseline_p50, CAPACITY_RATIO)
                load = LocustRun([], [])
            else:
                timer = None
                if options.kill_server_after_s is not None and options.servers > 1:
                    timer = threading.Timer(
                        options.kill_server_after_s, _kill_first, (servers, killed)
                    )
                    timer.start()
                postgres = stack_postmaster()
                cpu_before = (cpu_seconds(groups), cpu_seconds(set(), postgres))
                machine_before, started = machine_busy_seconds(), time.monotonic()
                try:
                    load = phases.students(
                        options.users, options.spawn_rate, options.duration_s, "load"
                    )
                finally:
                    if timer is not None:
                        timer.cancel()
                if not killed:  # a killed server's CPU time is gone with it
                    cpu["backend"] = cpu_seconds(groups) - cpu_before[0]
                if postgres:
                    cpu["postgres"] = cpu_seconds(set(), postgres) - cpu_before[1]
                cpu["locust"] = load.cpu_s
                busy_cores = (machine_busy_seconds() - machine_before) / (
                    time.monotonic() - started
                )
            if options.spike_students:
                settle_backends(groups, before="the spike")
            spike_cpu = cpu_seconds(groups)
            spike = phases.spike() if options.spike_students else LocustRun([], [])
            # The spike is a connect (a hydrate on the exam page) and a Start per student.
            cpu["spike_backend"] = cpu_seconds(groups) - spike_cpu
            lost = lost_answers(load.saved_answers)
    finally:
        drop_load_world(world)
    result = figures(options, baseline, load, spike, steps, killed, lost)
    # What an action costs, whatever the latency: steadier from run to run than a p95.
    if load.samples:
        for tier in ("backend", "postgres", "locust"):
            if tier in cpu:
                result[f"{tier}_cpu_ms_per_action"] = round(cpu[tier] * 1000 / len(load.samples), 2)
    if busy_cores is not None:
        result["machine_busy_cores"] = round(busy_cores, 2)
        result["machine_cores"] = os.cpu_count()
    if options.spike_students and not killed:
        result["spike_backend_cpu_ms_per_student"] = round(
            cpu["spike_backend"] * 1000 / options.spike_students, 2
        )
    if options.chat_tokens_per_s:
        result["chat_tokens_per_s"] = options.chat_tokens_per_s
        result["chat_answers_streamed"] = streamed.get("answers", 0)
    return result | {"workdir": str(workdir)}


def _kill_first(servers: AppServers, killed: dict[str, object]) -> None:
    killed.update(server=servers.names[0], at=time.time())
    servers.kill(0)
