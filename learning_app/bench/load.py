"""`learning-app bench load`: the whole app under simulated students, through Reflex's websocket.

1. A world is written (see `load_world`): a course with lessons, exams and students.
2. The app's backend starts as in production (`reflex run --env prod --backend-only`, Reflex
   state in Redis, several workers) on a free loopback port, with its in-app job workers.
3. Locust runs `load_students.Student`: N students (default 200) arrive over the ramp, sign in,
   then read lessons, search, ask the tutor and answer practice-exam questions, with a few
   seconds of reading between actions, for the given duration.
4. Locust runs `load_students.SpikeStudent`: M students (default 500), already signed in and on
   the final exam's page, press Start at moments spread over 10 s.

Figures are per action, from sending its event to the state delta that completes it. Ordinary
actions are page opens, searches, answers, starts and submits; signing in (argon2id, slow by
design) and asking the tutor (an embedding, a vector search and an answer) are reported on
their own lines and not in the ordinary p50/p95.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from learning_app.bench.load_world import QUERIES, TOPICS, LoadWorld
from learning_app.bench.stats import percentile
from learning_app.settings import PROJECT_ROOT, get_settings
from learning_app.stack.base import free_port, start_process_group, stop_process_group

STUDENTS_FILE = Path(__file__).with_name("load_students.py")
# Not in the ordinary figures: argon2id is slow on purpose, and the tutor embeds and searches.
HEAVY_ACTIONS = ("sign_in", "ask_tutor")
BACKEND_START_TIMEOUT_S = 180.0


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


@dataclass(frozen=True)
class ActionFigures:
    kind: str
    count: int
    errors: int
    p50_ms: float
    p95_ms: float
    first_error: str


def _state_names() -> dict[str, str]:
    """The full names of the states the students drive, as the compiled frontend knows them."""
    from reflex.state import OnLoadInternalState, State, UpdateVarsInternalState

    from learning_app.pages.accounts.sign_in import SignInState
    from learning_app.pages.attempts.take_state import AttemptState
    from learning_app.pages.courses.lesson_reader import LessonReaderState
    from learning_app.pages.exams.intro import ExamIntroState
    from learning_app.pages.search.results import SearchPageState
    from learning_app.pages.tutor.ask import TutorState
    from learning_app.state.auth import AuthState

    states = {
        "root": State,
        "root_vars": UpdateVarsInternalState,
        "root_load": OnLoadInternalState,
        "auth": AuthState,
        "sign_in": SignInState,
        "lesson": LessonReaderState,
        "search": SearchPageState,
        "tutor": TutorState,
        "intro": ExamIntroState,
        "attempt": AttemptState,
    }
    return {key: state.get_full_name() for key, state in states.items()}


def _initial_state_hashes() -> list[str]:
    """What a freshly loaded page sends with its hydrate: the hashes of the compiled initial
    state, so the backend sends only what differs (computed the way the compiler does)."""
    from reflex.state import State, _resolve_delta, state_snapshot_hashes

    import learning_app.learning_app  # noqa: F401 - registers every page state

    snapshot = asyncio.run(_resolve_delta(State(_reflex_internal_init=True).dict(initial=True)))
    return state_snapshot_hashes(snapshot)


def write_plan(world: LoadWorld, backend_port: int, options: LoadOptions, path: Path) -> None:
    from reflex_base.constants import Reflex

    from learning_app.pages.attempts.take_state import NOT_SAVED, SAVED

    states = _state_names()
    plan = {
        "backend_ws": f"ws://127.0.0.1:{backend_port}",
        # The Origin a browser on the app's pages sends; the backend refuses any other.
        "origin": get_settings().allowed_origins[0],
        "reflex_version": Reflex.VERSION,
        "states": states,
        "state_hashes": _initial_state_hashes(),
        "cookie_var": f"{states['auth']}.session_token_rx_state_",
        "saved": SAVED,
        "not_saved": NOT_SAVED,
        "think_min_s": options.think_min_s,
        "think_max_s": options.think_max_s,
        "course_id": str(world.course.course_id),
        "lesson_ids": world.lesson_ids,
        "practice_exam_id": world.practice_exam_id,
        "spike_exam_id": world.spike_exam_id,
        "responses": world.course.responses,
        "queries": QUERIES,
        "tutor_questions": [question for _, question, _, _ in TOPICS],
        "accounts": world.accounts,
        "spike_tokens": world.spike_tokens,
    }
    path.write_text(json.dumps(plan))


@contextmanager
def running_backend(env: dict[str, str], log_path: Path) -> Iterator[int]:
    """The app's backend as in production (`env` from `reflex_environment`), on a free
    loopback port; yields the port."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod"]
    command += ["--backend-only", "--backend-host", "127.0.0.1", "--backend-port", str(port)]
    process = start_process_group(command, cwd=PROJECT_ROOT, env=env, log_path=log_path)
    try:
        _wait_until_serving(port, process, log_path)
        yield port
    finally:
        stop_process_group(process)


def _wait_until_serving(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + BACKEND_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the backend exited early; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"the backend did not answer within {BACKEND_START_TIMEOUT_S:.0f} s")


Sample = tuple[str, float, str, float]  # action, milliseconds, error or "", start (epoch s)


def run_locust(
    user_class: str, users: int, spawn_rate: float, run_s: float, plan: Path, workdir: Path
) -> list[Sample]:
    """One Locust run, headless and loopback only; returns its samples."""
    samples_path = workdir / f"{user_class}.samples.json"
    env = dict(os.environ, LOAD_PLAN=str(plan), LOAD_SAMPLES=str(samples_path))
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(STUDENTS_FILE)]
    command += ["--headless", "--only-summary", "--users", str(users)]
    command += ["--spawn-rate", str(spawn_rate), "--run-time", f"{int(run_s)}s"]
    command += ["--stop-timeout", "5", "--host", "http://127.0.0.1", user_class]
    log_path = workdir / f"{user_class}.locust.log"
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
    return [
        (kind, ms, error, began) for kind, ms, error, began in json.loads(samples_path.read_text())
    ]


def summarise(samples: list[Sample]) -> list[ActionFigures]:
    kinds = sorted({sample[0] for sample in samples})
    figures = []
    for kind in kinds:
        ok = [ms for k, ms, error, _ in samples if k == kind and not error]
        errors = [error for k, _, error, _ in samples if k == kind and error]
        figures.append(
            ActionFigures(
                kind,
                len(ok) + len(errors),
                len(errors),
                round(percentile(ok, 0.50), 1),
                round(percentile(ok, 0.95), 1),
                errors[0] if errors else "",
            )
        )
    return figures


def run_load_bench(options: LoadOptions, backend_env: dict[str, str]) -> dict[str, object]:
    from learning_app.bench.load_world import create_load_world, drop_load_world

    workdir = Path(tempfile.mkdtemp(prefix="learning-app-load-"))
    world = create_load_world(options.users, options.spike_students)
    try:
        with running_backend(backend_env, workdir / "backend.log") as port:
            plan = workdir / "plan.json"
            write_plan(world, port, options, plan)
            load = run_locust(
                "Student", options.users, options.spawn_rate, options.duration_s, plan, workdir
            )
            spike: list[Sample] = []
            if options.spike_students:
                spike = run_locust(
                    "SpikeStudent",
                    options.spike_students,
                    options.spike_students / options.spike_window_s,
                    options.spike_window_s + 20,
                    plan,
                    workdir,
                )
    finally:
        drop_load_world(world)
    ordinary = [
        (ms, began) for kind, ms, error, began in load if kind not in HEAVY_ACTIONS and not error
    ]
    ordinary_ms = [ms for ms, _ in ordinary]
    # Once everyone has arrived and signed in: the load a class keeps up after its start.
    settled = min((began for *_, began in load), default=0.0) + options.users / options.spawn_rate
    settled_ms = [ms for ms, began in ordinary if began >= settled + 10]
    starts = [ms for kind, ms, error, _ in spike if kind == "spike_start" and not error]
    # Every spike student who did not get an attempt counts, whichever step failed.
    spike_errors = options.spike_students - len(starts)
    return {
        "users": options.users,
        "actions": len(load),
        "errors": sum(1 for _, _, error, _ in load if error),
        "p50_ms": round(percentile(ordinary_ms, 0.50), 1),
        "p95_ms": round(percentile(ordinary_ms, 0.95), 1),
        "settled_p95_ms": round(percentile(settled_ms, 0.95), 1),
        "spike_students": options.spike_students,
        "spike_errors": spike_errors,
        "spike_p50_ms": round(percentile(starts, 0.50), 1),
        "spike_p95_ms": round(percentile(starts, 0.95), 1),
        "by_action": summarise(load + spike),
        "workdir": str(workdir),
    }
